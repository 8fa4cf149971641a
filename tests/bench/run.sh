#!/usr/bin/env bash
# vigil's performance run, one command (docs/performance.md):
#
#   tests/bench/run.sh            full run (~25 min): 3 × 60 s ingest per protocol, 14.4 M-point
#                                 query dataset, 100 M-point restart, moto as the peer
#   tests/bench/run.sh --quick    smoke version (~4 min): short runs, small datasets, restart
#                                 time extrapolated (and labelled so)
#
# Builds vigil, vigil_loadgen, codec_bench and json_reader_bench (Release) in its own build dir
# (BUILD_DIR, default <repo>/build-bench), then runs tests/bench/bench_driver.py, which prints
# Markdown tables. Other options are passed to the driver, e.g. --duration 30 --runs 1
# --connections 8 --restart-points 20000000 --no-moto --skip restart,rss --json-out r.json.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
jobs=${JOBS:-2}

mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DVIGIL_TESTS=ON -DVIGIL_BENCH=ON \
  >"$build/bench-cmake.log" 2>&1 || { cat "$build/bench-cmake.log" >&2; exit 1; }
echo "[bench] building in $build (log: $build/bench-build.log)" >&2
cmake --build "$build" -j"$jobs" --target vigil vigil_loadgen codec_bench json_reader_bench \
  >"$build/bench-build.log" 2>&1 || { tail -40 "$build/bench-build.log" >&2; exit 1; }

exec python3 "$root/tests/bench/bench_driver.py" --build-dir "$build" "$@"
