"""Fault test: SIGKILL during sustained ingest loses no acknowledged datapoint.

Several threads send PutMetricData back to back on their own keep-alive connections (JSON 1.0
and rpc-v2-cbor, some bodies gzipped), each recording every request that was answered 200. Once
enough requests have been acknowledged the server gets SIGKILL while requests are still in
flight, is started again on the same data dir, and GetMetricStatistics (SampleCount and Sum, one
period over the whole range) must show, for every series, exactly the acknowledged datapoints,
plus, possibly, those of the one request per thread that was in flight at the kill (an
unacknowledged write may or may not have been applied, but never in part).

Each thread t writes request r to series (Thread=t, Slot=r % SLOTS), values r * DATUMS + i + 1
(integers, so sums are exact), timestamps spread over one hour that starts two hours ago. No
fixed sleeps: the kill waits for a count of acknowledgements, the restart for /_vigil/health.
"""

from __future__ import annotations

import gzip
import http.client
import json
import threading
import time
import unittest

import cbor_mini
from harness import CBOR_PATH_PREFIX, TARGET_PREFIX, VigilServer, boto3_client, external_endpoint
from vigiltest import ts

THREADS = 4
SLOTS = 4              # series per thread
DATUMS = 100           # datums per request
KILL_AFTER = 240       # acknowledged requests (all threads) before SIGKILL
ACK_DEADLINE_S = 20.0  # generous bound for reaching KILL_AFTER


class _Writer(threading.Thread):
    """One thread, one keep-alive connection, requests back to back until the server dies."""

    def __init__(self, index: int, port: int, namespace: str, t0: int, protocol: str,
                 use_gzip: bool, progress):
        super().__init__(name=f"kill9-writer-{index}", daemon=True)
        self.index, self.port, self.namespace, self.t0 = index, port, namespace, t0
        self.protocol, self.use_gzip, self.progress = protocol, use_gzip, progress
        self.acked: list[int] = []   # request numbers answered 200
        self.unknown: int | None = None  # the request in flight when the connection broke
        self.rejected: list[tuple[int, int, bytes]] = []  # (request, status, body) non-200
        self.stop = threading.Event()

    def datums(self, r: int) -> list[dict]:
        return [{"MetricName": "m",
                 "Dimensions": [{"Name": "Thread", "Value": str(self.index)},
                                {"Name": "Slot", "Value": str(r % SLOTS)}],
                 "Timestamp": self.t0 + (r * DATUMS + i) % 3600,
                 "Value": float(r * DATUMS + i + 1)} for i in range(DATUMS)]

    def request(self, r: int) -> tuple[str, bytes, dict]:
        payload = {"Namespace": self.namespace, "MetricData": self.datums(r)}
        if self.protocol == "cbor":
            for d in payload["MetricData"]:
                d["Timestamp"] = cbor_mini.Tag(1, float(d["Timestamp"]))
            path, body = CBOR_PATH_PREFIX + "PutMetricData", cbor_mini.dumps(payload)
            headers = {"Content-Type": "application/cbor", "Accept": "application/cbor",
                       "smithy-protocol": "rpc-v2-cbor", "x-amzn-query-mode": "true"}
        else:
            path, body = "/", json.dumps(payload).encode()
            headers = {"Content-Type": "application/x-amz-json-1.0",
                       "X-Amz-Target": f"{TARGET_PREFIX}.PutMetricData",
                       "x-amzn-query-mode": "true"}
        if self.use_gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return path, body, headers

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        r = 0
        try:
            while not self.stop.is_set():
                path, body, headers = self.request(r)
                self.unknown = r
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status == 200:
                    self.acked.append(r)
                    self.unknown = None
                    self.progress()
                else:
                    self.rejected.append((r, resp.status, data[:300]))
                    self.unknown = None
                r += 1
        except (OSError, http.client.HTTPException):
            pass  # the server was killed; self.unknown may or may not have been applied
        finally:
            conn.close()

    def contribution(self, requests) -> dict[int, tuple[int, float]]:
        """(SampleCount, Sum) per slot for the given request numbers."""
        out = {k: (0, 0.0) for k in range(SLOTS)}
        for r in requests:
            count, total = out[r % SLOTS]
            out[r % SLOTS] = (count + DATUMS,
                              total + sum(float(r * DATUMS + i + 1) for i in range(DATUMS)))
        return out


@unittest.skipIf(external_endpoint(), "needs to start and kill its own vigil process")
class Kill9DuringIngest(unittest.TestCase):
    def setUp(self):
        self.server = VigilServer()
        self.addCleanup(self.server.cleanup)
        self.server.start()

    def test_every_acknowledged_datapoint_survives_sigkill(self):
        namespace = f"VigilIT/Kill9/{int(time.time() * 1000)}"
        t0 = int(time.time()) // 3600 * 3600 - 7200
        cond = threading.Condition()
        acked = [0]

        def progress():
            with cond:
                acked[0] += 1
                cond.notify_all()

        writers = [_Writer(i, self.server.port, namespace, t0,
                           protocol="cbor" if i % 2 else "json", use_gzip=i >= 2,
                           progress=progress) for i in range(THREADS)]
        for w in writers:
            w.start()
        with cond:
            reached = cond.wait_for(lambda: acked[0] >= KILL_AFTER
                                    or not any(w.is_alive() for w in writers),
                                    timeout=ACK_DEADLINE_S)
        alive_at_kill = sum(w.is_alive() for w in writers)
        self.server.kill9()
        for w in writers:
            w.stop.set()
        for w in writers:
            w.join(timeout=15)
            self.assertFalse(w.is_alive(), f"{w.name} did not stop after the kill")
        for w in writers:
            self.assertEqual(w.rejected, [], f"{w.name}: requests answered other than 200")
        self.assertTrue(reached, f"only {acked[0]} acknowledged requests within "
                                 f"{ACK_DEADLINE_S}s\n{self.server.log_tail(40)}")
        self.assertEqual(alive_at_kill, THREADS, "every writer must still be sending at the kill")

        self.server.start()  # same data dir
        client = boto3_client("json", self.server.endpoint)
        in_flight = 0
        for w in writers:
            want = w.contribution(w.acked)
            extra = w.contribution([w.unknown] if w.unknown is not None else [])
            in_flight += w.unknown is not None
            for slot in range(SLOTS):
                resp = client.get_metric_statistics(
                    Namespace=namespace, MetricName="m",
                    Dimensions=[{"Name": "Thread", "Value": str(w.index)},
                                {"Name": "Slot", "Value": str(slot)}],
                    StartTime=ts(t0), EndTime=ts(t0 + 3600), Period=3600,
                    Statistics=["SampleCount", "Sum"])
                points = resp["Datapoints"]
                got = (int(points[0]["SampleCount"]), points[0]["Sum"]) if points else (0, 0.0)
                acked_only = want[slot]
                with_unknown = (acked_only[0] + extra[slot][0], acked_only[1] + extra[slot][1])
                self.assertIn(got, {acked_only, with_unknown},
                              f"{w.name} slot {slot}: stored (SampleCount, Sum) {got}, "
                              f"acknowledged {acked_only}, with the in-flight request "
                              f"{with_unknown}")
        total = sum(len(w.acked) for w in writers) * DATUMS
        self.assertGreaterEqual(total, KILL_AFTER * DATUMS)
        # For the log: how much was checked.
        print(f"\nkill -9 after {total} acknowledged datapoints "
              f"({sum(len(w.acked) for w in writers)} requests), {in_flight} in flight")
        self.assertEqual(self.server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
