#!/usr/bin/env bash
# Where vigil's ingest time goes (docs/performance.md, "Profile"): starts vigil, drives it with
# vigil_loadgen put, records the server with `perf record -e cpu-clock --call-graph dwarf` (this
# VM has no hardware counters) and prints the inclusive share of each phase of a request.
#
#   tests/bench/profile.sh [--protocol json|cbor] [--seconds N] [--build-dir DIR]
#
# Needs the binaries of tests/bench/run.sh (BUILD_DIR, default <repo>/build-bench) and perf
# (linux-perf). The raw profile stays in $out_dir for `perf report -i ...`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
protocol=json
seconds=10
while [ $# -gt 0 ]; do
  case "$1" in
    --protocol) protocol=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    *) echo "usage: $0 [--protocol json|cbor] [--seconds N] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "perf not installed (apt-get install linux-perf)" >&2; exit 1; }
out_dir=$(mktemp -d /tmp/vigil-profile-XXXXXX)
"$build/vigil" --listen 127.0.0.1:0 --data-dir "$out_dir/data" --port-file "$out_dir/port" \
  >"$out_dir/vigil.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 500); do [ -s "$out_dir/port" ] && break; sleep 0.01; done
port=$(cat "$out_dir/port")
# Warm up (memtables, caches), then profile the middle of a steady run.
"$build/tests/vigil_loadgen" put --port "$port" --protocol "$protocol" --duration 3 >/dev/null 2>&1
"$build/tests/vigil_loadgen" put --port "$port" --protocol "$protocol" \
  --duration $((seconds + 3)) >"$out_dir/loadgen.out" 2>&1 &
lg=$!
sleep 1
perf record -q -e cpu-clock -F 499 --call-graph dwarf,32768 -p "$pid" -o "$out_dir/perf.data" \
  -- sleep "$seconds" >/dev/null 2>&1
wait $lg || true
grep RESULT "$out_dir/loadgen.out" >&2 || cat "$out_dir/loadgen.out" >&2

perf report -i "$out_dir/perf.data" --children --sort symbol --stdio 2>/dev/null |
  grep -E '^ +[0-9.]+%' >"$out_dir/children.txt"
perf report -i "$out_dir/perf.data" --no-children --sort comm --stdio 2>/dev/null |
  grep -E '^ +[0-9.]+%' >"$out_dir/threads.txt"
python3 - "$out_dir/children.txt" "$out_dir/threads.txt" <<'PY'
import re, sys
print("| server thread | share of server CPU samples |")
print("|---|---|")
for line in open(sys.argv[2]):
    m = re.match(r"\s+([\d.]+)%\s+(.*?)\s*$", line)
    if m and float(m.group(1)) >= 0.1:
        print(f"| {m.group(2)} | {float(m.group(1)):.1f}% |")
print()
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"\s+([\d.]+)%\s+([\d.]+)%\s+\[.\]\s+(.*?)\s+-\s+-\s*$", line)
    if m:
        rows.setdefault(m.group(3), (float(m.group(1)), float(m.group(2))))
def inc(pattern):
    return max((v[0] for k, v in rows.items() if re.search(pattern, k)), default=0.0)
phases = [
    ("worker pool job (inflate + handler)", r"RunOnWorkers<"),
    ("    gzip inflate (zlib)", r"vigil::net::Gunzip"),
    ("    Frontend::Handle", r"vigil::api::Frontend::Impl::Handle$"),
    ("      protocol Parse (detection, body copy)", r"^vigil::protocol::Parse$"),
    ("      DecodeInput (tokens + walk + constraints)", r"TokenCall::DecodeInput$"),
    ("        ReadJson (simdjson + tape walk)", r"vigil::protocol::internal::ReadJson$"),
    ("        ReadCbor (libcbor)", r"vigil::protocol::internal::ReadCbor$"),
    ("        DecodeTokens (shape walk)", r"vigil::protocol::internal::DecodeTokens$"),
    ("        ValidateConstraints", r"vigil::protocol::internal::ValidateConstraints$"),
    ("      PutMetricData handler", r"^vigil::api::ops::PutMetricData$"),
    ("        Convert (API validation, model -> store)", r"vigil::api::ops::.*Convert$"),
    ("        MetricStore::Write", r"MetricStore::Write$"),
    ("          rocksdb::DB::Write", r"^rocksdb::DBImpl::WriteImpl$"),
    ("            memtable insert (skiplist)", r"^rocksdb::MemTable::Add$"),
    ("            WAL append", r"rocksdb::DBImpl::WriteToWAL$"),
    ("      EncodeResult", r"^vigil::protocol::EncodeResult$"),
    ("RocksDB background (flush, compaction)", r"rocksdb::DBImpl::BGWork(Flush|Compaction)$"),
    ("malloc + free (self, anywhere)", None),
    ("__tls_get_addr (self, anywhere)", None),
]
print("| phase | inclusive share of server CPU samples |")
print("|---|---|")
for name, pat in phases:
    if pat is None:
        if name.startswith("malloc"):
            v = sum(v[1] for k, v in rows.items() if re.search(r"^(malloc|_int_malloc|_int_free|cfree.*|free|operator new|operator delete|malloc_consolidate|unlink_chunk.*)$", k))
        else:
            v = sum(v[1] for k, v in rows.items() if k.startswith("__tls_get_addr"))
    else:
        v = inc(pat)
    print(f"| {name} | {v:.1f}% |")
print()
print("vigil::storage functions, inclusive:")
for k, v in sorted(((k, v) for k, v in rows.items() if "vigil::storage::" in k),
                   key=lambda kv: -kv[1][0])[:10]:
    print(f"  {v[0]:5.1f}%  {k[:110]}")
print()
print("top self time:")
for k, v in sorted(rows.items(), key=lambda kv: -kv[1][1])[:15]:
    print(f"  {v[1]:5.1f}%  {k[:110]}")
PY
echo "raw profile: $out_dir/perf.data" >&2
