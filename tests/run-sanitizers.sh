#!/usr/bin/env bash
# The core test suites under AddressSanitizer + UndefinedBehaviorSanitizer,
# then every libFuzzer target for a short time on its committed corpus.
# One clang build folder serves both (SOUNDSPOT_FUZZ=ON instruments every
# library in it): build-asan, beside the ordinary build/.
#   bash tests/run-sanitizers.sh [FUZZ_SECONDS]   (default 30 per target)
# CI runs it after tests/run-all.sh (.ci/run); it prints the minutes it added.
# Exit code non-zero when a suite fails or a fuzz target finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FUZZ_SECONDS=${1:-30}
BUILD=${SOUNDSPOT_ASAN_BUILD:-$ROOT/build-asan}
t0=$(date +%s)
bash packaging/install-deps.sh --sanitizers
export CCACHE_DIR=${CCACHE_DIR:-$ROOT/.ccache} CCACHE_BASEDIR=$ROOT

# -O1 with line tables: readable sanitizer reports at half the compile time of -g.
if [[ ! -f $BUILD/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" -DSOUNDSPOT_FUZZ=ON >/dev/null
fi
mapfile -t suites < <(ninja -C "$BUILD" -t targets all | sed -nE 's/^(test_core_[a-z_]+): .*/\1/p' | grep -v _autogen | sort -u)
[[ ${#suites[@]} -gt 0 ]] || { echo "run-sanitizers: no core test suites in $BUILD" >&2; exit 2; }
echo "run-sanitizers: building ${suites[*]} and the fuzz targets (clang, ASan + UBSan) in $BUILD"
ninja -C "$BUILD" -j "$(nproc)" fuzz_all fuzz_make_seeds "${suites[@]}"
t1=$(date +%s)

# Leaks count: a suite that leaks fails. Reports name the leak's allocation;
# the suppressions cover allocations third-party libraries keep until exit.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitize/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export QT_QPA_PLATFORM=offscreen
status=0
(cd "$BUILD" && ctest -L '^core/' --output-on-failure -j "$(nproc)") || status=1
t2=$(date +%s)

# The fuzz targets use libFuzzer's own leak check, with the same suppressions.
SOUNDSPOT_FUZZ_BUILD=$BUILD bash tests/fuzz/run.sh "$FUZZ_SECONDS" || status=1
t3=$(date +%s)

echo
echo "run-sanitizers: set-up and build $(( (t1 - t0) / 60 )) min $(( (t1 - t0) % 60 )) s," \
     "core suites under ASan + UBSan $(( (t2 - t1) / 60 )) min $(( (t2 - t1) % 60 )) s," \
     "fuzzing $(( (t3 - t2) / 60 )) min $(( (t3 - t2) % 60 )) s; total $(( (t3 - t0) / 60 )) min"
exit $status
