#!/usr/bin/env python3
"""NAB accuracy through vigil's public API (docs/anomaly-detection.md "Accuracy").

Starts the real binary with --clock manual on a fresh data directory, and for every NAB-dev
series of a subset:

  * walks the series in chunks of 48 five-minute blocks (4 hours); for each chunk it moves the
    clock (POST /_vigil/clock) to just after the chunk, PutMetricData's the chunk's points (all
    earlier ones are already stored), and asks GetMetricData for m1 (the metric at the series'
    period) and ANOMALY_DETECTION_BAND(m1, k) over the chunk;
  * writes <out>/<series>.csv with `timestamp,lower,upper` for score_nab.py.

As-of each point: the band at t comes from a model trained only on data before t (the 5-minute
block start before t), so asking once per chunk after its points are stored gives the same
values as asking at each point's own time; a chunk of 48 blocks keeps the service's block size
at 5 minutes, the retrain schedule (a longer range would train coarser blocks). Each NAB point
gets the band of the period it falls in (for 5-minute series the period starts at the point).

  anomaly_score_api.py --vigil build/src/vigil --nab ../shared/data/nab-dev \
      --subset realAWSCloudwatch --out /tmp/vigil-nab-api/realAWSCloudwatch [--k 2]

Standard library only; JSON 1.0 protocol, unsigned requests (the default account and region).
"""
import argparse
import calendar
import csv
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

NS = "NAB"
BLOCK = 300
CHUNK = 48 * BLOCK


def parse_time(s):
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%d %H:%M:%S"))


class Vigil:
    def __init__(self, binary, workdir):
        self.workdir = pathlib.Path(workdir)
        port_file = self.workdir / "port"
        self.log = open(self.workdir / "vigil.log", "w")
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--port-file", str(port_file),
             "--data-dir", str(self.workdir / "data"), "--clock", "manual",
             "--maintenance-interval", "0", "--log-level", "warn"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"vigil did not start; see {self.workdir / 'vigil.log'}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{port_file.read_text().strip()}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        self.log.close()
        if rc != 0:
            raise SystemExit(f"vigil exited with {rc}")

    def _post(self, path, body, headers):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{path} {body.get('__op', '')}: {e.code} {e.read()[:500]!r}")

    def call(self, op, body):
        return self._post("/", body, {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"GraniteServiceVersion20100801.{op}"})

    def set_clock(self, now):
        return self._post("/_vigil/clock", {"now": now}, {"Content-Type": "application/json"})


def series_period(times):
    gaps = sorted(b - a for a, b in zip(times, times[1:]))
    p = gaps[len(gaps) // 2] if gaps else 300
    # A CloudWatch period: 60 s multiples, at most a day.
    return max(60, min(86400, (p // 60) * 60))


def score_series(v, name, rows, k):
    metric = name.rsplit(".", 1)[0]
    times = [parse_time(r[0]) for r in rows]
    values = [float(r[1]) for r in rows]
    period = series_period(times)
    band = {}  # period start -> (lower, upper)
    put = 0
    start = times[0] - times[0] % BLOCK
    t0 = start
    while t0 <= times[-1]:
        t1 = t0 + CHUNK
        chunk = [(t, x) for t, x in zip(times[put:], values[put:]) if t < t1]
        v.set_clock(t1 + 1)
        for i in range(0, len(chunk), 1000):
            v.call("PutMetricData", {"Namespace": NS, "MetricData": [
                {"MetricName": metric, "Timestamp": t, "Value": x} for t, x in chunk[i:i + 1000]]})
        put += len(chunk)
        # The chunk's periods: the query starts at the chunk start (a multiple of the period when
        # the period divides 300, so periods start where the NAB points are for 5-minute series).
        token = None
        while True:
            req = {"MetricDataQueries": [
                {"Id": "m1", "MetricStat": {"Metric": {"Namespace": NS, "MetricName": metric},
                                            "Period": period, "Stat": "Average"}},
                {"Id": "band", "Expression": f"ANOMALY_DETECTION_BAND(m1, {k:g})"}],
                "StartTime": t0, "EndTime": t1, "ScanBy": "TimestampAscending"}
            if token:
                req["NextToken"] = token
            out = v.call("GetMetricData", req)
            res = [r for r in out["MetricDataResults"] if r["Id"] == "band"]
            if len(res) == 2:  # upper first, lower last
                for ts, hi, lo in zip(res[0]["Timestamps"], res[0]["Values"], res[1]["Values"]):
                    band[round(ts)] = (lo, hi)
            token = out.get("NextToken")
            if not token:
                break
        t0 = t1
    return band, times, period


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--nab", required=True)
    ap.add_argument("--subset", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--k", type=float, default=2.0)
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = sorted((pathlib.Path(args.nab) / "data" / args.subset).glob("*.csv"))
    for f in files:
        # A fresh server per series: every series is replayed from its own beginning.
        work = tempfile.mkdtemp(prefix="vigil-nab-api-")
        v = Vigil(args.vigil, work)
        try:
            with open(f) as fh:
                rows = [r for r in csv.reader(fh)][1:]
            began = time.monotonic()
            band, times, period = score_series(v, f.name, rows, args.k)
            took = time.monotonic() - began
        finally:
            v.stop()
            shutil.rmtree(work, ignore_errors=True)
        with open(out / f.name, "w") as o:
            o.write("timestamp,lower,upper\n")
            have = 0
            for r, t in zip(rows, times):
                b = band.get(t - t % period)
                if b is not None:
                    have += 1
                    o.write(f"{r[0]},{b[0]!r},{b[1]!r}\n")
                else:
                    o.write(f"{r[0]},,\n")
        print(f"{f.name:45s} {len(rows):6d} points, period {period:5d}s, {have:6d} with a band, "
              f"{took:6.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
