"""GetMetricStatistics aggregation: the AWS-recorded cases of aws-recorded-answers.md §7."""

import unittest

from harness import ModuleServer
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


def summary(point):
    return {k: point[k] for k in ("SampleCount", "Sum", "Minimum", "Maximum", "Average", "Unit")
            if k in point}


@for_each_protocol(SERVER)
class _Aggregation:
    def one_point(self, c, ns, metric, **kwargs):
        points = self.stats(c, ns, metric, self.t0, self.t0 + 60, **kwargs)
        self.assertEqual(len(points), 1, points)
        self.assertEqual(points[0]["Timestamp"], ts(self.t0))
        return points[0]

    def test_values_with_counts(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Values": [1.0, 10.0],
                          "Counts": [2.0, 4.0], "Unit": "Count"}])
        self.assertEqual(summary(self.one_point(c, ns, "m")),
                         {"SampleCount": 6.0, "Sum": 42.0, "Minimum": 1.0, "Maximum": 10.0,
                          "Average": 7.0, "Unit": "Count"})

    def test_values_without_counts_count_once_each(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0),
                          "Values": [3.0, 5.0, 7.0]}])
        self.assertEqual(summary(self.one_point(c, ns, "m")),
                         {"SampleCount": 3.0, "Sum": 15.0, "Minimum": 3.0, "Maximum": 7.0,
                          "Average": 5.0, "Unit": "None"})

    def test_value_and_statistic_set_in_one_period(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 11.0},
            {"MetricName": "m", "Timestamp": ts(self.t0 + 30),
             "StatisticValues": {"SampleCount": 10.0, "Sum": 55.0, "Minimum": 1.0,
                                 "Maximum": 10.0}},
        ])
        self.assertEqual(summary(self.one_point(c, ns, "m")),
                         {"SampleCount": 11.0, "Sum": 66.0, "Minimum": 1.0, "Maximum": 11.0,
                          "Average": 6.0, "Unit": "None"})

    def test_average_is_the_full_double(self):
        c = self.client()
        ns = self.namespace()
        values = [0.0, 2.0, 4.0, 3.5, 7.0, 100.0]
        self.put(c, ns, [{"MetricName": "single", "Timestamp": ts(self.t0), "Value": v}
                         for v in values])
        self.put(c, ns, [{"MetricName": "array", "Timestamp": ts(self.t0), "Values": values}])
        for metric in ("single", "array"):
            with self.subTest(metric=metric):
                point = self.one_point(c, ns, metric)
                self.assertFloatExact(point["Average"], 19.416666666666668, "Average")
                self.assertEqual((point["Sum"], point["Minimum"], point["Maximum"],
                                  point["SampleCount"]), (116.5, 0.0, 100.0, 6.0))

    def test_zero_to_nine_without_unit(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "digits", "Timestamp": ts(self.t0 + i), "Value": float(i)}
                         for i in range(10)])
        point = self.one_point(c, ns, "digits")  # stats() also checks Label == "digits"
        self.assertEqual(summary(point), {"SampleCount": 10.0, "Sum": 45.0, "Minimum": 0.0,
                                          "Maximum": 9.0, "Average": 4.5, "Unit": "None"})

    def test_negative_values(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": -5.25},
                         {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 3.0}])
        self.assertEqual(summary(self.one_point(c, ns, "m")),
                         {"SampleCount": 2.0, "Sum": -2.25, "Minimum": -5.25, "Maximum": 3.0,
                          "Average": -1.125, "Unit": "None"})

    def test_dimensions_match_exactly(self):
        c = self.client()
        ns = self.namespace()
        one = [{"Name": "InstanceId", "Value": "one"}]
        self.put(c, ns, [
            {"MetricName": "m", "Timestamp": ts(self.t0), "Dimensions": one, "Value": 5.0},
            {"MetricName": "m", "Timestamp": ts(self.t0), "Dimensions": one, "Value": 6.0},
            {"MetricName": "m", "Timestamp": ts(self.t0),
             "Dimensions": [{"Name": "InstanceId", "Value": "two"}], "Value": 100.0},
            {"MetricName": "m", "Timestamp": ts(self.t0),
             "Dimensions": one + [{"Name": "Extra", "Value": "x"}], "Value": 1000.0},
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 10000.0},
        ])
        self.assertEqual(self.one_point(c, ns, "m", dimensions=one)["Sum"], 11.0)
        self.assertEqual(self.one_point(c, ns, "m", dimensions=[])["Sum"], 10000.0)
        self.assertEqual(self.one_point(c, ns, "m")["Sum"], 10000.0)
        self.assertEqual(self.stats(c, ns, "m", self.t0, self.t0 + 60,
                                    dimensions=[{"Name": "InstanceId", "Value": "three"}]), [])
        self.assertEqual(self.stats(c, ns, "m", self.t0, self.t0 + 60,
                                    dimensions=[{"Name": "Extra", "Value": "x"}]), [])

    def test_dimension_order_does_not_matter(self):
        c = self.client()
        ns = self.namespace()
        a, b = {"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Dimensions": [a, b],
                          "Value": 1.0},
                         {"MetricName": "m", "Timestamp": ts(self.t0), "Dimensions": [b, a],
                          "Value": 2.0}])
        for order in ([a, b], [b, a]):
            self.assertEqual(self.one_point(c, ns, "m", dimensions=order)["Sum"], 3.0)
        self.assertEqual(len(c.list_metrics(Namespace=ns)["Metrics"]), 1)

    def test_units_are_aggregated_separately(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 1.0, "Unit": "Seconds"},
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 5.0, "Unit": "Count"},
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 10.0},
        ])
        points = self.stats(c, ns, "m", self.t0, self.t0 + 60)
        self.assertEqual({p["Unit"]: (p["Sum"], p["SampleCount"]) for p in points},
                         {"Seconds": (1.0, 1.0), "Count": (5.0, 1.0), "None": (10.0, 1.0)})
        self.assertEqual(len(points), 3, points)
        only = self.stats(c, ns, "m", self.t0, self.t0 + 60, unit="Count")
        self.assertEqual([(p["Unit"], p["Sum"]) for p in only], [("Count", 5.0)])
        self.assertEqual(self.stats(c, ns, "m", self.t0, self.t0 + 60, unit="Bytes"), [])
        self.assertEqual(len(c.list_metrics(Namespace=ns)["Metrics"]), 1,
                         "units do not make separate metrics")

    def test_values_and_statistic_values_together_are_accepted(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Values": [1.0, 2.0],
                          "StatisticValues": {"SampleCount": 1, "Sum": 3.0, "Minimum": 3.0,
                                              "Maximum": 3.0}}])
        self.assertEqual(len(c.list_metrics(Namespace=ns)["Metrics"]), 1)

    def test_six_dimensions_high_resolution_period_10(self):
        c = self.client()
        ns = self.namespace()
        dims = [{"Name": f"D{i}", "Value": f"v{i}"} for i in range(6)]
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 + 2), "Dimensions": dims,
                          "Value": float(v), "StorageResolution": 1} for v in (1, 5, 3)])
        points = self.stats(c, ns, "m", self.t0, self.t0 + 60, period=10,
                            statistics=["Maximum"], dimensions=list(reversed(dims)))
        self.assertEqual([(p["Timestamp"], p["Maximum"]) for p in points], [(ts(self.t0), 5.0)])
        metrics = c.list_metrics(Namespace=ns)["Metrics"]
        self.assertEqual(len(metrics), 1)
        self.assertDimensionsEqual(metrics[0]["Dimensions"], dims)

    def test_statistic_set_only(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Unit": "Bytes",
                          "StatisticValues": {"SampleCount": 4.0, "Sum": 40.0, "Minimum": 5.0,
                                              "Maximum": 15.0}}])
        self.assertEqual(summary(self.one_point(c, ns, "m")),
                         {"SampleCount": 4.0, "Sum": 40.0, "Minimum": 5.0, "Maximum": 15.0,
                          "Average": 10.0, "Unit": "Bytes"})

    def test_extreme_but_valid_magnitudes(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 1e108},
                         {"MetricName": "m", "Timestamp": ts(self.t0), "Value": -1e108},
                         {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 1.5e-100}])
        point = self.one_point(c, ns, "m")
        self.assertEqual((point["Minimum"], point["Maximum"], point["SampleCount"]),
                         (-1e108, 1e108, 3.0))


if __name__ == "__main__":
    unittest.main()
