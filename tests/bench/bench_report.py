"""Turns bench_driver.py's results into the Markdown tables of docs/performance.md.

    python3 tests/bench/bench_report.py results.json     # re-render a saved run
"""

from __future__ import annotations

import json
import statistics
import sys


def _fmt(x, digits=0) -> str:
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def _ratio(a, b, better_high=True) -> str:
    if not a or not b:
        return "—"
    r = a / b if better_high else b / a
    return f"{r:,.0f}×" if r >= 10 else f"{r:,.1f}×"


def _median(runs, key):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def _ms(us):
    return None if us is None else us / 1000


def render(res: dict) -> str:
    out: list[str] = []
    w = out.append
    m = res.get("machine", {})
    w(f"Run: {m.get('date')} · git {m.get('git')} · {'--quick' if res.get('quick') else 'full'}")
    w("")
    w("| machine | |")
    w("|---|---|")
    w(f"| CPU | {m.get('cpu')}, {m.get('cores')} cores |")
    w(f"| memory | {m.get('mem_gib')} GiB |")
    w(f"| kernel | {m.get('kernel')} |")
    w(f"| load | start: {m.get('load_start')}; end: {m.get('load_end')} |")
    w("")

    ingest = res.get("ingest")
    moto = res.get("moto")
    codec = res.get("codec", {})
    if ingest:
        mi = moto["ingest"] if moto else None
        j, c = ingest["json"], ingest["cbor"]
        n = len(j)
        first = j[0]
        w(f"### Ingest: PutMetricData, 1000 datums a request, 10,000 series × 3 dimensions "
          f"(median of {n} run{'s' if n > 1 else ''} of {first['seconds']:.0f} s each)")
        w("")
        w("| | vigil JSON 1.0 (gzip) | vigil CBOR (gzip) | moto JSON 1.0 (plain) | target | vigil/moto |")
        w("|---|---|---|---|---|---|")
        jd, cd = _median(j, "datums_per_s"), _median(c, "datums_per_s")
        md = mi["datums_per_s"] if mi else None
        w(f"| datapoints/s acknowledged | **{_fmt(jd)}** | **{_fmt(cd)}** | {_fmt(md)} | ≥ 500,000 "
          f"| JSON {_ratio(jd, md)}, CBOR {_ratio(cd, md)} |")
        w(f"| requests/s | {_fmt(_median(j, 'requests_per_s'), 1)} | "
          f"{_fmt(_median(c, 'requests_per_s'), 1)} | {_fmt(mi and mi['requests_per_s'], 1)} | | |")
        w(f"| latency p50 / p99 (ms) | {_fmt(_median(j, 'p50_ms'), 1)} / {_fmt(_median(j, 'p99_ms'), 1)} | "
          f"{_fmt(_median(c, 'p50_ms'), 1)} / {_fmt(_median(c, 'p99_ms'), 1)} | "
          f"{_fmt(mi and mi['p50_ms'], 1)} / {_fmt(mi and mi['p99_ms'], 1)} | | |")
        w(f"| errors (non-200, transport) | {sum(r['errors'] for r in j)} | "
          f"{sum(r['errors'] for r in c)} | {_fmt(mi and mi['errors'])} | 0 | |")
        w(f"| bytes a request as sent | {_fmt(first['bytes_per_request'])} | "
          f"{_fmt(c[0]['bytes_per_request'])} | {_fmt(mi and mi['bytes_per_request'])} | | |")
        spm = lambda runs: _median([{"x": r["server_cpu_s"] / max(1, r["datums_acked"]) * 1e6}
                                    for r in runs], "x")
        w(f"| server CPU s per 1M datapoints | {_fmt(spm(j), 2)} | {_fmt(spm(c), 2)} | | | |")
        w(f"| server RSS at the end (MiB) | {_fmt(_median(j, 'rss_kib') / 1024)} | "
          f"{_fmt(_median(c, 'rss_kib') / 1024)} | | | |")
        w(f"| load generator CPU s (whole run) | {_fmt(_median(j, 'client_cpu_s'), 1)} | "
          f"{_fmt(_median(c, 'client_cpu_s'), 1)} | {_fmt(mi and mi['client_cpu_s'], 1)} | | |")
        w(f"| runs (datapoints/s) | {', '.join(_fmt(r['datums_per_s']) for r in j)} | "
          f"{', '.join(_fmt(r['datums_per_s']) for r in c)} | | | |")
        w(f"| load average after each run | {'; '.join(r['load'].split(' ', 2)[2] for r in j)} | "
          f"{'; '.join(r['load'].split(' ', 2)[2] for r in c)} | | | |")
        w("")
    if codec:
        w("### Codec ceiling vs end-to-end ingest (datums/s)")
        w("")
        w("| | JSON 1.0 | CBOR |")
        w("|---|---|---|")
        cj = codec.get("BM_DecodePutMetricDataJson")
        cc = codec.get("BM_DecodePutMetricDataCbor")
        w(f"| codec_bench: Parse + DecodeInput + constraints, 1000-datum body, one core | "
          f"{_fmt(cj)} | {_fmt(cc)} |")
        if "BM_ReadJson" in codec:
            w(f"| json_reader_bench: body → tokens (ReadJson, simdjson) | {_fmt(codec['BM_ReadJson'])} | |")
            w(f"| json_reader_bench: body → tokens (nlohmann SAX, the old reader) | "
              f"{_fmt(codec.get('BM_ReadJsonReference'))} | |")
        if ingest:
            w(f"| end-to-end ingest (above) | {_fmt(jd)} | {_fmt(cd)} |")
            w(f"| ingest / codec (target ≥ 0.5) | {_fmt(jd / cj if cj else None, 2)} | "
              f"{_fmt(cd / cc if cc else None, 2)} |")
        w("")

    q = res.get("query")
    if q:
        w(f"### Queries: 10,000 series × {q['minutes']} minutes = {_fmt(q['points'])} points "
          f"(filled over CBOR at {_fmt(q['fill']['datums_per_s'])} points/s), one keep-alive "
          f"connection, calls one after another")
        w("")
        w("| query | calls | points an answer | client round trip p50 / p99 (ms) | "
          "server time p50 / p99 (ms) | target |")
        w("|---|---|---|---|---|---|")
        names = {"gmd_1": ("GetMetricData", "1 series × 1 day, period 60", "≤ 2 ms"),
                 "gms_1": ("GetMetricStatistics", "1 series × 1 day, period 60", ""),
                 "gmd_500_p60": ("GetMetricData", "500 queries × 1 day, period 60 (first page)",
                                 "≤ 100 ms"),
                 "gmd_500_p3600": ("GetMetricData", "500 queries × 1 day, period 3600", "≤ 100 ms")}
        for key, (op, what, target) in names.items():
            r = q.get(key)
            if not r:
                continue
            if r.get("unsupported"):
                w(f"| {op} {what} | — | — | not in this build | | {target} |")
                continue
            used = {"gmd": "GetMetricData", "gms": "GetMetricStatistics"}.get(r.get("op"), op)
            st = r.get("server_us", {}).get(used, {})
            w(f"| {used} {what} | {r['ok']} ok, {r['errors']} errors | {r['points_median']} | "
              f"{_fmt(r['p50_ms'], 2)} / {_fmt(r['p99_ms'], 2)} | "
              f"{_fmt(_ms(st.get('p50')), 2)} / {_fmt(_ms(st.get('p99')), 2)} | {target} |")
        w("")
    if moto:
        g = moto["gmd_1"]
        v = moto["vigil_same_dataset"]
        used = {"gmd": "GetMetricData", "gms": "GetMetricStatistics"}.get(g.get("op"), "?")
        vst = v.get("server_us", {}).get(used, {})
        w(f"### Peer: moto {moto['version']} (moto_server), same load generator, same run")
        w("")
        w(f"moto holds 10,000 series × {moto['fill']['points'] // 10000} minutes = "
          f"{_fmt(moto['fill']['points'])} points (filled at {_fmt(moto['fill']['datums_per_s'])} "
          f"points/s; plain JSON: moto answers gzip JSON with 500 and has no CBOR).")
        w("")
        w(f"| {used}, 1 series × 1 day, period 60 | moto | vigil, same dataset | vigil/moto |")
        w("|---|---|---|---|")
        w(f"| client round trip p50 (ms) | {_fmt(g['p50_ms'], 1)} ({g['requests']} calls) | "
          f"{_fmt(v['p50_ms'], 2)} | {_ratio(v['p50_ms'], g['p50_ms'], better_high=False)} faster |")
        w(f"| vigil server time p50 (ms) | | {_fmt(_ms(vst.get('p50')), 2)} | |")
        w(f"| points an answer | {g['points_median']} | {v['points_median']} | |")
        w(f"| errors | {g['errors']} | {v['errors']} | |")
        w("")

    storage_rows = []
    if q:
        storage_rows.append(
            f"| bytes per datapoint on disk (10,000 regular 60 s series, random 2-decimal "
            f"values, {_fmt(q['points'])} points; POST /_vigil/maintenance?compact=1: HTTP "
            f"{q['maintenance_status']}) | **{_fmt(q['disk_bytes'] / q['points'], 2)}** "
            f"({_fmt(q['disk_bytes'] / 2**20, 1)} MiB) | ≤ 1.5 |")
    di = res.get("disk_int")
    if di:
        storage_rows.append(
            f"| bytes per datapoint on disk, same series with integer values 0–99 "
            f"({_fmt(di['points'])} points) | **{_fmt(di['disk_bytes'] / di['points'], 2)}** | ≤ 1.5 |")
    rs = res.get("restart")
    if rs:
        storage_rows.append(
            f"| bytes per datapoint on disk, restart dataset ({_fmt(rs['points'])} points) | "
            f"{_fmt(rs['disk_bytes'] / rs['points'], 2)} | ≤ 1.5 |")
    rss = res.get("rss")
    if rss:
        for series, r in sorted(rss.items(), key=lambda kv: int(kv[0])):
            storage_rows.append(
                f"| RSS growth per active series, {_fmt(int(series))} series × 1 point "
                f"(VmRSS {_fmt(r['base_kib'] / 1024, 1)} → {_fmt(r['after_kib'] / 1024, 1)} MiB) | "
                f"{_fmt(r['bytes_per_series'])} bytes | |")
    if rs:
        scale = 100_000_000 / rs["points"]
        clean = min(rs["after_sigterm_s"])
        label = "" if scale <= 1.01 else \
            f" — **extrapolated** ×{scale:,.0f} to 100 M: {clean * scale:,.1f} s (linear; a guess)"
        storage_rows.append(
            f"| restart with {_fmt(rs['points'])} points stored: exec → /_vigil/health 200 after "
            f"SIGTERM | {clean:.2f} s{label} | |")
        storage_rows.append(
            f"| same, after kill -9 right after the fill (WAL replay) | "
            f"{rs['after_kill9_s']:.2f} s | |")
        storage_rows.append(
            f"| fill rate of that dataset (CBOR, 10,000 series) | "
            f"{_fmt(rs['fill']['datums_per_s'])} points/s | |")
    if storage_rows:
        w("### Storage and process")
        w("")
        w("| what | vigil | target |")
        w("|---|---|---|")
        out.extend(storage_rows)
        w("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(json.loads(open(sys.argv[1]).read())))
