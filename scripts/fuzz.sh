#!/usr/bin/env bash
# Coverage-guided fuzzing of the engine with libFuzzer, on the stable toolchain:
#   decode    bytes → text (dossier_engine::decode)
#   text      line index and position conversion (dossier_engine::text)
#   entities  entity recognition (dossier_engine::entities::analyze)
#   rules     every rule (dossier_engine::rules::check_document)
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS per target (default 60), all targets by default
#
# The targets are built with LLVM's SanitizerCoverage instrumentation (the flags cargo-fuzz
# uses, without its nightly-only sanitizers), so no extra tool is installed: only a C++ compiler
# for libFuzzer itself. Each run starts from fuzz/corpus/<target> and fuzz/regressions/<target>
# and grows a working corpus under the target directory. A crash fails the script; save the
# input under fuzz/regressions/<target>/ once fixed, and `cargo test` replays it from then on
# (server/engine/tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECS=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(decode text entities rules)

# Like the editor clients in scripts/test.sh: a missing tool is a SKIP locally, a failure in CI.
if ! command -v c++ >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "fuzz: a C++ compiler is needed to build libFuzzer (apt-get install g++)" >&2
    exit 1
  fi
  echo "fuzz: SKIP (no C++ compiler to build libFuzzer; apt-get install g++)"
  exit 0
fi

HOST=$(rustc -vV | sed -n 's/^host: //p')
OUT=${CARGO_TARGET_DIR:-$ROOT/target}/fuzz
export CARGO_TARGET_DIR=$OUT
# An explicit --target keeps these flags away from build scripts and proc-macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"

echo "fuzz: building ${TARGETS[*]} for $HOST"
# Not --locked: fuzz/Cargo.lock follows the engine's dependencies as they change.
(cd fuzz && cargo build --release --target "$HOST" $(printf -- '--bin %s ' "${TARGETS[@]}"))

failed=()
for t in "${TARGETS[@]}"; do
  work=$OUT/work/$t
  artifacts=$OUT/artifacts/$t
  mkdir -p "$work" "$artifacts" "fuzz/regressions/$t"
  echo "fuzz: $t for ${SECS}s"
  if ! "$OUT/$HOST/release/$t" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$work" "fuzz/corpus/$t" "fuzz/regressions/$t" 2>"$OUT/$t.log"; then
    # the panic message and the input's summary first: the backtrace after it is long
    grep -E -A2 "panicked at" "$OUT/$t.log" | head -n 20 >&2 || true
    tail -n 12 "$OUT/$t.log" >&2
    echo "fuzz: $t FAILED; inputs in $artifacts (copy to fuzz/regressions/$t/ once fixed)" >&2
    failed+=("$t")
  else
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added)' "$OUT/$t.log" || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash in ${TARGETS[*]}"
