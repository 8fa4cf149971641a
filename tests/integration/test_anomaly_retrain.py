"""Scheduled anomaly-model retraining through the real binary on the manual clock, with boto3
(docs/anomaly-detection.md "Scheduled retraining"): POST /_vigil/clock runs the due pass,
DescribeAnomalyDetectors reports the persisted training (not an estimate from the data), the
persisted model survives a restart, and the next pass picks up the new data; metric math
detectors likewise.

Time never comes from sleeping: set_clock answers after the due pass ran."""

import math
import time
import unittest

from vigiltest import OwnServerTestCase, ts

DAY = 86400
PERIOD = 300


def pattern(t):
    return 100 + 50 * math.sin(2 * math.pi * (t % DAY) / DAY)


class RetrainedModelsSurviveRestart(OwnServerTestCase):

    server_options = {"clock": "manual"}

    def state(self, ns):
        found = self.client().describe_anomaly_detectors(Namespace=ns)["AnomalyDetectors"]
        self.assertEqual(len(found), 1)
        return found[0]["StateValue"]

    def test_pass_persists_and_restart_keeps_it(self):
        # A schedule time in the recent past: the pass as of h sees the data before it.
        h = int(time.time()) // PERIOD * PERIOD - PERIOD
        self.own.set_clock(h - 10)
        c = self.client()
        ns = self.namespace()
        c.put_anomaly_detector(Namespace=ns, MetricName="cpu", Stat="Average")
        self.put(c, ns, [{"MetricName": "cpu", "Value": pattern(t), "Timestamp": ts(t)}
                         for t in range(h - 4 * PERIOD, h, PERIOD)])
        answer = self.own.set_clock(h + 1)
        self.assertEqual(answer["retrained"], 1, answer)
        self.assertEqual(self.state(ns), "TRAINED_INSUFFICIENT_DATA")

        # A week of history arrives: the state stays the persisted training's until the next pass,
        # also across a restart (a restarted server on the manual clock retrains at its first
        # clock move).
        points = [{"MetricName": "cpu", "Value": pattern(t), "Timestamp": ts(t)}
                  for t in range(h - 7 * DAY, h - 4 * PERIOD, PERIOD)]
        for i in range(0, len(points), 500):
            self.put(c, ns, points[i:i + 500])
        self.assertEqual(self.state(ns), "TRAINED_INSUFFICIENT_DATA")
        self.own.restart()
        self.assertEqual(self.state(ns), "TRAINED_INSUFFICIENT_DATA")

        answer = self.own.set_clock(h + PERIOD + 1)
        self.assertEqual(answer["retrained"], 1, answer)
        self.assertEqual(self.state(ns), "TRAINED")

        # The band of the last block comes from the persisted model and covers the pattern.
        resp = self.client().get_metric_data(
            MetricDataQueries=[
                {"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "cpu"},
                                            "Period": PERIOD, "Stat": "Average"}},
                {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}],
            StartTime=ts(h - 3600), EndTime=ts(h + PERIOD), ScanBy="TimestampAscending")
        m, upper, lower = resp["MetricDataResults"]
        self.assertEqual(len(m["Values"]), 12)
        self.assertEqual(upper["Timestamps"], m["Timestamps"])
        for v, hi, lo in zip(m["Values"], upper["Values"], lower["Values"]):
            self.assertLessEqual(lo, v)
            self.assertGreaterEqual(hi, v)

    def math_state(self):
        found = self.client().describe_anomaly_detectors(
            AnomalyDetectorTypes=["METRIC_MATH"])["AnomalyDetectors"]
        self.assertEqual(len(found), 1)
        self.assertIn("MetricMathAnomalyDetector", found[0])
        return found[0]["StateValue"]

    def test_math_detector_is_retrained_and_survives_restart(self):
        # A MetricMathAnomalyDetector (e1 = m1 * 2) is trained by the pass like a single-metric
        # one: Describe reports the persisted training, which survives a restart.
        h = int(time.time()) // PERIOD * PERIOD - PERIOD
        self.own.set_clock(h - 10)
        c = self.client()
        ns = self.namespace()
        queries = [
            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "cpu"},
                                        "Period": PERIOD, "Stat": "Average"},
             "ReturnData": False},
            {"Id": "e1", "Expression": "m1 * 2", "ReturnData": True}]
        c.put_anomaly_detector(MetricMathAnomalyDetector={"MetricDataQueries": queries})
        self.put(c, ns, [{"MetricName": "cpu", "Value": pattern(t), "Timestamp": ts(t)}
                         for t in range(h - 4 * PERIOD, h, PERIOD)])
        answer = self.own.set_clock(h + 1)
        self.assertEqual(answer["retrained"], 1, answer)
        self.assertEqual(self.math_state(), "TRAINED_INSUFFICIENT_DATA")

        # A week of history: still the persisted training (an estimate would say TRAINED) until
        # the next pass, across a restart too.
        points = [{"MetricName": "cpu", "Value": pattern(t), "Timestamp": ts(t)}
                  for t in range(h - 7 * DAY, h - 4 * PERIOD, PERIOD)]
        for i in range(0, len(points), 500):
            self.put(c, ns, points[i:i + 500])
        self.assertEqual(self.math_state(), "TRAINED_INSUFFICIENT_DATA")
        self.own.restart()
        self.assertEqual(self.math_state(), "TRAINED_INSUFFICIENT_DATA")
        answer = self.own.set_clock(h + PERIOD + 1)
        self.assertEqual(answer["retrained"], 1, answer)
        self.assertEqual(self.math_state(), "TRAINED")
        self.own.restart()
        self.assertEqual(self.math_state(), "TRAINED")

        # The band of the expression (its last block from the persisted model) covers it.
        resp = self.client().get_metric_data(
            MetricDataQueries=queries + [{"Id": "band",
                                          "Expression": "ANOMALY_DETECTION_BAND(e1, 2)"}],
            StartTime=ts(h - 3600), EndTime=ts(h + PERIOD), ScanBy="TimestampAscending")
        e, upper, lower = resp["MetricDataResults"]
        self.assertEqual(e["Id"], "e1")
        self.assertEqual(len(e["Values"]), 12)
        self.assertEqual(upper["Timestamps"], e["Timestamps"])
        for v, hi, lo in zip(e["Values"], upper["Values"], lower["Values"]):
            self.assertLessEqual(lo, v)
            self.assertGreaterEqual(hi, v)


if __name__ == "__main__":
    unittest.main()
