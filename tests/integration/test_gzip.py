"""Content-Encoding: gzip request bodies: SDK-compressed puts, hand-made ones, corrupt gzip and a
gzip bomb, in each protocol."""

import functools
import gzip
import unittest
import zlib

import rawhttp
from harness import ModuleServer, http_get
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """~130 KB of gzip that inflates to 128 MiB of zero bytes."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    chunk = b"\0" * (1 << 20)
    return b"".join([comp.compress(chunk) for _ in range(128)] + [comp.flush()])


def put_payload(ns: str, t0: int, n: int = 3) -> dict:
    return {"Namespace": ns,
            "MetricData": [{"MetricName": "gz", "Timestamp": rawhttp.Timestamp(t0),
                            "Value": float(i + 1)} for i in range(n)]}


@for_each_protocol(SERVER)
class _Gzip:
    def raw_put(self, payload, **kwargs):
        return rawhttp.call(self.protocol, self.endpoint, "PutMetricData", payload, **kwargs)

    def raw_send(self, body: bytes, headers: dict):
        return rawhttp.call(self.protocol, self.endpoint, "PutMetricData", body,
                            extra_headers=headers)

    def assertServerHealthy(self):
        self.client().list_metrics(Namespace=self.namespace("-alive"))
        if not SERVER.external:
            self.assertEqual(http_get(self.endpoint, "/_vigil/health")[0], 200)

    def test_sdk_gzips_a_large_put_and_every_datum_arrives(self):
        c = self.client()
        ns = self.namespace()
        datums = [{"MetricName": "big", "Timestamp": ts(self.t0 + i % 60),
                   "Dimensions": [{"Name": "Service", "Value": "checkout"}],
                   "Value": float(i), "Unit": "Milliseconds"} for i in range(400)]
        self.put(c, ns, datums)
        req = c.vigil_traffic.last_request("PutMetricData")
        self.assertEqual(req.headers.get("content-encoding"), "gzip")
        self.assertGreater(len(req.decoded_body()), 10240)
        point = self.stats(c, ns, "big", self.t0, self.t0 + 60,
                           dimensions=[{"Name": "Service", "Value": "checkout"}])
        self.assertEqual(len(point), 1, point)
        self.assertEqual((point[0]["SampleCount"], point[0]["Sum"], point[0]["Maximum"]),
                         (400.0, float(sum(range(400))), 399.0))

    def test_hand_made_gzip_body(self):
        ns = self.namespace()
        resp = self.raw_put(put_payload(ns, self.t0), gzip=True)
        self.assertEqual(resp.status, 200, resp.body[:500])
        self.assertTrue(resp.request_id)
        points = self.stats(self.client(), ns, "gz", self.t0, self.t0 + 60)
        self.assertEqual([(p["SampleCount"], p["Sum"]) for p in points], [(3.0, 6.0)])

    def test_corrupt_gzip_is_a_serialization_exception(self):
        ns = self.namespace()
        body = rawhttp.encode(self.protocol, "PutMetricData", put_payload(ns, self.t0))
        broken = bytearray(gzip.compress(body))
        broken[len(broken) // 2] ^= 0xFF  # corrupt the deflate stream / CRC
        for label, data in (("flipped byte", bytes(broken)), ("not gzip", b"plain text body"),
                            ("truncated", bytes(broken[:len(broken) // 3]))):
            with self.subTest(label):
                resp = self.raw_send(data, {"Content-Encoding": "gzip"})
                self.assertEqual(resp.status, 400, resp.body[:500])
                err = rawhttp.parse_error(self.protocol, resp)
                self.assertEqual(err.code, "SerializationException", err)
                self.assertTrue(resp.request_id)
        self.assertEqual(self.list_all(self.client(), Namespace=ns), [],
                         "nothing from a corrupt body may be stored")
        self.assertServerHealthy()

    def test_gzip_bomb_is_rejected_without_harm(self):
        resp = self.raw_send(gzip_bomb(), {"Content-Encoding": "gzip"})
        self.assertGreaterEqual(resp.status, 400, resp.body[:500])
        self.assertLess(resp.status, 500, resp.body[:500])
        err = rawhttp.parse_error(self.protocol, resp)
        self.assertTrue(err.code, err)
        self.assertTrue(resp.request_id)
        self.assertServerHealthy()


if __name__ == "__main__":
    unittest.main()
