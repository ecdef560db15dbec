// Ships the server inside the extension: copies $DOSSIER_BIN, else release/dossier of the
// workspace's cargo target directory (as `cargo metadata` reports it, so CARGO_TARGET_DIR and
// .cargo/config.toml are honoured), to server/dossier when present.
'use strict';
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const exe = process.platform === 'win32' ? 'dossier.exe' : 'dossier';
const repo = path.join(__dirname, '..', '..', '..');

function targetDir() {
  const meta = cp.spawnSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo, encoding: 'utf8' });
  if (meta.status === 0) {
    try {
      return JSON.parse(meta.stdout).target_directory;
    } catch { /* fall through */ }
  }
  return path.resolve(repo, process.env.CARGO_TARGET_DIR || 'target');
}

const src = process.env.DOSSIER_BIN || path.join(targetDir(), 'release', exe);
const dst = path.join(__dirname, '..', 'server', exe);
if (process.env.DOSSIER_NO_BUNDLED_SERVER === '1' || !fs.existsSync(src)) {
  fs.rmSync(dst, { force: true });
  console.log(`no server bundled (${fs.existsSync(src) ? 'DOSSIER_NO_BUNDLED_SERVER=1' : src + ' not found'}); ` +
    'the extension will use dossier.server.path or dossier on PATH');
} else {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
  fs.chmodSync(dst, 0o755);
  // The release build keeps line tables for profiling; the shipped copy does not need them.
  const stripped = process.platform !== 'win32' && cp.spawnSync('strip', ['--strip-debug', dst]).status === 0;
  const mb = (fs.statSync(dst).size / 1e6).toFixed(1);
  console.log(`bundled ${src} -> server/${exe} (${mb} MB${stripped ? ', debug info stripped' : ''})`);
}
