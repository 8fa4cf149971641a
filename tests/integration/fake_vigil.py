#!/usr/bin/env python3
"""A stand-in process honouring vigil's command-line contract, for the harness self-tests.

It is NOT a CloudWatch emulator: it only lets test_harness.py prove that VigilServer starts a
process, reads --port-file, polls /_vigil/health, stops it with SIGTERM and checks the exit code,
kill -9s and restarts it on the same --data-dir. Behaviour is chosen by FAKE_VIGIL_MODE:

  ok            serve health; exit 0 on SIGTERM/SIGINT (default)
  bad-exit      exit 3 on SIGTERM
  hang          ignore SIGTERM
  crash         exit 7 at once, after printing a line
  never-ready   never write the port file
  slow-health   answer 503 on /_vigil/health for the first 0.3 s
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODE = os.environ.get("FAKE_VIGIL_MODE", "ok")
STARTED = time.monotonic()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/_vigil/health":
            self.send_error(404)
            return
        if MODE == "slow-health" and time.monotonic() - STARTED < 0.3:
            self.send_error(503)
            return
        body = json.dumps({"status": "ok", "version": "fake", "store": "ok",
                           "uptime_seconds": time.monotonic() - STARTED}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stdout.write("fake-vigil: " + fmt % args + "\n")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", default=os.environ.get("VIGIL_LISTEN", "127.0.0.1:0"))
    parser.add_argument("--data-dir", default=os.environ.get("VIGIL_DATA_DIR", "data"))
    parser.add_argument("--port-file")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    print(f"fake-vigil: mode={MODE} args={vars(args)}", flush=True)
    if MODE == "crash":
        return 7
    data = Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    starts = data / "starts"
    starts.write_text(str(int(starts.read_text()) + 1 if starts.exists() else 1))

    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Handler)
    stop = threading.Event()

    def on_signal(signum, _frame):
        if MODE == "hang":
            return
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.port_file and MODE != "never-ready":
        tmp = Path(args.port_file + ".tmp")
        tmp.write_text(f"{server.server_address[1]}\n")
        tmp.rename(args.port_file)
    while not stop.wait(0.05):
        pass
    server.shutdown()
    return 3 if MODE == "bad-exit" else 0


if __name__ == "__main__":
    sys.exit(main())
