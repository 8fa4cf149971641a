"""Anomaly detection band alarms and metric math anomaly detectors through the real binary on the
manual clock, with boto3 in the three protocols (docs/alarms.md "Anomaly detection alarms",
docs/anomaly-detection.md "Using it"): three days of a daily pattern with PutMetricData, an alarm
on ANOMALY_DETECTION_BAND(m1, 2) with ThresholdMetricId, the clock moved with POST /_vigil/clock:
a normal value keeps it OK, a value far outside the band puts it in ALARM with AWS's reason form
and StateReasonData; PutMetricAlarm's band validation; MetricMathAnomalyDetector
Put/Describe/Delete.

Time never comes from sleeping: set_clock / advance_clock answer after every due evaluation ran."""

import json
import math
import time

from harness import ModuleServer
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer(clock="manual")
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

DAY = 86400
PERIOD = 300


def smooth(t: int) -> float:
    """A daily sine around 100."""
    return 100 + 50 * math.sin(2 * math.pi * (t % DAY) / DAY)


def pattern(t: int) -> float:
    """The daily sine with a deterministic wobble of +-3 (what the history holds)."""
    return smooth(t) + ((t // PERIOD) * 7919 % 13 - 6) * 0.5


def metric_stat(ns: str, metric: str = "cpu") -> dict:
    return {"Metric": {"Namespace": ns, "MetricName": metric}, "Period": PERIOD,
            "Stat": "Average"}


@for_each_protocol(SERVER)
class _BandAlarms:
    server = property(lambda self: self.module_server.server)

    def setUp(self):
        super().setUp()
        self.ns = self.namespace()
        # An hour boundary a few hours back: the band's model is retrained per hour, and every
        # point below is inside PutMetricData's window on the moved clock.
        self.h = int(time.time()) // 3600 * 3600 - 3 * 3600

    def feed_history(self, c, days: int = 3):
        points = [{"MetricName": "cpu", "Timestamp": ts(t), "Value": pattern(t)}
                  for t in range(self.h - days * DAY, self.h, PERIOD)]
        for i in range(0, len(points), 500):
            self.put(c, self.ns, points[i:i + 500])

    def band_alarm(self, c, name, op="LessThanLowerOrGreaterThanUpperThreshold", **extra):
        c.put_metric_alarm(
            AlarmName=name, EvaluationPeriods=1, ComparisonOperator=op, ThresholdMetricId="ad1",
            Metrics=[{"Id": "m1", "MetricStat": metric_stat(self.ns), "ReturnData": True},
                     {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)",
                      "Label": "cpu (expected)", "ReturnData": True}],
            **extra)

    def describe(self, c, name):
        alarms = c.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        self.assertEqual(len(alarms), 1, name)
        return alarms[0]

    def test_normal_value_stays_ok_and_outlier_alarms(self):
        c = self.client()
        self.server.set_clock(self.h - 5)
        self.feed_history(c)
        name = f"{self.ns}/band"
        self.band_alarm(c, name)
        a = self.describe(c, name)
        self.assertEqual(a["ThresholdMetricId"], "ad1")
        self.assertNotIn("Threshold", a)
        self.assertEqual([m["Id"] for m in a["Metrics"]], ["m1", "ad1"])
        self.assertEqual(a["Metrics"][1]["Expression"], "ANOMALY_DETECTION_BAND(m1, 2)")
        self.assertEqual(a["StateValue"], "INSUFFICIENT_DATA")

        # A value on the pattern: inside the band.
        self.put(c, self.ns, [{"MetricName": "cpu", "Timestamp": ts(self.h + 10),
                               "Value": smooth(self.h)}])
        answer = self.server.set_clock(self.h + PERIOD)
        self.assertGreaterEqual(answer["evaluations"], 1)
        a = self.describe(c, name)
        self.assertEqual(a["StateValue"], "OK", a["StateReason"])
        self.assertIn("was not less than the lower thresholds [", a["StateReason"])
        self.assertIn("or not greater than the upper thresholds [", a["StateReason"])

        # Far above the band: ALARM, with AWS's band reason and reason data.
        self.put(c, self.ns, [{"MetricName": "cpu", "Timestamp": ts(self.h + PERIOD + 10),
                               "Value": 1000.0}])
        self.server.set_clock(self.h + 2 * PERIOD)
        a = self.describe(c, name)
        self.assertEqual(a["StateValue"], "ALARM", a["StateReason"])
        self.assertTrue(a["StateReason"].startswith(
            "Thresholds Crossed: 1 out of the last 1 datapoints [1000.0 ("), a["StateReason"])
        self.assertIn("] or greater than the upper thresholds [", a["StateReason"])
        self.assertTrue(a["StateReason"].endswith(
            "(minimum 1 datapoint for OK -> ALARM transition)."), a["StateReason"])
        data = json.loads(a["StateReasonData"])
        self.assertEqual(data["recentDatapoints"], [1000.0])
        self.assertEqual(len(data["recentLowerThresholds"]), 1)
        self.assertEqual(len(data["recentUpperThresholds"]), 1)
        self.assertLess(data["recentUpperThresholds"][0], 1000.0)
        self.assertNotIn("threshold", data)
        history = c.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate",
                                           ScanBy="TimestampAscending")["AlarmHistoryItems"]
        self.assertEqual(history[-1]["HistorySummary"], "Alarm updated from OK to ALARM")

    def test_upper_only_ignores_a_dip(self):
        c = self.client()
        self.server.set_clock(self.h - 5)
        self.feed_history(c)
        name = f"{self.ns}/upper"
        self.band_alarm(c, name, op="GreaterThanUpperThreshold")
        self.put(c, self.ns, [{"MetricName": "cpu", "Timestamp": ts(self.h + 10), "Value": 0.0}])
        self.server.set_clock(self.h + PERIOD)
        a = self.describe(c, name)
        self.assertEqual(a["StateValue"], "OK", a["StateReason"])
        self.assertIn("was not greater than the upper thresholds [", a["StateReason"])
        data = json.loads(a["StateReasonData"])
        self.assertNotIn("recentLowerThresholds", data)
        self.assertEqual(data["evaluatedDatapoints"][0]["threshold"],
                         data["recentUpperThresholds"][0])

    def test_validation(self):
        c = self.client()
        metrics = [{"Id": "m1", "MetricStat": metric_stat(self.ns), "ReturnData": True},
                   {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)",
                    "ReturnData": True}]
        base = dict(AlarmName=f"{self.ns}/v", EvaluationPeriods=1, Metrics=metrics)
        self.assertClientError(c.put_metric_alarm, "ValidationError",
                               message="ComparisonOperators for ranges require ThresholdMetricId "
                                       "to be set",
                               ComparisonOperator="GreaterThanUpperThreshold", **base)
        self.assertClientError(c.put_metric_alarm, "InvalidParameterCombination",
                               ComparisonOperator="GreaterThanUpperThreshold",
                               ThresholdMetricId="ad1", Threshold=1.0, **base)
        self.assertClientError(c.put_metric_alarm, "ValidationError",
                               message_contains="ANOMALY_DETECTION_BAND",
                               ComparisonOperator="GreaterThanUpperThreshold",
                               ThresholdMetricId="m1", **base)
        # botocore's PutMetricAlarm: "Alarms based on anomaly detection models cannot have Auto
        # Scaling actions".
        policy = ("arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0e8c7f2a:"
                  "autoScalingGroupName/web:policyName/scale-out")
        self.assertClientError(c.put_metric_alarm, "ValidationError",
                               message="Alarms based on anomaly detection models cannot have "
                                       f"Auto Scaling actions: AlarmActions has {policy}.",
                               ComparisonOperator="GreaterThanUpperThreshold",
                               ThresholdMetricId="ad1", AlarmActions=[policy], **base)
        self.assertEqual(c.describe_alarms(AlarmNamePrefix=self.ns)["MetricAlarms"], [])


@for_each_protocol(SERVER)
class _MetricMathDetectors:
    def test_put_describe_delete(self):
        c = self.client()
        ns = self.namespace()
        queries = [{"Id": "m1", "MetricStat": metric_stat(ns), "ReturnData": False},
                   {"Id": "e1", "Expression": "m1 * 2", "ReturnData": True}]
        c.put_anomaly_detector(MetricMathAnomalyDetector={"MetricDataQueries": queries},
                               Configuration={"MetricTimezone": "Europe/Berlin"})
        found = c.describe_anomaly_detectors(
            AnomalyDetectorTypes=["METRIC_MATH"])["AnomalyDetectors"]
        mine = [d for d in found
                if d["MetricMathAnomalyDetector"]["MetricDataQueries"][0]["MetricStat"]
                ["Metric"]["Namespace"] == ns]
        self.assertEqual(len(mine), 1)
        d = mine[0]
        self.assertEqual([q["Id"] for q in d["MetricMathAnomalyDetector"]["MetricDataQueries"]],
                         ["m1", "e1"])
        self.assertNotIn("SingleMetricAnomalyDetector", d)
        self.assertEqual(d["Configuration"]["MetricTimezone"], "Europe/Berlin")
        self.assertEqual(d["StateValue"], "PENDING_TRAINING")
        self.assertEqual(c.describe_anomaly_detectors(
            Namespace=ns, AnomalyDetectorTypes=["METRIC_MATH"])["AnomalyDetectors"], [])
        # Without AnomalyDetectorTypes only single-metric detectors are listed (botocore: "If
        # empty, defaults to SINGLE_METRIC").
        pages = c.get_paginator("describe_anomaly_detectors").paginate()
        listed = [d for page in pages for d in page["AnomalyDetectors"]]
        self.assertEqual([d for d in listed if "MetricMathAnomalyDetector" in d], [])
        c.delete_anomaly_detector(MetricMathAnomalyDetector={"MetricDataQueries": queries})
        self.assertClientError(c.delete_anomaly_detector, "ResourceNotFoundException", 404,
                               MetricMathAnomalyDetector={"MetricDataQueries": queries})
        two = [dict(q, ReturnData=True) for q in queries]
        self.assertClientError(c.put_anomaly_detector, "ValidationError",
                               MetricMathAnomalyDetector={"MetricDataQueries": two})
