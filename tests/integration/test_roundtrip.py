"""PutMetricData -> ListMetrics -> GetMetricStatistics through boto3 in each protocol."""

import unittest

from harness import ModuleServer
from vigiltest import ALL_STATISTICS, for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

RESPONSE_CONTENT_TYPE = {"json": "application/x-amz-json-1.0", "cbor": "application/cbor",
                         "query": "text/xml"}


@for_each_protocol(SERVER)
class _RoundTrip:
    def test_put_list_statistics(self):
        c = self.client()
        ns = self.namespace()
        dims = [{"Name": "Host", "Value": "h1"}, {"Name": "Az", "Value": "us-east-1a"}]
        t0 = self.t0
        resp = self.put(c, ns, [
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": ts(t0), "Value": 12.5,
             "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": ts(t0 + 60),
             "Values": [1.0, 2.0, 3.0], "Counts": [1.0, 1.0, 2.0], "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": ts(t0 + 120),
             "StatisticValues": {"SampleCount": 4, "Sum": 40.0, "Minimum": 5.0,
                                 "Maximum": 15.0},
             "Unit": "Milliseconds", "StorageResolution": 60},
        ])
        self.assertEqual(set(resp) - {"ResponseMetadata"}, set(), "PutMetricData has no output")

        metrics = c.list_metrics(Namespace=ns)["Metrics"]
        self.assertEqual(len(metrics), 1, metrics)
        self.assertEqual(metrics[0]["Namespace"], ns)
        self.assertEqual(metrics[0]["MetricName"], "Latency")
        self.assertDimensionsEqual(metrics[0]["Dimensions"], dims)

        points = self.stats(c, ns, "Latency", t0, t0 + 180, dimensions=dims)
        self.assertEqual([p["Timestamp"] for p in points], [ts(t0), ts(t0 + 60), ts(t0 + 120)])
        want = [  # SampleCount, Sum, Minimum, Maximum, Average
            (1.0, 12.5, 12.5, 12.5, 12.5),
            (4.0, 9.0, 1.0, 3.0, 2.25),  # Values 1, 2, 3 with Counts 1, 1, 2
            (4.0, 40.0, 5.0, 15.0, 10.0),
        ]
        for point, (count, total, lo, hi, avg) in zip(points, want):
            self.assertEqual((point["SampleCount"], point["Sum"], point["Minimum"],
                              point["Maximum"], point["Average"]), (count, total, lo, hi, avg),
                             point)
            self.assertEqual(point["Unit"], "Milliseconds")

        whole = self.stats(c, ns, "Latency", t0, t0 + 180, period=180, dimensions=dims)
        self.assertEqual(len(whole), 1, whole)
        self.assertEqual(whole[0]["Timestamp"], ts(t0))
        self.assertEqual((whole[0]["SampleCount"], whole[0]["Sum"], whole[0]["Minimum"],
                          whole[0]["Maximum"]), (9.0, 61.5, 1.0, 15.0))

        for resp in c.vigil_traffic.responses:
            ctype = resp.headers.get("content-type", "").split(";")[0].strip()
            self.assertEqual(ctype, RESPONSE_CONTENT_TYPE[self.protocol], resp)
            if self.protocol == "cbor":
                self.assertEqual(resp.headers.get("smithy-protocol"), "rpc-v2-cbor")

    def test_point_is_stamped_with_its_period_start(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 + 17), "Value": 1.0},
                         {"MetricName": "m", "Timestamp": ts(self.t0 + 42), "Value": 3.0}])
        points = self.stats(c, ns, "m", self.t0 - 600, self.t0 + 600)
        self.assertEqual(len(points), 1, points)
        self.assertEqual(points[0]["Timestamp"], ts(self.t0))
        self.assertEqual(points[0]["SampleCount"], 2.0)
        self.assertEqual(points[0]["Average"], 2.0)

    def test_start_inclusive_end_exclusive(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 + 60 * i), "Value": 10.0 ** i}
                         for i in range(3)])
        points = self.stats(c, ns, "m", self.t0 + 60, self.t0 + 120)
        self.assertEqual([(p["Timestamp"], p["Sum"]) for p in points], [(ts(self.t0 + 60), 10.0)])

    def test_only_requested_statistics_are_returned(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 4.0}])
        points = self.stats(c, ns, "m", self.t0, self.t0 + 60, statistics=["Sum", "Maximum"])
        self.assertEqual(len(points), 1)
        self.assertEqual(set(points[0]), {"Timestamp", "Sum", "Maximum", "Unit"})
        self.assertEqual((points[0]["Sum"], points[0]["Maximum"]), (4.0, 4.0))

    def test_no_data_gives_empty_datapoints_and_the_label(self):
        c = self.client()
        resp = c.get_metric_statistics(Namespace=self.namespace(), MetricName="nothing",
                                       StartTime=ts(self.t0), EndTime=ts(self.t0 + 600),
                                       Period=60, Statistics=ALL_STATISTICS)
        self.assertEqual(resp["Datapoints"], [])
        self.assertEqual(resp["Label"], "nothing")

    def test_high_resolution_periods(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "hr", "Timestamp": ts(self.t0 + s), "Value": float(s + 1),
                          "StorageResolution": 1} for s in range(40)])
        expected = {  # period -> [(offset, sum)]
            1: [(s, float(s + 1)) for s in range(40)],
            5: [(b, float(sum(range(b + 1, b + 6)))) for b in range(0, 40, 5)],
            10: [(b, float(sum(range(b + 1, b + 11)))) for b in range(0, 40, 10)],
            20: [(0, 210.0), (20, 610.0)],
            30: [(0, 465.0), (30, 355.0)],
            60: [(0, 820.0)],
        }
        for period, want in expected.items():
            with self.subTest(period=period):
                points = self.stats(c, ns, "hr", self.t0, self.t0 + 60, period=period,
                                    statistics=["Sum", "SampleCount"])
                self.assertEqual([(p["Timestamp"], p["Sum"]) for p in points],
                                 [(ts(self.t0 + off), total) for off, total in want])

    def test_period_90_is_rejected(self):
        # Valid periods are 1, 5, 10, 20, 30 and multiples of 60. The exact message was not
        # recorded, so only the code is pinned.
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 1.0}])
        self.assertClientError(c.get_metric_statistics, "InvalidParameterValue",
                               Namespace=ns, MetricName="m", StartTime=ts(self.t0),
                               EndTime=ts(self.t0 + 600), Period=90, Statistics=["Sum"])


if __name__ == "__main__":
    unittest.main()
