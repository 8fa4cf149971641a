"""Self-tests of the harness: process lifecycle (against fake_vigil.py, a stand-in that honours
vigil's command line), boto3 protocol forcing (requests intercepted before they leave the
process, so no server is needed), and the raw-request helpers against botocore's encoders.

These do not test vigil; they prove the tools the other modules rely on do what they claim, so
that a green vigil test means what it says."""

import json
import os
import signal
import sys
import time
import unittest
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl

import boto3

import cbor_mini
import harness
import rawhttp
from harness import (HarnessError, ModuleServer, VigilServer, boto3_client, detect_protocol,
                     http_get)

HERE = Path(__file__).resolve().parent
FAKE = HERE / "fake_vigil.py"
WIRE_DIR = Path(os.environ.get("VIGIL_WIRE_DIR", HERE.parents[2] / "shared" / "wire"))


def fake_server(mode: str, **kwargs) -> VigilServer:
    env = dict(os.environ, FAKE_VIGIL_MODE=mode)
    return VigilServer(binary=FAKE, launcher=(sys.executable,), env=env, **kwargs)


class LifecycleTest(unittest.TestCase):
    def test_start_health_stop_restart_kill9(self):
        server = fake_server("ok")
        try:
            server.start()
            status, _, body = http_get(server.endpoint, "/_vigil/health")
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["status"], "ok")
            self.assertEqual(server.stop(), 0)
            self.assertFalse(server.running)
            server.start()  # same data dir
            self.assertEqual((server.data_dir / "starts").read_text(), "2")
            server.restart()
            self.assertEqual((server.data_dir / "starts").read_text(), "3")
            pid = server.proc.pid
            server.kill9()
            self.assertFalse(server.running)
            with self.assertRaises(ProcessLookupError):
                os.kill(pid, 0)
            server.start()
            self.assertEqual((server.data_dir / "starts").read_text(), "4")
            self.assertIn("fake-vigil: mode=ok", server.log_text())
            self.assertEqual(server.log_text().count("===== harness: start #"), 4)
            self.assertEqual(server.stop(signal.SIGINT), 0)
        finally:
            server.cleanup()
        self.assertFalse(server.workdir.exists())

    def test_nonzero_exit_on_sigterm_is_reported(self):
        server = fake_server("bad-exit")
        try:
            server.start()
            with self.assertRaisesRegex(HarnessError, "exited with code 3 after SIGTERM"):
                server.stop()
        finally:
            server.cleanup()

    def test_hanging_process_is_reported_and_killed(self):
        server = fake_server("hang")
        try:
            server.start()
            proc = server.proc
            with self.assertRaisesRegex(HarnessError, "did not exit within 0.5s"):
                server.stop(timeout=0.5)
            self.assertIsNotNone(proc.poll())
        finally:
            server.cleanup()

    def test_crash_at_start_reports_the_log(self):
        server = fake_server("crash")
        try:
            began = time.monotonic()
            with self.assertRaises(HarnessError) as cm:
                server.start()
            self.assertLess(time.monotonic() - began, 5)
            self.assertIn("exited with code 7", str(cm.exception))
            self.assertIn("mode=crash", str(cm.exception))
        finally:
            server.cleanup()

    def test_never_ready_hits_the_deadline(self):
        server = fake_server("never-ready", start_timeout=1.0)
        try:
            began = time.monotonic()
            with self.assertRaisesRegex(HarnessError, "not ready within 1.0s"):
                server.start()
            self.assertLess(time.monotonic() - began, 5)
            self.assertFalse(server.running)
        finally:
            server.cleanup()

    def test_health_is_polled_until_200(self):
        server = fake_server("slow-health")
        try:
            server.start()
            self.assertEqual(http_get(server.endpoint, "/_vigil/health")[0], 200)
            server.stop()
        finally:
            server.cleanup()

    def test_missing_binary_is_a_clear_error(self):
        server = VigilServer(binary="/nonexistent/vigil")
        try:
            with self.assertRaisesRegex(HarnessError, "not found"):
                server.start()
        finally:
            server.cleanup()

    def test_vigil_endpoint_selects_external_server(self):
        with mock.patch.dict(os.environ, {"VIGIL_ENDPOINT": "http://127.0.0.1:9/"}):
            slot = ModuleServer()
            slot.setup()
            self.assertTrue(slot.server.external)
            self.assertEqual(slot.endpoint, "http://127.0.0.1:9")
            with self.assertRaises(unittest.SkipTest):
                slot.server.restart()
            slot.teardown()


class _Intercepted(Exception):
    pass


def intercepted_client(protocol, **kwargs):
    """A forced-protocol client whose requests are captured and then stopped before sending."""
    client = boto3_client(protocol, "http://127.0.0.1:9", **kwargs)

    def stop(**_):
        raise _Intercepted()

    client.meta.events.register_last("before-send.cloudwatch", stop)
    return client


DATUMS = [{"MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "h1"}],
           "Timestamp": 1795779420, "Value": 12.5, "Unit": "Milliseconds"},
          {"MetricName": "Latency", "Values": [1.0, 2.0], "Counts": [1.0, 3.0]}]


class ProtocolForcingTest(unittest.TestCase):
    def send(self, client, **kwargs):
        with self.assertRaises(_Intercepted):
            client.put_metric_data(**kwargs)
        return client.vigil_traffic.last_request("PutMetricData")

    def test_each_forced_client_sends_its_protocol(self):
        for protocol in harness.PROTOCOLS:
            with self.subTest(protocol=protocol):
                client = intercepted_client(protocol)
                self.assertEqual(client.meta.service_model.resolved_protocol,
                                 harness.MODEL_PROTOCOL_NAME[protocol])
                req = self.send(client, Namespace="NS", MetricData=DATUMS)
                self.assertEqual(detect_protocol(req), protocol)
                self.assertNotIn("content-encoding", req.headers)
                if protocol == "json":
                    body = json.loads(req.body)
                    self.assertEqual(body["Namespace"], "NS")
                    self.assertEqual(body["MetricData"][1]["Counts"], [1.0, 3.0])
                elif protocol == "cbor":
                    body = cbor_mini.untag(cbor_mini.loads(req.body))
                    self.assertEqual(body["Namespace"], "NS")
                    self.assertEqual(body["MetricData"][0]["Timestamp"], 1795779420)
                    self.assertEqual(req.headers["accept"], "application/cbor")
                else:
                    form = dict(parse_qsl(req.body.decode()))
                    self.assertEqual(form["Action"], "PutMetricData")
                    self.assertEqual(form["MetricData.member.2.Counts.member.2"], "3.0")
                if protocol != "query":
                    self.assertEqual(req.headers.get("x-amzn-query-mode"), "true")

    def test_default_boto3_client_is_untouched_json(self):
        for protocol in harness.PROTOCOLS:
            intercepted_client(protocol)  # forcing must not leak into other sessions
        plain = boto3.session.Session().client(
            "cloudwatch", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
            aws_access_key_id="a", aws_secret_access_key="b")
        self.assertEqual(plain.meta.service_model.resolved_protocol, "json")

    def test_gzip_above_10_kib_only(self):
        big = [{"MetricName": f"m{i}", "Value": float(i),
                "Dimensions": [{"Name": "Host", "Value": f"host-{i:04d}"}]} for i in range(200)]
        for protocol in harness.PROTOCOLS:
            with self.subTest(protocol=protocol):
                client = intercepted_client(protocol)
                req = self.send(client, Namespace="NS", MetricData=big)
                self.assertEqual(req.headers.get("content-encoding"), "gzip")
                self.assertGreater(len(req.decoded_body()), 10240)
                self.assertLess(len(req.body), len(req.decoded_body()))
                self.assertEqual(detect_protocol(req), protocol)
                small = self.send(client, Namespace="NS", MetricData=big[:2])
                self.assertNotIn("content-encoding", small.headers)

    def test_detect_protocol_rejects_mismatches(self):
        req = harness.SentRequest("PutMetricData", "POST", "http://h/", {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "GraniteServiceVersion20100801.ListMetrics"}, b"{}")
        self.assertIsNone(detect_protocol(req))


class RawHelpersTest(unittest.TestCase):
    def test_cbor_round_trip(self):
        value = {"a": [1, -1, 24, 255, 65536, 2**40, -(2**40)], "b": b"\x00\xff", "c": "é",
                 "d": 1.5, "e": None, "f": True, "g": cbor_mini.Tag(1, 1795779420.0), "h": {}}
        self.assertEqual(cbor_mini.loads(cbor_mini.dumps(value)), value)
        encoded = cbor_mini.dumps({"Namespace": "x"})
        with self.assertRaises(cbor_mini.CBORDecodeError):
            cbor_mini.loads(encoded[:-1])

    def test_cbor_decodes_botocore_and_wire_samples(self):
        client = intercepted_client("cbor")
        with self.assertRaises(_Intercepted):
            client.put_metric_data(Namespace="NS", MetricData=DATUMS)
        body = cbor_mini.loads(client.vigil_traffic.last_request().body)
        self.assertEqual(body["MetricData"][0]["Timestamp"], cbor_mini.Tag(1, 1795779420))
        sample = WIRE_DIR / "boto3-cbor-PutMetricData.req.bin"
        if sample.exists():
            decoded = cbor_mini.untag(cbor_mini.loads(sample.read_bytes()))
            self.assertEqual(decoded["MetricData"][2]["StatisticValues"]["Sum"], 40.0)

    def test_flatten_query_matches_botocore(self):
        client = intercepted_client("query")
        with self.assertRaises(_Intercepted):
            client.put_metric_data(Namespace="NS", MetricData=DATUMS[1:])
        sent = dict(parse_qsl(client.vigil_traffic.last_request().body.decode()))
        ours = {"Action": "PutMetricData", "Version": "2010-08-01",
                **rawhttp.flatten_query({"Namespace": "NS", "MetricData": DATUMS[1:]})}
        self.assertEqual(sent, ours)


if __name__ == "__main__":
    unittest.main()
