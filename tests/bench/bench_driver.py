#!/usr/bin/env python3
"""Runs vigil's performance measurements and prints the tables of docs/performance.md.

Started by tests/bench/run.sh after it has built vigil, vigil_loadgen, codec_bench and
json_reader_bench (Release). Standard library only. Every server is started here on
127.0.0.1 with a fresh temporary data dir and stopped (SIGTERM, exit code checked) afterwards;
moto_server is started the same way when it is installed. What each step measures and why is in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def log(msg: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def http(method: str, url: str, timeout: float = 5.0) -> int:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def du_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except FileNotFoundError:
                pass
    return total


class Server:
    """vigil on a free port with its own data dir (kept across restart())."""

    def __init__(self, binary: Path, workdir: Path, log_level: str = "info", extra=()):
        self.binary, self.workdir = binary, workdir
        self.data = workdir / "data"
        self.log_path = workdir / "vigil.log"
        self.log_level, self.extra = log_level, list(extra)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Starts and returns the seconds from exec to the first 200 of /_vigil/health."""
        t0 = time.monotonic()
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                [str(self.binary), "--listen", f"127.0.0.1:{self.port}", "--data-dir",
                 str(self.data), "--log-level", self.log_level, *self.extra],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = t0 + 600
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vigil exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if http("GET", self.url + "/_vigil/health", timeout=1) == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.002)
        raise RuntimeError("vigil did not become healthy in 600 s")

    def stop(self) -> float:
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=300)
        if rc != 0:
            raise RuntimeError(f"vigil exited with {rc} after SIGTERM; see {self.log_path}")
        self.proc = None
        return time.monotonic() - t0

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def ensure_stopped(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Bench:
    def __init__(self, args):
        self.a = args
        self.build = Path(args.build_dir)
        self.vigil = self.build / "vigil"
        self.loadgen = self.build / "tests" / "vigil_loadgen"
        self.tmp = Path(tempfile.mkdtemp(prefix="vigil-bench-", dir=args.tmp_dir))
        self.results: dict = {"quick": args.quick}
        self.servers: list[Server] = []
        self.moto: subprocess.Popen | None = None

    # -- helpers ----------------------------------------------------------------------------

    def server(self, name: str, **kw) -> Server:
        d = self.tmp / name
        d.mkdir(parents=True, exist_ok=True)
        s = Server(self.vigil, d, **kw)
        self.servers.append(s)
        return s

    def loadgen_run(self, mode: str, port: int, *args) -> dict:
        cmd = [str(self.loadgen), mode, "--port", str(port), *map(str, args)]
        log(" ".join(cmd[1:]))
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sys.stderr.write("".join("    " + line + "\n" for line in p.stderr.splitlines()))
        m = [line for line in p.stdout.splitlines() if line.startswith("RESULT ")]
        if not m:
            raise RuntimeError(f"vigil_loadgen {mode} printed no RESULT (exit {p.returncode})")
        r = json.loads(m[-1][len("RESULT "):])
        r["exit"] = p.returncode
        return r

    def cleanup(self) -> None:
        for s in self.servers:
            s.ensure_stopped()
        if self.moto is not None and self.moto.poll() is None:
            self.moto.terminate()
            try:
                self.moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.moto.kill()
        if not self.a.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- steps ------------------------------------------------------------------------------

    def machine(self) -> None:
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
        mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        rev = subprocess.run(["git", "-C", str(Path(__file__).resolve().parents[2]), "rev-parse",
                              "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(Path(__file__).resolve().parents[2]), "status",
                                "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        self.results["machine"] = {
            "cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(int(mem) / 1024 / 1024, 1),
            "kernel": platform.release(), "date": datetime.datetime.now().isoformat(" ", "seconds"),
            "git": rev + (" + uncommitted changes" if dirty else ""), "load_start": load()}

    def codec(self) -> None:
        reps = 3 if self.a.quick else 5
        out = {}
        for exe, flt in (("codec_bench", "BM_Decode.*(Json|Cbor)$"),
                         ("json_reader_bench", "BM_(ReadJson$|ReadJsonReference|SimdjsonParseOnly)")):
            p = subprocess.run([str(self.build / "tests" / exe), f"--benchmark_filter={flt}",
                                f"--benchmark_repetitions={reps}", "--benchmark_format=json",
                                "--benchmark_report_aggregates_only=true"],
                               capture_output=True, text=True, check=True)
            for b in json.loads(p.stdout)["benchmarks"]:
                if b.get("aggregate_name") == "median":
                    out[b["run_name"]] = b["items_per_second"]
        log(f"codec medians (datums/s): {out}  [{load()}]")
        self.results["codec"] = out

    def ingest(self) -> None:
        runs = {}
        for proto in ("json", "cbor"):
            runs[proto] = []
            for i in range(self.a.runs):
                s = self.server(f"ingest-{proto}-{i}")
                s.start()
                cpu0 = proc_cpu_seconds(s.proc.pid)
                r = self.loadgen_run("put", s.port, "--protocol", proto, "--connections",
                                     self.a.connections, "--duration", self.a.duration,
                                     "--warmup", self.a.warmup)
                r["server_cpu_s"] = proc_cpu_seconds(s.proc.pid) - cpu0
                r["rss_kib"] = proc_rss_kib(s.proc.pid)
                r["load"] = load()
                s.stop()
                shutil.rmtree(s.data, ignore_errors=True)
                runs[proto].append(r)
        self.results["ingest"] = runs

    def query_dataset(self) -> None:
        """Fills 10,000 series x N minutes, then times queries, size on disk and restarts."""
        minutes = self.a.query_minutes
        s = self.server("query", log_level="debug")
        s.start()
        start = int(time.time()) // 60 * 60 - minutes * 60 - 60
        fill = self.loadgen_run("fill", s.port, "--protocol", "cbor", "--series", 10000,
                                "--minutes", minutes, "--start", start, "--connections",
                                self.a.connections)
        res = {"fill": fill, "points": fill["points"], "minutes": minutes}
        n = self.a.query_calls
        qs = {
            "gmd_1": ("--op", "auto", "--queries", 1, "--requests", n),
            "gms_1": ("--op", "gms", "--queries", 1, "--requests", n),
            "gmd_500_p60": ("--op", "gmd", "--queries", 500, "--requests", max(3, n // 20),
                            "--distinct", 5),
            "gmd_500_p3600": ("--op", "gmd", "--queries", 500, "--period", 3600, "--requests",
                              max(3, n // 20), "--distinct", 5),
        }
        for name, args in qs.items():
            mark = s.log_path.stat().st_size
            r = self.loadgen_run("query", s.port, "--start", start, "--range", 86400, *args)
            r["server_us"] = self.server_times(s.log_path, mark)
            r["load"] = load()
            res[name] = r
        res["maintenance_status"] = http("POST", s.url + "/_vigil/maintenance?compact=1", timeout=600)
        res["rss_kib"] = proc_rss_kib(s.proc.pid)
        res["stop_s"] = s.stop()
        res["disk_bytes"] = du_bytes(s.data)
        res["restart_s"] = s.start()
        s.stop()
        shutil.rmtree(s.data, ignore_errors=True)
        self.results["query"] = res

    @staticmethod
    def server_times(log_path: Path, offset: int) -> dict:
        """The server's own per-request µs (frontend debug line) for API calls after offset."""
        with open(log_path, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
        times = {}
        for m in re.finditer(r" (GetMetricData|GetMetricStatistics) -> (\d+) \(\d+ bytes in, (\d+) µs\)",
                             text):
            times.setdefault(m.group(1), []).append(int(m.group(3)))
        out = {}
        for op, v in times.items():
            v.sort()
            out[op] = {"n": len(v), "p50": v[len(v) // 2], "p99": v[min(len(v) - 1, int(len(v) * 0.99))]}
        return out

    def disk(self) -> None:
        """Bytes per datapoint for integer-valued series (counts): Gorilla's friendly case, next
        to the random 2-decimal values of the query dataset (its worst realistic case)."""
        minutes = self.a.query_minutes
        s = self.server("disk")
        s.start()
        start = int(time.time()) // 60 * 60 - minutes * 60 - 60
        fill = self.loadgen_run("fill", s.port, "--protocol", "cbor", "--series", 10000,
                                "--minutes", minutes, "--start", start, "--values", "int",
                                "--connections", self.a.connections)
        res = {"points": fill["points"], "values": "int"}
        res["maintenance_status"] = http("POST", s.url + "/_vigil/maintenance?compact=1", timeout=600)
        s.stop()
        res["disk_bytes"] = du_bytes(s.data)
        shutil.rmtree(s.data, ignore_errors=True)
        self.results["disk_int"] = res

    def rss(self) -> None:
        out = {}
        for series in (10000, 100000):
            s = self.server(f"rss-{series}")
            s.start()
            # One small request first, so the baseline includes the code paths' first use.
            self.loadgen_run("fill", s.port, "--protocol", "cbor", "--series", 10, "--minutes",
                             1, "--datums", 10, "--namespace", "Bench/Warm")
            base = proc_rss_kib(s.proc.pid)
            fill = self.loadgen_run("fill", s.port, "--protocol", "cbor", "--series", series,
                                    "--minutes", 1, "--connections", self.a.connections)
            after = proc_rss_kib(s.proc.pid)
            s.stop()
            shutil.rmtree(s.data, ignore_errors=True)
            out[series] = {"base_kib": base, "after_kib": after, "points": fill["points"],
                           "bytes_per_series": (after - base) * 1024 / series}
        self.results["rss"] = out

    def restart(self) -> None:
        points = self.a.restart_points
        minutes = max(1, points // 10000)
        s = self.server("restart")
        s.start()
        start = int(time.time()) // 60 * 60 - minutes * 60 - 60
        fill = self.loadgen_run("fill", s.port, "--protocol", "cbor", "--series", 10000,
                                "--minutes", minutes, "--start", start, "--connections",
                                self.a.connections)
        res = {"points": fill["points"], "fill": fill}
        s.kill9()
        res["after_kill9_s"] = s.start()  # recovery: WAL replay
        res["maintenance_status"] = http("POST", s.url + "/_vigil/maintenance?compact=1", timeout=3600)
        res["stop_s"] = s.stop()
        res["disk_bytes"] = du_bytes(s.data)
        res["after_sigterm_s"] = [s.start()]
        s.stop()
        res["after_sigterm_s"].append(s.start())
        s.stop()
        shutil.rmtree(s.data, ignore_errors=True)
        self.results["restart"] = res

    def moto_peer(self) -> None:
        exe = shutil.which(self.a.moto_server)
        if not exe or self.a.no_moto:
            log("moto_server not run")
            self.results["moto"] = None
            return
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(self.tmp / "moto.log", "ab") as out:
            self.moto = subprocess.Popen([exe, "-p", str(port)], stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if http("POST", url + "/moto-api/reset") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.moto.poll() is not None:
                raise RuntimeError("moto_server did not start")
            time.sleep(0.05)
        # moto_server is a console script: its first line names the Python that has moto.
        python = Path(exe).read_text(errors="replace").splitlines()[0].lstrip("#!").strip()
        if not python.startswith("/") or "env" in python or "bash" in python:
            python = shutil.which("python3") or "python3"
        version = subprocess.run([python, "-c", "import moto; print(moto.__version__)"],
                                 capture_output=True, text=True).stdout.strip()
        res = {"version": version or "unknown"}
        # moto answers gzip JSON with 500 and speaks no CBOR: plain JSON, same headers otherwise.
        res["ingest"] = self.loadgen_run("put", port, "--protocol", "json", "--gzip", "never",
                                         "--connections", self.a.connections, "--duration",
                                         self.a.moto_duration)
        http("POST", url + "/moto-api/reset")
        minutes = self.a.moto_minutes
        start = int(time.time()) // 60 * 60 - minutes * 60 - 60
        res["fill"] = self.loadgen_run("fill", port, "--protocol", "json", "--series", 10000,
                                       "--minutes", minutes, "--start", start, "--connections",
                                       self.a.connections)
        # --op gmd: moto has GetMetricData, and a probe call would cost another minute.
        res["gmd_1"] = self.loadgen_run("query", port, "--op", "gmd", "--start", start, "--range",
                                        86400, "--requests", self.a.moto_query_calls, "--distinct",
                                        self.a.moto_query_calls)
        self.moto.terminate()
        self.moto.wait(timeout=30)
        self.moto = None
        # vigil on moto's dataset, for the like-for-like query ratio.
        s = self.server("vigil-moto-dataset", log_level="debug")
        s.start()
        self.loadgen_run("fill", s.port, "--protocol", "json", "--gzip", "never", "--series",
                         10000, "--minutes", minutes, "--start", start, "--connections",
                         self.a.connections)
        mark = s.log_path.stat().st_size
        r = self.loadgen_run("query", s.port, "--op", "auto", "--start", start, "--range", 86400,
                             "--requests", self.a.query_calls)
        r["server_us"] = self.server_times(s.log_path, mark)
        res["vigil_same_dataset"] = r
        s.stop()
        shutil.rmtree(s.data, ignore_errors=True)
        self.results["moto"] = res

    def run(self) -> dict:
        try:
            self.machine()
            steps = [("codec", self.codec), ("ingest", self.ingest), ("query", self.query_dataset),
                     ("disk", self.disk), ("rss", self.rss), ("restart", self.restart),
                     ("moto", self.moto_peer)]
            for name, step in steps:
                if name in self.a.skip:
                    continue
                log(f"== {name}  [{load()}]")
                step()
            self.results["machine"]["load_end"] = load()
            return self.results
        finally:
            self.cleanup()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--build-dir", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--duration", type=float)
    p.add_argument("--warmup", type=float)
    p.add_argument("--runs", type=int)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--query-minutes", type=int)
    p.add_argument("--query-calls", type=int)
    p.add_argument("--restart-points", type=int)
    p.add_argument("--moto-duration", type=float)
    p.add_argument("--moto-minutes", type=int, default=20)
    p.add_argument("--moto-query-calls", type=int)
    p.add_argument("--moto-server", default="moto_server")
    p.add_argument("--no-moto", action="store_true")
    p.add_argument("--skip", default="", help="comma-separated steps to skip: "
                   "codec,ingest,query,disk,rss,restart,moto")
    p.add_argument("--json-out")
    p.add_argument("--tmp-dir", default=None)
    p.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    a = p.parse_args()
    q = a.quick
    defaults = dict(duration=10 if q else 60, warmup=2 if q else 5, runs=1 if q else 3,
                    query_minutes=120 if q else 1440, query_calls=50 if q else 300,
                    restart_points=2_000_000 if q else 100_000_000,
                    moto_duration=5 if q else 30, moto_query_calls=1 if q else 2)
    for k, v in defaults.items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    a.skip = {x for x in a.skip.split(",") if x}
    results = Bench(a).run()
    text = json.dumps(results, indent=1)
    if a.json_out:
        Path(a.json_out).write_text(text)
    import bench_report  # noqa: E402  (beside this file)
    print(bench_report.render(results))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
