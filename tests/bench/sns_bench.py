#!/usr/bin/env python3
"""SNS Publish -> HTTP delivery, vigil against moto_server in the same run (docs/performance.md).

    python3 tests/bench/sns_bench.py [--vigil build/vigil] [--messages 3000] [--threads 4]

For each server: create a topic, subscribe one http endpoint (a threaded Python receiver on
127.0.0.1 answering 200), confirm it, then send `--messages` Publish calls (Query protocol,
form body, keep-alive connections, `--threads` senders) and wait until the receiver has every
message. Reports Publish calls/s (acknowledged), delivered messages/s (first Publish to last
delivery) and the Publish latency p50/p99 as the client sees it. vigil's Publish is durable (the
outbox record is written before the answer) and delivery is asynchronous; moto posts to the
subscriber inside the Publish call and keeps nothing on disk.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


class Receiver:
    def __init__(self):
        self.bodies = []
        self.lock = threading.Lock()
        self.event = threading.Event()
        self.want = 0
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                kind = self.headers.get("x-amz-sns-message-type", "")
                if not kind:  # moto_server sends no x-amz-sns-* headers: read the envelope
                    try:
                        kind = json.loads(body).get("Type", "")
                    except ValueError:
                        kind = ""
                with outer.lock:
                    outer.bodies.append((kind, body, time.monotonic()))
                    n = sum(1 for k, _, _ in outer.bodies if k == "Notification")
                    if outer.want and n >= outer.want:
                        outer.event.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


def query(conn, params):
    body = urllib.parse.urlencode({**params, "Version": "2010-03-31"})
    # Unsigned, but with a credential scope naming sns: moto_server routes on it.
    auth = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/sns/aws4_request, "
            "SignedHeaders=host, Signature=0")
    conn.request("POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded",
                                     "Authorization": auth})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{params['Action']}: {resp.status} {data[:300]!r}")
    return data.decode()


def between(text, a, b):
    i = text.index(a) + len(a)
    return text[i:text.index(b, i)]


def run(port, messages, threads):
    rx = Receiver()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    topic = between(query(conn, {"Action": "CreateTopic", "Name": "bench"}), "<TopicArn>", "</TopicArn>")
    query(conn, {"Action": "Subscribe", "TopicArn": topic, "Protocol": "http", "Endpoint": rx.url})
    # Confirm when the server asked for it (vigil without --sns-auto-confirm; moto does not).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with rx.lock:
            conf = [b for k, b, _ in rx.bodies if k == "SubscriptionConfirmation"]
        if conf:
            token = json.loads(conf[0])["Token"]
            query(conn, {"Action": "ConfirmSubscription", "TopicArn": topic, "Token": token})
            break
        time.sleep(0.05)
    with rx.lock:
        rx.bodies.clear()
    rx.want = messages
    latencies = []
    lat_lock = threading.Lock()

    def sender(n):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for i in range(n):
            t = time.perf_counter()
            query(c, {"Action": "Publish", "TopicArn": topic, "Message": f"message {i} " + "x" * 200})
            mine.append(time.perf_counter() - t)
        with lat_lock:
            latencies.extend(mine)

    per = [messages // threads + (1 if i < messages % threads else 0) for i in range(threads)]
    start = time.monotonic()
    ts = [threading.Thread(target=sender, args=(n,)) for n in per]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    acked = time.monotonic()
    ok = rx.event.wait(120)
    done = time.monotonic()
    with rx.lock:
        delivered = sum(1 for k, _, _ in rx.bodies if k == "Notification")
    rx.httpd.shutdown()
    latencies.sort()
    return {
        "publish_per_s": messages / (acked - start),
        "delivered_per_s": delivered / (done - start) if ok else float("nan"),
        "delivered": delivered,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build", "vigil"))
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--no-moto", action="store_true")
    a = ap.parse_args()
    results = {}
    work = tempfile.mkdtemp(prefix="vigil-sns-bench-")
    try:
        port = free_port()
        log = open(os.path.join(work, "vigil.log"), "wb")
        proc = subprocess.Popen([a.vigil, "--listen", f"127.0.0.1:{port}", "--data-dir",
                                 os.path.join(work, "data"), "--log-level", "warn"],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_port(port, proc, "vigil")
            results["vigil"] = run(port, a.messages, a.threads)
        finally:
            proc.terminate()
            proc.wait(30)
        moto = shutil.which("moto_server")
        if moto and not a.no_moto:
            port = free_port()
            mlog = open(os.path.join(work, "moto.log"), "wb")
            proc = subprocess.Popen([moto, "-p", str(port)], stdout=mlog, stderr=subprocess.STDOUT)
            try:
                wait_port(port, proc, "moto_server")
                results["moto"] = run(port, a.messages, a.threads)
            finally:
                proc.terminate()
                proc.wait(30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"| server | Publish/s | delivered/s | Publish p50 ms | p99 ms | delivered |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['publish_per_s']:.0f} | {r['delivered_per_s']:.0f} | "
              f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['delivered']}/{a.messages} |")
    if "moto" in results:
        v, m = results["vigil"], results["moto"]
        print(f"\nratios vigil/moto: Publish/s {v['publish_per_s'] / m['publish_per_s']:.1f}x, "
              f"delivered/s {v['delivered_per_s'] / m['delivered_per_s']:.1f}x")


if __name__ == "__main__":
    main()
