#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/fuzz_*.cpp) for SECONDS each
# (default 60) and prints, per target, executions, coverage and crashes.
#   bash tests/fuzz/run.sh [SECONDS] [TARGET...]   e.g. run.sh 300 fuzz_media
#   bash tests/fuzz/run.sh --build-only
# Configures and builds build-fuzz (clang, SOUNDSPOT_FUZZ=ON) when needed.
# Each target runs on a copy of its committed corpus (tests/fuzz/corpus/<target>
# and the past findings in tests/fuzz/regressions/<target>), so the committed
# corpus does not grow with every run. Crash inputs go to
# the artifacts folder named in the output. Exit code 1 when a target crashed.
# Environment: SOUNDSPOT_FUZZ_BUILD (build folder), SOUNDSPOT_FUZZ_OUT (where
# the run's corpora, logs and artifacts go; default out/fuzz/<date-time>),
# FUZZ_JOBS (ninja -j, default 2), CCACHE_DIR.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${SOUNDSPOT_FUZZ_BUILD:-$ROOT/build-fuzz}
FUZZ_DIR=$ROOT/tests/fuzz

build_only=0
if [[ ${1:-} == --build-only ]]; then build_only=1; shift; fi
SECONDS_EACH=${1:-60}
shift || true
if ! [[ $SECONDS_EACH =~ ^[0-9]+$ ]]; then echo "usage: run.sh [SECONDS] [TARGET...]" >&2; exit 2; fi

# ---- build ----
export CCACHE_DIR=${CCACHE_DIR:-$ROOT/.ccache-fuzz}
if [[ ! -f $BUILD/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSOUNDSPOT_FUZZ=ON -DSOUNDSPOT_WITH_QT=OFF -DSOUNDSPOT_BUILD_TESTS=OFF >/dev/null
fi
ninja -C "$BUILD" -j "${FUZZ_JOBS:-2}" fuzz_all fuzz_make_seeds >/dev/null
[[ $build_only == 1 ]] && exit 0

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for src in "$FUZZ_DIR"/fuzz_*.cpp; do
    t=$(basename "$src" .cpp)
    [[ -x $BUILD/tests/fuzz/$t ]] && targets+=("$t")
  done
fi

OUT=${SOUNDSPOT_FUZZ_OUT:-$ROOT/out/fuzz/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
# The targets' scratch files (inputs written for path-only parsers) go to a
# folder removed afterwards, also when a target crashed before cleaning up.
SCRATCH=$(mktemp -d "$( [[ -d /dev/shm && -w /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}" )/soundspot-fuzz-run.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
echo "fuzzing ${#targets[@]} target(s) for ${SECONDS_EACH} s each; logs, corpora and artifacts: $OUT"

rows=()
crashed=0
for t in "${targets[@]}"; do
  bin=$BUILD/tests/fuzz/$t
  [[ -x $bin ]] || { echo "$t: not built ($bin)" >&2; exit 2; }
  corpus=$OUT/corpus/$t
  artifacts=$OUT/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  # The committed seeds plus the inputs of past findings (tests/fuzz/regressions).
  for d in "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/regressions/$t"; do
    [[ -d $d ]] && cp -r "$d/." "$corpus/"
  done
  args=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10
        -artifact_prefix="$artifacts/")
  [[ -f $FUZZ_DIR/dict/$t.dict ]] && args+=(-dict="$FUZZ_DIR/dict/$t.dict")
  log=$OUT/$t.log
  echo "== $t"
  start=$(date +%s)
  set +e
  TMPDIR=$SCRATCH "$bin" "${args[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # The last status line ("#N DONE cov: C ft: F corp: ...", or the last one before a crash).
  status=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  [[ -z $execs ]] && execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$status")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$status")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$status")
  found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if [[ $found -gt 0 || $rc -ne 0 ]]; then
    crashed=1
    [[ $found -eq 0 ]] && found="rc=$rc"
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|uncaught exception|terminate called' "$log" | sed "s/^/   $t: /" || true
  fi
  rows+=("$(printf '%-20s %6s %12s %7s %8s %6s %8s' "$t" "$took" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found")")
done

echo
printf '%-20s %6s %12s %7s %8s %6s %8s\n' target seconds executions cov ft corpus crashes
for r in "${rows[@]}"; do echo "$r"; done
echo "artifacts (crash/leak/timeout/oom inputs): $OUT/artifacts"
exit $crashed
