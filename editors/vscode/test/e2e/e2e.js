// End-to-end test in real VS Code: code-server (VS Code 1.139.1 in the
// browser) with our .vsix installed, driven through headless Chromium.
//
// Environment (set by editors/tests/run-all.sh):
//   CODE_SERVER   code-server binary (run under Node 24)
//   VSIX          the packaged extension
//   DOSSIER_BIN   server binary (written into dossier.server.path)
//   CORPUS        scratch copy of seeds/ (opened as the workspace folder)
//   TEST_TMP      scratch directory (user data, extensions, XDG dirs)
//   DOSSIER_ARTIFACTS   where failure screenshots go (default TEST_TMP)
//   DOSSIER_SCREENSHOTS=1  write the documentation screenshots of the steps that passed
//   SCREENSHOT_DIR        ... into this folder (editors/screenshots)
//   CHROMIUM      browser (default /usr/bin/chromium)
// Exit 0: every step passed.
'use strict';
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const env = (k, d) => { const v = process.env[k] ?? d; if (v === undefined) throw new Error(`${k} is not set`); return v; };
const CODE_SERVER = env('CODE_SERVER');
const VSIX = env('VSIX');
const DOSSIER_BIN = env('DOSSIER_BIN');
const CORPUS = env('CORPUS');
const TMP = env('TEST_TMP');
const ARTIFACTS = env('DOSSIER_ARTIFACTS', TMP);
const SHOTS = process.env.DOSSIER_SCREENSHOTS === '1' ? env('SCREENSHOT_DIR') : null;
const T = Number(process.env.E2E_STEP_TIMEOUT_MS || 45000);
const SEED_A = '000_ed376fe458f0e54a.txt';
const SEED_B = '002_e2d909bfb0b5a3b3.txt';

const t0 = Date.now();
function log(...a) { console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a); }

const seedLines = (f) => fs.readFileSync(path.join(CORPUS, f), 'utf8').split(/\r\n|\r|\n/);
function locate(f, needle) {
  const lines = seedLines(f);
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${f}`);
  return { line: i + 1, col: lines[i].indexOf(needle) + 1 }; // 1-based, UTF-16 columns as VS Code shows them
}

function sh(cmd, args, opts) {
  const r = cp.spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

// --------------------------------------------------------------- page helpers
// Monaco renders spaces as U+00A0: normalise text before matching.
async function lineBox(page, needle) {
  return page.evaluate((needle) => {
    const line = [...document.querySelectorAll('.monaco-editor .view-line')]
      .find((l) => l.textContent.replace(/\u00a0/g, ' ').includes(needle));
    if (!line) return null;
    const r = line.getBoundingClientRect();
    return { x: r.left, y: r.top, h: r.height };
  }, needle);
}

/** Screen point of character `offset` of `needle` inside the rendered line containing `lineNeedle`. */
async function charPoint(page, lineNeedle, needle, offset) {
  return page.evaluate((lineNeedle, needle, offset) => {
    const line = [...document.querySelectorAll('.monaco-editor .view-line')]
      .find((l) => l.textContent.replace(/\u00a0/g, ' ').includes(lineNeedle));
    if (!line) return null;
    const text = line.textContent.replace(/\u00a0/g, ' ');
    const target = text.indexOf(lineNeedle) + lineNeedle.indexOf(needle) + offset;
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let n; (n = walker.nextNode());) {
      const len = n.textContent.length;
      if (target < seen + len) {
        const rg = document.createRange();
        rg.setStart(n, target - seen); rg.setEnd(n, target - seen + 1);
        const r = rg.getBoundingClientRect();
        const span = n.parentElement;
        return { x: r.left + r.width / 2, y: r.top + r.height / 2, color: getComputedStyle(span).color };
      }
      seen += len;
    }
    return null;
  }, lineNeedle, needle, offset);
}

async function key(page, combo) {
  const parts = combo.split('+');
  for (const k of parts.slice(0, -1)) await page.keyboard.down(k);
  await page.keyboard.press(parts[parts.length - 1]);
  for (const k of parts.slice(0, -1).reverse()) await page.keyboard.up(k);
}

async function quickOpen(page, file, line, col) {
  await key(page, 'Control+KeyP');
  await page.waitForSelector('.quick-input-widget input', { visible: true });
  await page.keyboard.type(file);
  await page.waitForFunction((f) => [...document.querySelectorAll('.quick-input-list .monaco-list-row')]
    .some((r) => r.textContent.includes(f)), {}, file);
  await page.keyboard.press('Enter');
  await page.waitForFunction((f) => {
    const t = document.querySelector('.tabs-container .tab.active');
    return t && (t.getAttribute('aria-label') || t.textContent).includes(f);
  }, {}, file);
  if (line) { // Quick Open's ":<line>" goes to a line of the active editor
    await page.waitForSelector('.quick-input-widget', { hidden: true });
    await key(page, 'Control+KeyP');
    await page.waitForSelector('.quick-input-widget input', { visible: true });
    await page.keyboard.type(col ? `:${line}:${col}` : `:${line}`);
    await new Promise((r) => setTimeout(r, 300));
    await page.keyboard.press('Enter');
    await page.waitForFunction((l) => new RegExp(`Ln ${l},`).test(document.querySelector('.statusbar')?.textContent ?? ''), {}, line);
  }
}

async function hoverText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.monaco-hover')]
    .filter((h) => h.offsetParent !== null || h.getClientRects().length)
    .map((h) => h.textContent.replace(/\u00a0/g, ' ')).join('\n'));
}

/** The references peek view listing `n` locations ("Locations (23)" in its title). */
async function waitForPeek(page, n) {
  await page.waitForFunction((n) => [...document.querySelectorAll('.peekview-widget')]
    .some((w) => new RegExp(`Locations \\(${n}\\)|\\b${n} references\\b`).test(w.textContent.replace(/\u00a0/g, ' '))), {}, n);
}

/** Run a command from the command palette by its title. */
async function runCommand(page, title) {
  await key(page, 'Control+Shift+KeyP');
  await page.waitForSelector('.quick-input-widget input', { visible: true });
  await page.keyboard.type(title);
  await page.waitForFunction((t) => [...document.querySelectorAll('.quick-input-list .monaco-list-row')]
    .some((r) => r.textContent.replace(/\u00a0/g, ' ').includes(t)), {}, title);
  await page.keyboard.press('Enter');
}

/** `promise`, failing with what was awaited in its message. */
function expect(what, promise) {
  return promise.catch((e) => { throw new Error(`${what}: ${e && e.message}`); });
}

/** The frame of the Entity Graph webview, once its graph is drawn. */
async function graphFrame(page) {
  const deadline = Date.now() + T;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const ready = await f.evaluate(() => document.body && document.body.dataset.ready === 'true'
        && Number(document.body.dataset.nodes) > 0 && typeof window.dossierGraph === 'object').catch(() => false);
      if (ready) return f;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the Entity Graph webview did not draw a graph');
}

async function statusText(page) {
  return page.evaluate(() => (document.querySelector('.statusbar')?.textContent ?? '').replace(/\u00a0/g, ' '));
}

// --------------------------------------------------------------- main
async function main() {
  const ud = path.join(TMP, 'vscode-user');
  const ext = path.join(TMP, 'vscode-ext');
  const xdg = (d) => path.join(TMP, 'xdg', d);
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.mkdirSync(ext, { recursive: true });
  fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify({
    'dossier.server.path': DOSSIER_BIN,
    // a setting the server must receive from the extension (checked below)
    'dossier.rules': { 'truncated-ending': 'error' },
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'editor.semanticHighlighting.enabled': true,
    'editor.hover.delay': 150,
    'editor.minimap.enabled': false,
    'editor.fontSize': 15,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'update.mode': 'none',
  }, null, 2));
  fs.writeFileSync(path.join(TMP, 'code-server.yaml'), 'auth: none\ncert: false\n');
  const csEnv = { ...process.env, XDG_DATA_HOME: xdg('data'), XDG_CACHE_HOME: xdg('cache'), XDG_CONFIG_HOME: xdg('config') };
  const common = ['--user-data-dir', ud, '--extensions-dir', ext, '--config', path.join(TMP, 'code-server.yaml')];

  log('installing', VSIX);
  const out = sh(CODE_SERVER, [...common, '--install-extension', VSIX, '--force'], { env: csEnv });
  if (!/successfully installed/i.test(out)) throw new Error('install-extension: ' + out);

  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = cp.spawn(CODE_SERVER, [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', CORPUS], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: csEnv });
  const serverLog = [];
  const ready = new Promise((resolve, reject) => {
    const onData = (d) => { serverLog.push(String(d)); if (/HTTP server listening/.test(d)) resolve(); };
    server.stdout.on('data', onData); server.stderr.on('data', onData);
    server.on('exit', (c) => reject(new Error('code-server exited ' + c)));
    setTimeout(() => reject(new Error('code-server did not start')), 60000);
  });

  let browser; let page;
  const results = [];
  async function step(name, fn) {
    const s = Date.now();
    try {
      await fn();
      results.push({ name, ok: true });
      log(`ok   - ${name} (${((Date.now() - s) / 1000).toFixed(1)}s)`);
    } catch (e) {
      results.push({ name, ok: false });
      log(`FAIL - ${name}: ${e && e.message}`);
      if (page) {
        const f = path.join(ARTIFACTS, `vscode-fail-${name.replace(/\W+/g, '-')}.png`);
        await page.screenshot({ path: f }).catch(() => {});
        log('       screenshot', f, '| hover:', JSON.stringify((await hoverText(page).catch(() => '')).slice(0, 300)),
          '| status bar:', JSON.stringify((await statusText(page).catch(() => '')).slice(0, 300)));
      }
    }
  }
  const shots = {};
  async function shot(name) {
    if (!SHOTS) return;
    await new Promise((r) => setTimeout(r, 600)); // let hover fade-in animations finish
    shots[name] = await page.screenshot();
  }

  try {
    await ready;
    log('code-server listening on', port);
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,800'],
      defaultViewport: { width: 1280, height: 800 },
      env: csEnv,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(T);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(CORPUS)}`);
    await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90000 });
    log('workbench loaded');

    const cap = locate(SEED_A, 'Генсек ОДКБ Имангали Тасмагамбетов (слева)');
    await step('open the first seed', async () => {
      await quickOpen(page, SEED_A, cap.line);
      await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-line')]
        .some((l) => l.textContent.replace(/\u00a0/g, ' ').includes('Генсек ОДКБ')));
    });

    await step('extension active: Dossier in the status bar', async () => {
      await page.waitForFunction(() => /Dossier/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    });

    await step('warning squiggle on the Cyrillic caption line', async () => {
      await page.waitForFunction(() => {
        const line = [...document.querySelectorAll('.monaco-editor .view-line')]
          .find((l) => l.textContent.replace(/\u00a0/g, ' ').includes('Генсек ОДКБ')); // inlay hints may follow each Cyrillic word
        if (!line) return false;
        const y = line.getBoundingClientRect().top;
        return [...document.querySelectorAll('.monaco-editor .squiggly-warning')]
          .some((s) => Math.abs(s.getBoundingClientRect().top - y) < 4);
      });
      // the problem hover shows the transliteration
      const p = await charPoint(page, 'Генсек ОДКБ', 'Генсек', 2);
      await page.mouse.move(p.x - 5, p.y); await page.mouse.move(p.x, p.y);
      await page.waitForFunction(() => [...document.querySelectorAll('.monaco-hover')]
        .some((h) => /Tasmagambetov/.test(h.textContent)));
      await shot('vscode-diagnostic');
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 400);
    });

    const hv = locate(SEED_A, 'capital, Tasmagambetov said');
    await step('entities are coloured (semantic tokens)', async () => {
      await quickOpen(page, SEED_A, hv.line);
      await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-line')]
        .some((l) => l.textContent.replace(/\u00a0/g, ' ').includes('capital, Tasmagambetov said')));
      // semantic tokens arrive after a moment; compare the name's colour with a plain word's
      let name; let plain;
      const deadline = Date.now() + T;
      while (Date.now() < deadline) {
        name = await charPoint(page, 'capital, Tasmagambetov said', 'Tasmagambetov', 2);
        plain = await charPoint(page, 'capital, Tasmagambetov said', 'said', 1);
        if (name && plain && name.color !== plain.color) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      if (!(name && plain && name.color !== plain.color)) {
        throw new Error(`"Tasmagambetov" is not coloured (${name && name.color} vs ${plain && plain.color})`);
      }
      await page.mouse.move(5, 400);
      await shot('vscode-entities');
    });

    await step('hover card on "Tasmagambetov" shows "Imangali Tasmagambetov" and "person"', async () => {
      const p = await charPoint(page, 'capital, Tasmagambetov said', 'Tasmagambetov', 4);
      if (!p) throw new Error('line not rendered');
      await page.mouse.move(p.x - 3, p.y); await page.mouse.move(p.x, p.y);
      await page.waitForFunction(() => [...document.querySelectorAll('.monaco-hover')]
        .some((h) => /Imangali Tasmagambetov/.test(h.innerText) && /\bperson\b/.test(h.innerText)));
      await shot('vscode-hover');
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 400);
    });

    await step('the card names his roles and who he appears with; its "All references" link opens them', async () => {
      const p = await charPoint(page, 'capital, Tasmagambetov said', 'Tasmagambetov', 4);
      if (!p) throw new Error('line not rendered');
      await page.mouse.move(p.x - 3, p.y); await page.mouse.move(p.x, p.y);
      await page.waitForFunction(() => [...document.querySelectorAll('.monaco-hover')]
        .some((h) => /Roles: CSTO Secretary General · Deputy Prime Minister/.test(h.innerText)
          && /Appears with \(shared paragraphs\): CSTO/.test(h.innerText)));
      const link = await page.waitForSelector('.monaco-hover a[data-href^="command:dossier.showReferences"]', { visible: true });
      await link.click();
      await waitForPeek(page, 23);
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 400);
    });

    const nz = locate(SEED_B, 'Nazarbayev');
    const def = locate(SEED_A, 'Nursultan Nazarbayev');
    await step('F12 on "Nazarbayev" in the second seed opens the first at "Nursultan Nazarbayev"', async () => {
      // cursor into "Nazarbayev" (Quick Open ":line:column"), then F12 as a keyboard user would
      await quickOpen(page, SEED_B, nz.line, nz.col + 3);
      await page.waitForFunction((l, c) => new RegExp(`Ln ${l}, Col ${c}\\b`).test(document.querySelector('.statusbar')?.textContent ?? ''),
        {}, nz.line, nz.col + 3);
      await page.keyboard.press('F12');
      await page.waitForFunction((f) => {
        const t = document.querySelector('.tabs-container .tab.active');
        return t && (t.getAttribute('aria-label') || t.textContent).includes(f);
      }, {}, SEED_A);
      await page.waitForFunction((line, lo, hi) => {
        const m = /Ln (\d+), Col (\d+)/.exec((document.querySelector('.statusbar')?.textContent ?? ''));
        return m && Number(m[1]) === line && Number(m[2]) >= lo && Number(m[2]) <= hi;
      }, {}, def.line, def.col, def.col + 'Nursultan '.length);
    });

    await step('status bar shows the indexed document count', async () => {
      await page.waitForFunction(() => /Dossier: 2 docs/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    });

    const end = locate(SEED_A, 'But these events did not affect');
    await step('a rule level set in the VS Code settings reaches the server (truncated-ending: error)', async () => {
      await quickOpen(page, SEED_A, end.line);
      await page.waitForFunction((needle) => {
        const line = [...document.querySelectorAll('.monaco-editor .view-line')]
          .find((l) => l.textContent.replace(/\u00a0/g, ' ').includes(needle));
        if (!line) return false;
        const y = line.getBoundingClientRect().top;
        return [...document.querySelectorAll('.monaco-editor .squiggly-error')]
          .some((s) => Math.abs(s.getBoundingClientRect().top - y) < 4);
      }, {}, 'But these events did not affect');
    });
    await step('Dossier: Entity Graph draws the co-occurrence graph; a click on a node opens its references', async () => {
      // the cursor is on "Tasmagambetov": the graph opens with him selected
      await quickOpen(page, SEED_A, hv.line, hv.col + 'capital, '.length + 2);
      await key(page, 'Control+KeyB'); // room for the graph: the side bar closed
      await runCommand(page, 'Dossier: Entity Graph');
      const frame = await graphFrame(page);
      const nodes = await frame.evaluate(() => window.dossierGraph.nodes().map((n) => n.data('label')));
      for (const name of ['Imangali Tasmagambetov', 'CSTO', 'Kazakhstan', 'Nursultan Nazarbayev']) {
        if (!nodes.includes(name)) throw new Error(`no node "${name}" among ${nodes.length}`);
      }
      const selected = await frame.evaluate(() => document.body.dataset.selected);
      if (selected !== 'Imangali Tasmagambetov') throw new Error(`the entity under the cursor is not selected: ${selected}`);
      const edges = await frame.evaluate(() => window.dossierGraph.edges().length);
      if (edges < 10) throw new Error(`only ${edges} edges`);
      // the kind filter hides the places
      const before = Number(await frame.evaluate(() => document.body.dataset.nodes));
      await (await frame.$('input[data-kind="place"]')).click();
      await expect('unticking "place" hides nodes',
        frame.waitForFunction((n) => Number(document.body.dataset.nodes) < n, { polling: 100 }, before));
      await (await frame.$('input[data-kind="place"]')).click();
      await expect('ticking "place" again shows them',
        frame.waitForFunction((n) => Number(document.body.dataset.nodes) === n, { polling: 100 }, before));
      // a real click on the node, where cytoscape drew it (another entity selected before)
      await frame.evaluate(() => { window.dossierGraph.$(':selected').unselect(); document.body.dataset.selected = ''; });
      const at = await frame.evaluate(() => {
        const n = window.dossierGraph.nodes().filter((x) => x.data('label') === 'Imangali Tasmagambetov')[0];
        window.dossierGraph.center(n);
        return n.renderedPosition();
      });
      await (await frame.$('#cy')).click({ offset: { x: at.x, y: at.y } });
      await expect('the clicked node is selected',
        frame.waitForFunction(() => document.body.dataset.selected === 'Imangali Tasmagambetov', { polling: 100 }));
      await expect('the side panel shows its timeline and who it appears with',
        frame.waitForFunction(() => /Appears with/.test(document.getElementById('panel').innerText)
          && document.getElementById('timeline') !== null, { polling: 100 }));
      await expect('the references of the clicked node open', waitForPeek(page, 23));
      await shot('vscode-graph');
      await page.keyboard.press('Escape');
      // the timeline strip of an entity of the dated seed (2022-03-02): one bar, its month's mentions
      const kz = await frame.evaluateHandle(() => [...document.querySelectorAll('#panel ol a')]
        .find((a) => a.textContent === 'Kazakhstan'));
      if (!kz.asElement()) throw new Error('no "Kazakhstan" among the entities he appears with');
      await kz.asElement().click();
      await expect('the timeline of Kazakhstan shows March 2022',
        frame.waitForFunction(() => document.body.dataset.selected === 'Kazakhstan'
          && /^2022-03: \d+ mentions?$/.test([...document.querySelectorAll('#timeline rect title')].map((t) => t.textContent).join('|')),
        { polling: 100 }));
    });

  } catch (e) {
    results.push({ name: 'setup', ok: false });
    log('FAIL - setup:', e && e.message);
    log('code-server log tail:\n' + serverLog.join('').slice(-3000));
    if (page) await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-fail-setup.png') }).catch(() => {});
  } finally {
    if (browser) await browser.close().catch(() => {});
    const exited = new Promise((r) => { if (server.exitCode !== null) r(); else server.on('exit', r); });
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  const failed = results.filter((r) => !r.ok).length;
  // each screenshot is taken right after its step's assertions passed
  if (SHOTS && Object.keys(shots).length) {
    fs.mkdirSync(SHOTS, { recursive: true });
    for (const [n, buf] of Object.entries(shots)) fs.writeFileSync(path.join(SHOTS, `${n}.png`), buf);
    log('screenshots written to', SHOTS, Object.keys(shots).join(', '));
  }
  log(failed === 0 ? `ALL PASSED (${results.length} steps)` : `${failed} of ${results.length} steps failed`);
  process.exit(failed === 0 && results.length > 0 ? 0 : 1);
}

main().catch((e) => { log('FAIL - ', e && e.stack); process.exit(1); });
