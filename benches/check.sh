#!/usr/bin/env bash
# End-to-end throughput of `dossier check` on a generated corpus.
#
#   benches/check.sh [N_ARTICLES] [SEED]      (defaults: 20000 1)
#
# Builds the release binary and the corpus generator, writes N articles (about 4.5 KB each) to a
# temporary folder, times `dossier check DIR --format json > /dev/null` on one core
# (RAYON_NUM_THREADS=1) and on all cores, prints MB/s, and deletes the folder.
set -euo pipefail

n=${1:-20000}
seed=${2:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(bash "$root/scripts/target-dir.sh")}

cd "$root"
cargo build --release --bin dossier
cargo build --release -p dossier-testgen --bin gen_corpus

dir=$(mktemp -d "${TMPDIR:-/tmp}/dossier-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$CARGO_TARGET_DIR/release/gen_corpus" "$dir/corpus" "$n" "$seed"
bytes=$(find "$dir/corpus" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')
echo "corpus: $n articles, $bytes bytes"

run() {
  local threads=$1
  local start end secs
  start=$(date +%s.%N)
  # exit status 1 means "warnings found", which a generated corpus always has
  RAYON_NUM_THREADS=$threads "$CARGO_TARGET_DIR/release/dossier" check "$dir/corpus" --format json >/dev/null || [ $? -eq 1 ]
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  printf 'dossier check, %s thread(s): %.2f s, %.1f MB/s\n' "$threads" "$secs" "$(echo "$bytes / 1000000 / $secs" | bc -l)"
}

# warm the page cache once, then measure
RAYON_NUM_THREADS=1 "$CARGO_TARGET_DIR/release/dossier" check "$dir/corpus" --format json >/dev/null || true
run 1
run "$(nproc)"
