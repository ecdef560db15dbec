#!/usr/bin/env bash
# Prints the workspace's cargo target directory, as cargo itself resolves it (CARGO_TARGET_DIR,
# build.target-dir in a .cargo/config.toml, else <repo>/target). Scripts find the binaries
# through it:  BIN="$(bash scripts/target-dir.sh)/release/dossier"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v cargo > /dev/null 2>&1 \
  && dir=$(cargo metadata --format-version 1 --no-deps 2> /dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])' 2> /dev/null) \
  && [ -n "$dir" ]; then
  echo "$dir"
  exit 0
fi
# no cargo here (a machine that only runs the editor tests): the variable, else the default
case "${CARGO_TARGET_DIR:-}" in
  "") echo "$PWD/target" ;;
  /*) echo "$CARGO_TARGET_DIR" ;;
  *) echo "$PWD/$CARGO_TARGET_DIR" ;;
esac
