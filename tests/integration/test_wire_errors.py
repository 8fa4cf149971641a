"""Error paths on the wire: malformed and mistyped bodies, truncated CBOR, oversized bodies,
unknown and unimplemented operations, each answered in the protocol's own error format."""

import unittest

import cbor_mini
import rawhttp
from harness import ModuleServer, http_get
from rawhttp import Timestamp
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

UNKNOWN_OPERATION_TYPE = "com.amazon.coral.service#UnknownOperationException"
ONE_MB = 1024 * 1024


class _Helpers:
    def raw(self, operation, payload, **kwargs):
        return rawhttp.call(self.protocol, self.endpoint, operation, payload, **kwargs)

    def error(self, resp, status=400):
        self.assertEqual(resp.status, status, resp.body[:600])
        self.assertTrue(resp.request_id, f"no x-amzn-RequestId on HTTP {resp.status}")
        err = rawhttp.parse_error(self.protocol, resp)
        if self.protocol == "cbor":
            self.assertEqual(resp.headers.get("content-type"), "application/cbor")
            self.assertEqual(resp.headers.get("smithy-protocol"), "rpc-v2-cbor")
        elif self.protocol == "json":
            self.assertEqual(resp.headers.get("content-type"), "application/x-amz-json-1.0")
        else:
            self.assertEqual(resp.headers.get("content-type", "").split(";")[0], "text/xml")
            if status < 500:
                self.assertEqual(err.type, "Sender")
        return err

    def assertAlive(self):
        self.client().list_metrics(Namespace=self.namespace("-alive"))
        if not SERVER.external:
            self.assertEqual(http_get(self.endpoint, "/_vigil/health")[0], 200)



@for_each_protocol(SERVER)
class _WireErrors(_Helpers):
    # -- unknown / unimplemented operations ----------------------------------------------

    def test_unknown_operation(self):
        err = self.error(self.raw("NoSuchOperation", {}))
        if self.protocol == "query":
            self.assertEqual(err.code, "InvalidAction")
        else:
            self.assertEqual(err.type, UNKNOWN_OPERATION_TYPE)
            self.assertEqual(err.query_error, "InvalidAction;Sender")

    def test_unimplemented_operation_is_501_not_implemented(self):
        c = self.client()
        err = self.assertClientError(c.describe_insight_rules, "NotImplemented", status=501)
        self.assertIn("DescribeInsightRules", err["Error"]["Message"])
        raw = self.error(self.raw("ListManagedInsightRules", {}), status=501)
        self.assertEqual(raw.code, "NotImplemented")
        self.assertIn("ListManagedInsightRules", raw.message or "")

    # -- malformed bodies ----------------------------------------------------------------

    def test_missing_namespace_is_rejected(self):
        resp = self.raw("PutMetricData", {"MetricData": [{"MetricName": "m", "Value": 1.0}]})
        err = self.error(resp)
        self.assertIn(err.code, ("ValidationError", "MissingParameter"), err)

    # -- sizes ---------------------------------------------------------------------------

    def big_datums(self, count: int, value_len: int) -> list[dict]:
        return [{"MetricName": "big", "Timestamp": ts(self.t0), "Value": float(i),
                 "Dimensions": [{"Name": f"D{d}", "Value": f"{i:05d}" + "v" * (value_len - 5)}
                                for d in range(3)]}
                for i in range(count)]

    def test_body_over_1_mb_is_413_request_entity_too_large(self):
        c = self.client(disable_request_compression=True)
        ns = self.namespace()
        self.assertClientError(c.put_metric_data, "RequestEntityTooLarge", status=413,
                               Namespace=ns, MetricData=self.big_datums(500, 1000))
        sent = c.vigil_traffic.last_request("PutMetricData")
        self.assertNotIn("content-encoding", sent.headers)
        self.assertGreater(len(sent.body), ONE_MB)
        self.assertEqual(self.list_all(self.client(), Namespace=ns), [])
        self.assertAlive()

    def test_raw_body_over_1_mb_gets_an_answer(self):
        body = rawhttp.encode(self.protocol, "PutMetricData",
                              {"Namespace": self.namespace(), "MetricData": [
                                  {"MetricName": "m", "Value": 1.0,
                                   "Timestamp": Timestamp(self.t0)}]})
        padding = {"json": b" ", "query": b"&", "cbor": b"\x00"}[self.protocol]
        err = self.error(self.raw("PutMetricData", body + padding * (ONE_MB + 4096)),
                         status=413)
        self.assertEqual(err.code, "RequestEntityTooLarge", err)
        self.assertAlive()

    def test_body_just_under_1_mb_is_accepted(self):
        c = self.client(disable_request_compression=True)
        ns = self.namespace()
        per_datum = {"json": 260, "cbor": 280, "query": 170}[self.protocol]
        self.put(c, ns, self.big_datums(1000, per_datum))
        size = len(c.vigil_traffic.last_request("PutMetricData").body)
        self.assertGreater(size, 900_000)
        self.assertLess(size, 1_000_000)
        self.assertEqual(len(self.list_all(c, Namespace=ns)), 1000)



@for_each_protocol(SERVER, only=("json", "cbor"))
class _BinaryBodyErrors(_Helpers):
    """Bodies that JSON and CBOR can get wrong (a form body cannot be syntactically malformed)."""

    def test_malformed_body_is_a_serialization_exception(self):
        good = rawhttp.encode(self.protocol, "PutMetricData",
                              {"Namespace": self.namespace(),
                               "MetricData": [{"MetricName": "m", "Value": 1.0}]})
        bodies = {"json": [b'{"Namespace": "x", "MetricData": [', b"not json at all",
                           b"\xff\xfe"],
                  "cbor": [good[:-3], good[:1], b"\xff", good + b"\x00"]}[self.protocol]
        for body in bodies:
            with self.subTest(body=body[:20]):
                err = self.error(self.raw("PutMetricData", body))
                self.assertEqual(err.code, "SerializationException", err)
        self.assertAlive()

    def test_body_of_the_wrong_shape_is_a_serialization_exception(self):
        ns = self.namespace()
        encode = (lambda o: rawhttp.encode("json", "PutMetricData", o)) \
            if self.protocol == "json" else cbor_mini.dumps
        bodies = [
            encode(["not", "a", "structure"]),
            encode({"Namespace": ns, "MetricData": "not-a-list"}),
            encode({"Namespace": ns, "MetricData": [{"MetricName": "m", "Value": "abc"}]}),
            encode({"Namespace": ns, "MetricData": [{"MetricName": ["m"], "Value": 1.0}]}),
        ]
        for body in bodies:
            with self.subTest(body=body[:60]):
                err = self.error(self.raw("PutMetricData", body))
                self.assertEqual(err.code, "SerializationException", err)
        self.assertEqual(self.list_all(self.client(), Namespace=ns), [])


@for_each_protocol(SERVER, only=("query",))
class _QueryValueErrors(_Helpers):
    """A Query parameter whose text is not of the member's type."""

    def test_query_value_that_is_not_a_number(self):
        ns = self.namespace()
        resp = self.raw("PutMetricData", {"Namespace": ns, "MetricData": [
            {"MetricName": "m", "Value": "abc"}]})
        err = self.error(resp)
        self.assertTrue(err.code, err)
        self.assertEqual(self.list_all(self.client(), Namespace=ns), [])


if __name__ == "__main__":
    unittest.main()
