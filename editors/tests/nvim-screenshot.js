// Neovim in a real terminal (tmux), showing the entity card of "Tasmagambetov"
// (K, here mapped to F5 after placing the cursor) and the caption diagnostic; the terminal is captured with its colours
// and rendered to PNG with headless Chromium.
//   NVIM=... DOSSIER_BIN=... CORPUS=... TEST_TMP=... [SCREENSHOT_DIR=...] node nvim-screenshot.js
// Exit 0 when the hover card appeared in the terminal (and the PNG was written).
'use strict';
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const REPO = path.resolve(__dirname, '..', '..');
const puppeteer = createRequire(path.join(REPO, 'editors', 'vscode', 'package.json'))('puppeteer-core');
const env = (k) => { if (!process.env[k]) throw new Error(`${k} is not set`); return process.env[k]; };
const NVIM = env('NVIM'); const BIN = env('DOSSIER_BIN'); const CORPUS = env('CORPUS'); const TMP = env('TEST_TMP');
const OUT = process.env.SCREENSHOT_DIR;
const SEED_A = '000_ed376fe458f0e54a.txt';
const session = `dossier-shot-${process.pid}`;
const tmux = (...a) => cp.execFileSync('tmux', ['-L', session, ...a], { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ansiToHtml(text) {
  const basic = ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5'];
  const bright = ['#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];
  const c256 = (n) => {
    if (n < 8) return basic[n]; if (n < 16) return bright[n - 8];
    if (n >= 232) { const v = 8 + (n - 232) * 10; return `rgb(${v},${v},${v})`; }
    n -= 16; const s = [0, 95, 135, 175, 215, 255];
    return `rgb(${s[Math.floor(n / 36)]},${s[Math.floor(n / 6) % 6]},${s[n % 6]})`;
  };
  let fg = null; let bg = null; let bold = false; let ul = false; let html = '';
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  for (const part of text.split(/(\x1b\[[0-9;:]*m)/)) {
    const m = /^\x1b\[([0-9;:]*)m$/.exec(part);
    if (!m) {
      if (part) html += `<span style="${fg ? `color:${fg};` : ''}${bg ? `background:${bg};` : ''}${bold ? 'font-weight:bold;' : ''}${ul ? 'text-decoration:underline wavy;' : ''}">${esc(part)}</span>`;
      continue;
    }
    const codes = (m[1] || '0').split(/[;:]/).map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) { fg = bg = null; bold = ul = false; } else if (c === 1) bold = true;
      else if (c === 22) bold = false; else if (c === 4) ul = true; else if (c === 24) ul = false;
      else if (c >= 30 && c <= 37) fg = basic[c - 30]; else if (c >= 90 && c <= 97) fg = bright[c - 90];
      else if (c >= 40 && c <= 47) bg = basic[c - 40]; else if (c >= 100 && c <= 107) bg = bright[c - 100];
      else if (c === 39) fg = null; else if (c === 49) bg = null;
      else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
        const v = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`; if (c === 38) fg = v; else bg = v; i += 4;
      } else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
        const v = c256(codes[i + 2]); if (c === 38) fg = v; else bg = v; i += 2;
      }
    }
  }
  return html;
}

async function main() {
  const init = path.join(TMP, 'init.lua');
  fs.writeFileSync(init, `
vim.opt.runtimepath:prepend(${JSON.stringify(path.join(REPO, 'editors', 'neovim'))})
vim.cmd('filetype on'); vim.cmd('syntax on')
vim.opt.termguicolors = true
vim.opt.number = true
vim.opt.wrap = false
vim.opt.shortmess:append('I')
vim.diagnostic.config({ virtual_text = true, underline = true })
require('dossier').setup({ cmd = { ${JSON.stringify(BIN)}, 'lsp' } })
vim.keymap.set('n', '<F5>', function()
  vim.api.nvim_win_set_cursor(0, { ROW, COL })
  vim.lsp.buf.hover()
end)
`);
  const file = path.join(CORPUS, SEED_A);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const row = lines.findIndex((l) => l.includes('capital, Tasmagambetov said')) + 1;
  const col = Buffer.byteLength(lines[row - 1].slice(0, lines[row - 1].indexOf('Tasmagambetov'))) + 3;
  fs.writeFileSync(init, fs.readFileSync(init, 'utf8').replace('ROW', String(row)).replace('COL', String(col)));
  tmux('new-session', '-d', '-s', session, '-x', '110', '-y', '36', '-c', CORPUS,
    `env TERM=tmux-256color COLORTERM=truecolor ${NVIM} -u ${init} -i NONE -n +${row} ${SEED_A}`);
  try {
    let screen = '';
    const deadline = Date.now() + 30000;
    let pressed = 0;
    while (Date.now() < deadline) {
      await sleep(1000);
      if (pressed < 5) { // (re)try K until the server answers
        tmux('send-keys', '-t', session, 'F5'); pressed++;
      }
      await sleep(700);
      screen = tmux('capture-pane', '-p', '-t', session);
      if (cardShown(screen)) break;
    }
    if (!cardShown(screen)) {
      console.error('FAIL - no entity card in the terminal:\n' + screen);
      process.exitCode = 1;
      return; // (the finally below stops tmux)
    }
    console.error('ok   - entity card (name, kind, roles, who he appears with) shown by K in a terminal Neovim');
    if (!OUT) return;
    const ansi = tmux('capture-pane', '-p', '-e', '-t', session);
    const html = `<html><body style="margin:0;background:#14161b"><pre id="t" style="margin:0;padding:8px;display:inline-block;
      font:15px/1.25 'DejaVu Sans Mono',monospace;color:#e0e2ea;background:#14161b">${ansiToHtml(ansi)}</pre></body></html>`;
    const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      const el = await page.$('#t');
      fs.mkdirSync(OUT, { recursive: true });
      await el.screenshot({ path: path.join(OUT, 'neovim-hover.png') });
      console.error('wrote', path.join(OUT, 'neovim-hover.png'));
    } finally { await browser.close(); }
  } finally {
    try { tmux('kill-server'); } catch { /* gone */ }
  }
}
/** The card of the first seed's surname on screen: name and kind, roles, who he appears with. */
function cardShown(screen) {
  return /Imangali Tasmagambetov/.test(screen) && /person/.test(screen) && /Roles: /.test(screen)
    && /Appears with/.test(screen);
}

// tmux daemonises out of our process group: stop it on every way out
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => { try { tmux('kill-server'); } catch { /* gone */ } process.exit(1); });
}
main().catch((e) => { console.error('FAIL -', e.stack); try { tmux('kill-server'); } catch { /* */ } process.exit(1); });
