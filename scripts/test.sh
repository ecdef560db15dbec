#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   formatting and lints, Rust unit + end-to-end tests (the real binary over stdio),
#   a release build, a bounded fuzzing run of the engine (scripts/fuzz.sh), then every
#   editor-client test (Neovim 0.7/0.11, Emacs+Eglot,
#   vscode-jsonrpc, real VS Code through code-server + Chromium).
# Locally a missing editor client is a SKIP with a reason; with CI=true it is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "no function over 100 lines outside tests (clippy::too_many_lines, clippy.toml)"
cargo clippy --workspace -- -D clippy::too_many_lines

step "cargo test --workspace"
cargo test --workspace

step "cargo build --release"
cargo build --release
# the binary the editor tests and the scorer run, wherever cargo put it
DOSSIER_BIN=${DOSSIER_BIN:-$(bash scripts/target-dir.sh)/release/dossier}
export DOSSIER_BIN

step "fuzzing, bounded (scripts/fuzz.sh ${FUZZ_SECONDS:-20} per target)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"

step "editor clients"
editors/tests/run-all.sh

# Quality figures on the seeds, when the scorer is beside the project (information, not a gate).
if [ -f ../shared/tools/corpus_eval.py ]; then
  step "quality on seeds/ (corpus_eval.py)"
  python3 ../shared/tools/corpus_eval.py --server "$DOSSIER_BIN lsp" --corpus seeds \
    --gold ../shared/gold/seeds.gold.json --timeout 30 | tail -n 1 || true
fi
