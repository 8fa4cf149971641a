#!/usr/bin/env python3
"""A front for moto_server that adds what moto lacks, to check this suite's plumbing before vigil
runs. NOT a reference implementation and not used by the tests themselves.

* rpc-v2-cbor: ``POST /service/GraniteServiceVersion20100801/operation/<Op>`` is decoded,
  re-sent to moto as awsJson1_0 (same Authorization header: moto routes on it and checks no
  signature), and the JSON answer is re-encoded as CBOR with timestamps as tag 1 + float64 (found
  through the botocore output shape), ``Content-Type: application/cbor`` and
  ``smithy-protocol: rpc-v2-cbor``.
* ``Content-Encoding: gzip`` bodies are inflated before moto sees them (moto answers 500 to gzip
  JSON).
* Everything else is passed through unchanged.

    moto_server -p 5055 &
    python3 tests/integration/moto_cbor_shim.py --port 5056 --upstream 127.0.0.1:5055 &
    VIGIL_ENDPOINT=http://127.0.0.1:5056 python3 -m unittest discover -s tests/integration
"""

import argparse
import gzip
import http.client
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import botocore.session  # noqa: E402

import cbor_mini  # noqa: E402

PREFIX = "/service/GraniteServiceVersion20100801/operation/"
MODEL = botocore.session.get_session().get_service_model("cloudwatch")
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "content-type"}


def tag_timestamps(shape, value):
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "timestamp" and isinstance(value, (int, float)):
        return cbor_mini.Tag(1, float(value))
    if kind == "structure" and isinstance(value, dict):
        return {k: tag_timestamps(shape.members.get(k), v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [tag_timestamps(shape.member, v) for v in value]
    return value


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = ("127.0.0.1", 5055)

    def do_GET(self):
        self.relay("GET")

    def do_POST(self):
        self.relay("POST")

    def relay(self, method):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        headers["Content-Type"] = self.headers.get("Content-Type", "application/octet-stream")
        encoding = [k for k in headers if k.lower() == "content-encoding"]
        if encoding and headers[encoding[0]].lower() == "gzip":
            body = gzip.decompress(body)
            del headers[encoding[0]]
        op = self.path[len(PREFIX):] if self.path.startswith(PREFIX) else None
        path = self.path
        if op:
            payload = cbor_mini.untag(cbor_mini.loads(body)) if body else {}
            body = json.dumps(payload).encode()
            headers = {k: v for k, v in headers.items()
                       if k.lower() in ("authorization", "x-amz-date", "x-amzn-query-mode")}
            headers.update({"Content-Type": "application/x-amz-json-1.0",
                            "X-Amz-Target": f"GraniteServiceVersion20100801.{op}"})
            path = "/"
        conn = http.client.HTTPConnection(*self.upstream, timeout=120)
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        out = {k: v for k, v in resp.getheaders() if k.lower() not in HOP_HEADERS}
        ctype = resp.getheader("Content-Type", "application/octet-stream")
        if op:
            try:
                doc = json.loads(data) if data else {}
            except ValueError:
                doc = {"__type": "InternalFailure", "message": data[:300].decode("utf-8", "replace")}
            if resp.status == 200:
                doc = tag_timestamps(MODEL.operation_model(op).output_shape, doc)
            data, ctype = cbor_mini.dumps(doc), "application/cbor"
            out["smithy-protocol"] = "rpc-v2-cbor"
        self.send_response(resp.status)
        for name, value in out.items():
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5056)
    parser.add_argument("--upstream", default="127.0.0.1:5055")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    Handler.upstream = (host, int(port))
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
