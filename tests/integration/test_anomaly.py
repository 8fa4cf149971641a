"""Anomaly detection through the real binary with boto3 in the three protocols
(docs/anomaly-detection.md "API"): PutAnomalyDetector / DescribeAnomalyDetectors /
DeleteAnomalyDetector (legacy and SingleMetricAnomalyDetector forms, one detector per statistic,
the recorded Describe shape, paging, the SINGLE_METRIC default of AnomalyDetectorTypes, errors),
the quota of 500 detectors, ANOMALY_DETECTION_BAND in GetMetricData, detectors surviving a
restart (SIGTERM and kill -9), and the three operations through the aws cli."""

import math
import random
import unittest

from botocore.exceptions import ClientError

import json

from harness import ModuleServer, active_protocols, aws_cli
from vigiltest import OwnServerTestCase, VigilTestCase, epoch_minute, for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

DAY = 86400


def pattern(t):
    return 100 + 50 * math.sin(2 * math.pi * (t % DAY) / DAY)


@for_each_protocol(SERVER)
class _AnomalyDetectors:
    def setUp(self):
        super().setUp()
        self.ns = self.namespace()

    def detectors(self, c, **kwargs):
        resp = c.describe_anomaly_detectors(Namespace=self.ns, **kwargs)
        return resp["AnomalyDetectors"], resp.get("NextToken")

    def test_put_describe_delete(self):
        c = self.client()
        c.put_anomaly_detector(Namespace=self.ns, MetricName="latency", Stat="Average",
                               Dimensions=[{"Name": "Host", "Value": "a"}])
        c.put_anomaly_detector(SingleMetricAnomalyDetector={
            "Namespace": self.ns, "MetricName": "latency", "Stat": "p99",
            "Dimensions": [{"Name": "Host", "Value": "a"}]},
            Configuration={"MetricTimezone": "America/New_York",
                           "ExcludedTimeRanges": [{"StartTime": ts(self.t0 - 3600),
                                                   "EndTime": ts(self.t0)}]})
        found, token = self.detectors(c)
        self.assertIsNone(token)
        self.assertEqual(sorted(d["Stat"] for d in found), ["Average", "p99"])
        avg = next(d for d in found if d["Stat"] == "Average")
        self.assertEqual(avg["MetricName"], "latency")
        self.assertEqual(avg["SingleMetricAnomalyDetector"],
                         {"AccountId": "123456789012", "Namespace": self.ns,
                          "MetricName": "latency", "Stat": "Average",
                          "Dimensions": [{"Name": "Host", "Value": "a"}]})
        self.assertEqual(avg["Configuration"], {"ExcludedTimeRanges": []})
        self.assertEqual(avg["StateValue"], "PENDING_TRAINING")
        p99 = next(d for d in found if d["Stat"] == "p99")
        self.assertEqual(p99["Configuration"]["MetricTimezone"], "America/New_York")
        self.assertEqual(p99["Configuration"]["ExcludedTimeRanges"][0]["EndTime"], ts(self.t0))
        # Paging.
        first, token = self.detectors(c, MaxResults=1)
        self.assertEqual(len(first), 1)
        self.assertIsNotNone(token)
        second, token2 = self.detectors(c, MaxResults=1, NextToken=token)
        self.assertEqual(len(second), 1)
        self.assertIsNone(token2)
        self.assertNotEqual(first[0]["Stat"], second[0]["Stat"])
        # Delete, then deleting again is ResourceNotFoundException.
        c.delete_anomaly_detector(Namespace=self.ns, MetricName="latency", Stat="Average",
                                  Dimensions=[{"Name": "Host", "Value": "a"}])
        found, _ = self.detectors(c)
        self.assertEqual([d["Stat"] for d in found], ["p99"])
        self.assertClientError(c.delete_anomaly_detector, "ResourceNotFoundException", 404,
                               Namespace=self.ns, MetricName="latency", Stat="Average",
                               Dimensions=[{"Name": "Host", "Value": "a"}])

    def test_validation_errors(self):
        c = self.client()
        self.assertClientError(c.put_anomaly_detector, "InvalidParameterValue",
                               message_contains="MetricTimezone",
                               Namespace=self.ns, MetricName="m", Stat="Sum",
                               Configuration={"MetricTimezone": "Mars/Olympus_Mons"})
        self.assertClientError(c.put_anomaly_detector, "InvalidParameterCombination",
                               Namespace=self.ns, SingleMetricAnomalyDetector={
                                   "Namespace": self.ns, "MetricName": "m", "Stat": "Sum"})
        ranges = [{"StartTime": ts(self.t0 + i * 60), "EndTime": ts(self.t0 + i * 60 + 30)}
                  for i in range(11)]
        self.assertClientError(c.put_anomaly_detector, "InvalidParameterValue",
                               Namespace=self.ns, MetricName="m", Stat="Sum",
                               Configuration={"ExcludedTimeRanges": ranges})
        self.assertEqual(self.detectors(c)[0], [])

    def test_describe_defaults_to_single_metric(self):
        # An account of its own, so that Describe without filters sees only this test's detectors.
        c = self.client(access_key=str(random.randrange(10**11, 10**12)))
        queries = [{"Id": "m1", "ReturnData": False,
                    "MetricStat": {"Metric": {"Namespace": self.ns, "MetricName": "cpu"},
                                   "Period": 300, "Stat": "Average"}},
                   {"Id": "e1", "Expression": "m1 * 2", "ReturnData": True}]
        c.put_anomaly_detector(MetricMathAnomalyDetector={"MetricDataQueries": queries})
        c.put_anomaly_detector(SingleMetricAnomalyDetector={
            "Namespace": self.ns, "MetricName": "cpu", "Stat": "Average"})
        # botocore: AnomalyDetectorTypes "If empty, defaults to SINGLE_METRIC".
        found = c.describe_anomaly_detectors()["AnomalyDetectors"]
        self.assertEqual([d["SingleMetricAnomalyDetector"]["MetricName"] for d in found], ["cpu"])
        self.assertNotIn("MetricMathAnomalyDetector", found[0])
        found = c.describe_anomaly_detectors(AnomalyDetectorTypes=["METRIC_MATH"])
        self.assertEqual([d["MetricMathAnomalyDetector"]["MetricDataQueries"][1]["Expression"]
                          for d in found["AnomalyDetectors"]], ["m1 * 2"])
        both = c.describe_anomaly_detectors(AnomalyDetectorTypes=["SINGLE_METRIC", "METRIC_MATH"])
        self.assertEqual(len(both["AnomalyDetectors"]), 2)

    def test_band_in_get_metric_data(self):
        c = self.client()
        now = epoch_minute() // 300 * 300
        points = [{"MetricName": "cpu", "Timestamp": ts(t), "Value": pattern(t)}
                  for t in range(now - 2 * DAY, now, 300)]
        for i in range(0, len(points), 500):
            self.put(c, self.ns, points[i:i + 500])
        c.put_anomaly_detector(Namespace=self.ns, MetricName="cpu", Stat="Average")
        resp = c.get_metric_data(
            MetricDataQueries=[
                {"Id": "m1", "MetricStat": {"Metric": {"Namespace": self.ns, "MetricName": "cpu"},
                                            "Period": 300, "Stat": "Average"}},
                {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}],
            StartTime=ts(now - 3 * 3600), EndTime=ts(now), ScanBy="TimestampAscending")
        results = resp["MetricDataResults"]
        self.assertEqual([r["Id"] for r in results], ["m1", "band", "band"])
        self.assertEqual([r["Label"] for r in results[1:]], ["cpu (upper)", "cpu (lower)"])
        m, upper, lower = results
        self.assertEqual(len(m["Values"]), 36)
        self.assertEqual(upper["Timestamps"], m["Timestamps"])
        self.assertEqual(lower["Timestamps"], m["Timestamps"])
        for v, hi, lo in zip(m["Values"], upper["Values"], lower["Values"]):
            self.assertLessEqual(lo, v)
            self.assertGreaterEqual(hi, v)
            self.assertLess(lo, hi)
        self.assertEqual({r["StatusCode"] for r in results}, {"Complete"})
        found, _ = self.detectors(c)
        self.assertEqual(found[0]["StateValue"], "TRAINED")


class DetectorQuota(VigilTestCase):
    """500 anomaly detection models per account and region (cloudwatch-semantics.md §9): the
    501st PutAnomalyDetector is LimitExceededException in every protocol; replacing a detector's
    configuration is not a new one."""

    module_server = SERVER
    MESSAGE = ("The maximum number of anomaly detection models (500) for this account and region "
               "has been reached. Delete an anomaly detection model before creating another.")

    def test_501st_detector_is_refused(self):
        account = str(random.randrange(10**11, 10**12))
        ns = self.namespace()
        c = self.client(protocol="json", access_key=account)
        for i in range(500):
            c.put_anomaly_detector(SingleMetricAnomalyDetector={
                "Namespace": ns, "MetricName": f"m{i}", "Stat": "Average"})
        for protocol in active_protocols():
            p = self.client(protocol=protocol, access_key=account)
            with self.assertRaises(ClientError, msg=protocol) as cm:
                p.put_anomaly_detector(SingleMetricAnomalyDetector={
                    "Namespace": ns, "MetricName": "m500", "Stat": "Average"})
            err = cm.exception.response
            self.assertEqual(err["Error"]["Code"], "LimitExceededException", protocol)
            self.assertEqual(err["Error"]["Message"], self.MESSAGE, protocol)
            self.assertEqual(err["Error"]["Type"], "Sender", protocol)
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400, protocol)
            if protocol in ("json", "cbor"):
                self.assertEqual(err["Error"]["QueryErrorCode"], "LimitExceededException")
            # A new configuration for an existing detector is accepted.
            p.put_anomaly_detector(
                SingleMetricAnomalyDetector={"Namespace": ns, "MetricName": "m7",
                                             "Stat": "Average"},
                Configuration={"MetricTimezone": "Europe/Berlin"})
        found = c.describe_anomaly_detectors(Namespace=ns, MetricName="m7")["AnomalyDetectors"]
        self.assertEqual(found[0]["Configuration"]["MetricTimezone"], "Europe/Berlin")
        # The caller's default account is not affected.
        self.client(protocol="json").put_anomaly_detector(SingleMetricAnomalyDetector={
            "Namespace": ns, "MetricName": "m500", "Stat": "Average"})


class AwsCliDetectors(VigilTestCase):
    """put-anomaly-detector / describe-anomaly-detectors / delete-anomaly-detector with the aws cli
    (its own request serialisation), and the cli's rendering of vigil's errors."""

    module_server = SERVER

    def cli(self, *args):
        return aws_cli(*args, endpoint=self.endpoint)

    def test_put_describe_delete(self):
        ns = self.namespace()
        single = {"Namespace": ns, "MetricName": "load", "Stat": "p99",
                  "Dimensions": [{"Name": "Host", "Value": "a"}]}
        r = self.cli("put-anomaly-detector", "--single-metric-anomaly-detector", json.dumps(single),
                     "--configuration", json.dumps({
                         "ExcludedTimeRanges": [{"StartTime": "2026-01-01T00:00:00Z",
                                                 "EndTime": "2026-01-02T00:00:00Z"}],
                         "MetricTimezone": "America/New_York"}))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.cli("describe-anomaly-detectors", "--namespace", ns)
        self.assertEqual(r.returncode, 0, r.stderr)
        [d] = r.json["AnomalyDetectors"]
        self.assertEqual(d["SingleMetricAnomalyDetector"]["Stat"], "p99")
        self.assertEqual(d["SingleMetricAnomalyDetector"]["Dimensions"], single["Dimensions"])
        self.assertEqual(d["Configuration"]["MetricTimezone"], "America/New_York")
        self.assertEqual(len(d["Configuration"]["ExcludedTimeRanges"]), 1)
        self.assertEqual(d["StateValue"], "PENDING_TRAINING")
        r = self.cli("delete-anomaly-detector", "--single-metric-anomaly-detector", json.dumps(single))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.cli("describe-anomaly-detectors", "--namespace", ns)
        self.assertEqual(r.json["AnomalyDetectors"], [])
        r = self.cli("delete-anomaly-detector", "--single-metric-anomaly-detector", json.dumps(single))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)

    def test_invalid_time_zone(self):
        r = self.cli("put-anomaly-detector", "--namespace", self.namespace(), "--metric-name", "m",
                     "--stat", "Average", "--configuration", '{"MetricTimezone": "Nowhere/Land"}')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("InvalidParameterValue", r.stderr)


class DetectorsSurviveRestart(OwnServerTestCase):
    """Detectors are persisted in the state store: they survive SIGTERM and kill -9."""


    def test_restart(self):
        c = self.client()
        ns = self.namespace()
        c.put_anomaly_detector(Namespace=ns, MetricName="m", Stat="Sum",
                               Configuration={"MetricTimezone": "Europe/Berlin"})
        c.put_anomaly_detector(Namespace=ns, MetricName="m", Stat="p90")
        before = c.describe_anomaly_detectors(Namespace=ns)["AnomalyDetectors"]
        self.assertEqual(len(before), 2)
        self.own.restart()
        after = self.client().describe_anomaly_detectors(Namespace=ns)["AnomalyDetectors"]
        self.assertEqual(after, before)
        self.own.kill9()
        self.own.start()
        c = self.client()
        self.assertEqual(c.describe_anomaly_detectors(Namespace=ns)["AnomalyDetectors"], before)
        c.delete_anomaly_detector(Namespace=ns, MetricName="m", Stat="p90")
        self.own.restart()
        after = self.client().describe_anomaly_detectors(Namespace=ns)["AnomalyDetectors"]
        self.assertEqual([d["Stat"] for d in after], ["Sum"])


if __name__ == "__main__":
    unittest.main()
