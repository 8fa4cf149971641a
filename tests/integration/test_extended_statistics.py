"""Percentiles and trimmed statistics (docs/query.md "Statistics") through boto3 in the three
protocols (GetMetricStatistics ExtendedStatistics and GetMetricData Stat) and through the aws cli
(get-metric-data with a file of queries, get-metric-statistics --extended-statistics)."""

import json
import tempfile
import unittest
from pathlib import Path

from harness import ModuleServer, aws_cli
from vigiltest import VigilTestCase, epoch_minute, for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

# Hand-computed over the values 1..10 (nearest rank; docs/query.md has the worked examples).
ONE_TO_TEN = {"p0": 1.0, "p10": 1.0, "p25": 3.0, "p50": 5.0, "p90": 9.0, "p99.9": 10.0,
              "p100": 10.0, "tm90": 5.0, "IQM": 5.5, "TM(10%:90%)": 5.5, "TM(2:5)": 4.0,
              "wm90": 5.4, "WM(10%:90%)": 5.5, "tc90": 9.0, "TC(:0.5)": 0.0, "ts90": 45.0,
              "TS(80%:)": 19.0, "PR(:3)": 30.0, "PR(2:5)": 30.0, "TM(:95%)": 5.5, "TC(2:5)": 3.0}


def iso(epoch):
    return ts(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


@for_each_protocol(SERVER)
class _ExtendedStatistics:
    def put_one_to_ten(self, c, ns, metric="lat", at=None):
        self.put(c, ns, [{"MetricName": metric, "Timestamp": ts(self.t0 if at is None else at),
                          "Values": [float(v) for v in range(1, 11)], "Unit": "Milliseconds"}])

    def extended(self, c, ns, metric, stats, **kwargs):
        resp = c.get_metric_statistics(Namespace=ns, MetricName=metric, StartTime=ts(self.t0 - 600),
                                       EndTime=ts(self.t0 + 600), Period=60,
                                       ExtendedStatistics=stats, **kwargs)
        self.assertEqual(resp["Label"], metric)
        return sorted(resp["Datapoints"], key=lambda d: d["Timestamp"])

    def test_get_metric_statistics_extended_statistics(self):
        c = self.client()
        ns = self.namespace()
        self.put_one_to_ten(c, ns)
        names = list(ONE_TO_TEN)
        for chunk in (names[i:i + 10] for i in range(0, len(names), 10)):  # at most 10 a call
            points = self.extended(c, ns, "lat", chunk)
            self.assertEqual(len(points), 1, points)
            self.assertEqual(points[0]["Timestamp"], ts(self.t0))
            self.assertEqual(points[0]["Unit"], "Milliseconds")
            self.assertNotIn("Sum", points[0])
            self.assertEqual(points[0]["ExtendedStatistics"],
                             {k: ONE_TO_TEN[k] for k in chunk})

    def test_get_metric_data_stat(self):
        c = self.client()
        ns = self.namespace()
        self.put_one_to_ten(c, ns)
        queries = [{"Id": f"q{i}", "MetricStat": {
            "Metric": {"Namespace": ns, "MetricName": "lat"}, "Period": 60, "Stat": stat}}
            for i, stat in enumerate(ONE_TO_TEN)]
        resp = c.get_metric_data(MetricDataQueries=queries, StartTime=ts(self.t0 - 600),
                                 EndTime=ts(self.t0 + 600))
        got = {r["Id"]: r["Values"] for r in resp["MetricDataResults"]}
        for i, (stat, value) in enumerate(ONE_TO_TEN.items()):
            self.assertEqual(got[f"q{i}"], [value], stat)

    def test_negative_values_and_statistic_sets_have_no_percentiles(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [
            {"MetricName": "m", "Timestamp": ts(self.t0), "Values": [-1.0, 3.0]},
            {"MetricName": "m", "Timestamp": ts(self.t0 + 60), "Value": 7.0},
            {"MetricName": "m", "Timestamp": ts(self.t0 + 120),
             "StatisticValues": {"SampleCount": 4.0, "Sum": 10.0, "Minimum": 1.0,
                                 "Maximum": 4.0}},
            {"MetricName": "m", "Timestamp": ts(self.t0 + 180),
             "StatisticValues": {"SampleCount": 3.0, "Sum": 6.0, "Minimum": 2.0,
                                 "Maximum": 2.0}},
        ])
        points = self.extended(c, ns, "m", ["p50"])
        self.assertEqual([(p["Timestamp"], p["ExtendedStatistics"]) for p in points],
                         [(ts(self.t0 + 60), {"p50": 7.0}), (ts(self.t0 + 180), {"p50": 2.0})])
        basic = self.stats(c, ns, "m", self.t0 - 600, self.t0 + 600, statistics=["Sum"])
        self.assertEqual(len(basic), 4)

    def test_invalid_statistics(self):
        c = self.client()
        ns = self.namespace()
        for bad in ("P99", "tm(10%:90%)", "TM99", "p101", "Sum"):
            with self.subTest(stat=bad):
                self.assertClientError(
                    c.get_metric_statistics, "InvalidParameterValue",
                    message=f"The value {bad} for parameter ExtendedStatistics.member.1 is not a "
                            "valid statistic.",
                    Namespace=ns, MetricName="m", StartTime=ts(self.t0 - 600),
                    EndTime=ts(self.t0 + 600), Period=60, ExtendedStatistics=[bad])
        self.assertClientError(
            c.get_metric_statistics, "InvalidParameterCombination", Namespace=ns,
            MetricName="m", StartTime=ts(self.t0 - 600), EndTime=ts(self.t0 + 600), Period=60,
            Statistics=["Sum"], ExtendedStatistics=["p99"])


class ExtendedStatisticsCli(VigilTestCase):
    module_server = SERVER

    def cli(self, *args):
        result = aws_cli(*args, endpoint=self.endpoint)
        self.assertEqual(result.returncode, 0, f"{result.args}\n{result.stderr[-3000:]}")
        return result.json

    def test_get_metric_data_and_get_metric_statistics(self):
        ns = self.namespace()
        t0 = epoch_minute(-30)
        self.cli("put-metric-data", "--namespace", ns, "--metric-data", json.dumps(
            [{"MetricName": "lat", "Timestamp": iso(t0), "Values": list(range(1, 11))}]))
        stats = ["p50", "p90", "tm90", "IQM", "TC(2:5)", "PR(:3)"]
        queries = [{"Id": f"q{i}", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "lat"},
                                                  "Period": 60, "Stat": s}}
                   for i, s in enumerate(stats)]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "queries.json"
            path.write_text(json.dumps(queries))
            out = self.cli("get-metric-data", "--metric-data-queries", f"file://{path}",
                           "--start-time", iso(t0 - 600), "--end-time", iso(t0 + 600))
        self.assertEqual(out["Messages"], [])
        got = {r["Id"]: (r["Label"], r["Values"], r["StatusCode"])
               for r in out["MetricDataResults"]}
        for i, s in enumerate(stats):
            self.assertEqual(got[f"q{i}"], (f"lat {s}", [ONE_TO_TEN[s]], "Complete"), s)

        points = self.cli("get-metric-statistics", "--namespace", ns, "--metric-name", "lat",
                          "--start-time", iso(t0 - 600), "--end-time", iso(t0 + 600),
                          "--period", "60", "--extended-statistics", "p50", "p99.9", "IQM")
        self.assertEqual(len(points["Datapoints"]), 1, points)
        self.assertEqual(points["Datapoints"][0]["ExtendedStatistics"],
                         {"p50": 5.0, "p99.9": 10.0, "IQM": 5.5})

    def test_cli_pages_get_metric_data_itself(self):
        ns = self.namespace()
        t0 = epoch_minute(-30)
        self.cli("put-metric-data", "--namespace", ns, "--metric-data", json.dumps(
            [{"MetricName": "m", "Timestamp": iso(t0 - 60 * i), "Value": i} for i in range(12)]))
        queries = [{"Id": "q", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "m"},
                                              "Period": 60, "Stat": "Sum"}}]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "queries.json"
            path.write_text(json.dumps(queries))
            # --page-size sets MaxDatapoints; the cli follows NextToken and merges the pages.
            out = self.cli("get-metric-data", "--metric-data-queries", f"file://{path}",
                           "--start-time", iso(t0 - 900), "--end-time", iso(t0 + 60),
                           "--page-size", "5")
        values = [v for r in out["MetricDataResults"] for v in r["Values"]]
        self.assertEqual(values, [float(i) for i in range(12)])


if __name__ == "__main__":
    unittest.main()
