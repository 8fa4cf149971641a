#!/usr/bin/env bash
# Builds the protocol fuzz targets with clang (ASan + UBSan + libFuzzer) and runs each for N
# seconds. Usage: tests/fuzz/run.sh [seconds-per-target=120] [build-dir=build-fuzz]
# Seeds come from tests/fuzz/corpus/<target>/ (read only); new inputs go to
# <build-dir>/corpus/<target>/, crashes to <build-dir>/artifacts/. FUZZ_TARGETS picks other
# targets, e.g. FUZZ_TARGETS="fuzz_search fuzz_insights" (tests/fuzz/query.cmake).
set -euo pipefail
seconds=${1:-120}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build-fuzz}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DVIGIL_FUZZ=ON -DVIGIL_TESTS=ON -DVIGIL_BENCH=OFF \
  -DVIGIL_WERROR=OFF >/dev/null  # the generated model has clang-only -Wunused-const-variable
targets=${FUZZ_TARGETS:-fuzz_json fuzz_cbor fuzz_query}  # also: fuzz_search fuzz_insights
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets
mkdir -p "$build/artifacts"
status=0
for t in $targets; do
  mkdir -p "$build/corpus/$t"
  echo "== $t for ${seconds}s"
  if ! "$build/tests/$t" "$build/corpus/$t" "$root/tests/fuzz/corpus/$t" \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$build/artifacts/$t-" -print_final_stats=1 2>"$build/$t.log"; then
    status=1
    echo "   FAILED: see $build/$t.log and $build/artifacts/"
  fi
  grep -E "^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss" "$build/$t.log" | tail -3
done
exit $status
