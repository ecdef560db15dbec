// Ships the server inside the extension: copies $DOSSIER_BIN or
// ../../target/release/dossier to server/dossier when present.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const exe = process.platform === 'win32' ? 'dossier.exe' : 'dossier';
const src = process.env.DOSSIER_BIN || path.join(__dirname, '..', '..', '..', 'target', 'release', exe);
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
  const stripped = process.platform !== 'win32' &&
    require('node:child_process').spawnSync('strip', ['--strip-debug', dst]).status === 0;
  const mb = (fs.statSync(dst).size / 1e6).toFixed(1);
  console.log(`bundled ${src} -> server/${exe} (${mb} MB${stripped ? ', debug info stripped' : ''})`);
}
