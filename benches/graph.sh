#!/usr/bin/env bash
# End-to-end time of `dossier graph` on a generated corpus: read, recognise, link, build the
# co-occurrence network, and write the graph (JSON; HTML for comparison).
#
#   benches/graph.sh [N_ARTICLES] [SEED]      (defaults: 20000 1)
#
# Builds the release binary and the corpus generator, writes N articles (about 4.5 KB each) to a
# temporary folder, runs once to warm the page cache, then prints the wall time of three runs on
# all cores and where the time goes (DOSSIER_LOG=debug), and deletes the folder.
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
bin=$CARGO_TARGET_DIR/release/dossier

"$bin" graph "$dir/corpus" --format json > /dev/null # warm the page cache
for format in json json json html; do
  start=$(date +%s.%N)
  "$bin" graph "$dir/corpus" --format "$format" > "$dir/graph.$format"
  end=$(date +%s.%N)
  printf 'dossier graph --format %s, %s articles: %.2f s (%s bytes)\n' "$format" "$n" "$(echo "$end - $start" | bc -l)" \
    "$(stat -c %s "$dir/graph.$format")"
done
DOSSIER_LOG=debug "$bin" graph "$dir/corpus" --format json 2>&1 > /dev/null | sed -n 's/.*DEBUG [^ ]* /  /p'
