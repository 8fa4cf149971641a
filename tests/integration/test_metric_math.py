"""Metric math (docs/metric-math.md) through GetMetricData with boto3 in the three protocols and
the aws cli: expressions over MetricStat queries in any order, ReturnData, labels, arrays as
several results with one Id, FILL/RATE/IF, SEARCH, paging that resumes exactly, and the
validation errors with their positions."""

import json
import unittest

from harness import ModuleServer, aws_cli
from vigiltest import VigilTestCase, epoch_minute, for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


def iso(epoch):
    return ts(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def metric(qid, ns, name, stat="Sum", return_data=True, dimensions=None, label=None):
    q = {"Id": qid, "ReturnData": return_data,
         "MetricStat": {"Metric": {"Namespace": ns, "MetricName": name,
                                   "Dimensions": dimensions or []},
                        "Period": 60, "Stat": stat}}
    if label is not None:
        q["Label"] = label
    return q


def expr(qid, expression, label=None, **extra):
    q = {"Id": qid, "Expression": expression, **extra}
    if label is not None:
        q["Label"] = label
    return q


@for_each_protocol(SERVER)
class _MetricMath:
    def setUp(self):
        super().setUp()
        self.ns = self.namespace()
        c = self.client()
        # requests 10 20 30 40 at minutes 0..3; errors 1 at minute 1 and 4 at minute 3;
        # latency per host a/b: 100/110 at minutes 0..2.
        data = [{"MetricName": "requests", "Timestamp": ts(self.t0 + 60 * i),
                 "Value": 10.0 * (i + 1)} for i in range(4)]
        data += [{"MetricName": "errors", "Timestamp": ts(self.t0 + 60), "Value": 1.0},
                 {"MetricName": "errors", "Timestamp": ts(self.t0 + 180), "Value": 4.0}]
        for k, host in enumerate("ab"):
            data += [{"MetricName": "latency", "Dimensions": [{"Name": "Host", "Value": host}],
                      "Timestamp": ts(self.t0 + 60 * i), "Value": 100.0 + 10 * k}
                     for i in range(3)]
        self.put(c, self.ns, data)

    def call(self, c, queries, **kwargs):
        kwargs.setdefault("ScanBy", "TimestampAscending")
        resp = c.get_metric_data(MetricDataQueries=queries, StartTime=ts(self.t0),
                                 EndTime=ts(self.t0 + 300), **kwargs)
        self.assertEqual(resp["Messages"], [])
        return resp

    def gmd(self, c, queries, **kwargs):
        return self.call(c, queries, **kwargs)["MetricDataResults"]

    def test_error_rate_from_hidden_inputs(self):
        c = self.client()
        results = self.gmd(c, [metric("errors", self.ns, "errors", return_data=False),
                               metric("requests", self.ns, "requests", return_data=False),
                               expr("rate", "100 * errors / requests", "Error rate")])
        self.assertEqual(len(results), 1)
        r = results[0]
        self.assertEqual((r["Id"], r["Label"], r["StatusCode"]), ("rate", "Error rate", "Complete"))
        self.assertEqual(r["Values"], [0.0, 5.0, 0.0, 10.0])
        self.assertEqual(r["Timestamps"], [ts(self.t0 + 60 * i) for i in range(4)])

    def test_queries_refer_to_each_other_in_any_order(self):
        c = self.client()
        results = self.gmd(c, [expr("e2", "e1 - requests"), metric("requests", self.ns, "requests"),
                               expr("e1", "requests * 2")], ScanBy="TimestampDescending")
        self.assertEqual([r["Id"] for r in results], ["e2", "requests", "e1"])
        self.assertEqual(results[0]["Label"], "e2")
        self.assertEqual(results[0]["Values"], [40.0, 30.0, 20.0, 10.0])
        self.assertEqual(results[2]["Values"], [80.0, 60.0, 40.0, 20.0])

    def test_arrays_are_several_results_with_one_id(self):
        c = self.client()
        hosts = [metric(h, self.ns, "latency", "Average", False,
                        [{"Name": "Host", "Value": h}], label=f"host {h}") for h in "ab"]
        results = self.gmd(c, hosts + [expr("filled", "FILL(METRICS(), 0)", "Filled:")])
        self.assertEqual([(r["Id"], r["Label"]) for r in results],
                         [("filled", "Filled: host a"), ("filled", "Filled: host b")])
        self.assertEqual(results[1]["Values"], [110.0, 110.0, 110.0, 0.0, 0.0])
        results = self.gmd(c, hosts + [expr("total", "SUM(METRICS())"),
                                       expr("hot", "IF(METRICS('b') > 105, 1, 0)")])
        self.assertEqual(results[0]["Values"], [210.0] * 3)
        self.assertEqual((results[1]["Id"], results[1]["Label"]), ("hot", "host b"))
        self.assertEqual(results[1]["Values"], [1.0] * 3)

    def test_rate_diff_and_running_sum(self):
        c = self.client()
        r = metric("r", self.ns, "requests", return_data=False)
        results = self.gmd(c, [r, expr("rate", "RATE(r)"), expr("diff", "DIFF(r)"),
                               expr("sum", "RUNNING_SUM(r)")])
        by_id = {x["Id"]: x["Values"] for x in results}
        self.assertEqual(by_id["diff"], [10.0, 10.0, 10.0])
        self.assertEqual(by_id["rate"], [10 / 60] * 3)
        self.assertEqual(by_id["sum"], [10.0, 30.0, 60.0, 100.0])

    def test_search(self):
        c = self.client()
        search = f"SEARCH('{{{self.ns},Host}} MetricName=\"latency\"', 'Maximum', 60)"
        results = self.gmd(c, [expr("s", search), expr("worst", f"MAX({search})")])
        self.assertEqual([(r["Id"], r["Label"]) for r in results],
                         [("s", "a latency"), ("s", "b latency"), ("worst", "worst")])
        self.assertEqual(results[2]["Values"], [110.0] * 3)

    def test_paging_resumes_exactly(self):
        c = self.client()
        queries = [metric("r", self.ns, "requests", return_data=False),
                   expr("arr", "[r, r * 2]"), expr("cum", "RUNNING_SUM(r)")]
        full = self.gmd(c, queries)
        merged, token, pages = [], None, 0
        while True:
            kwargs = {"MaxDatapoints": 3}
            if token:
                kwargs["NextToken"] = token
            resp = self.call(c, queries, **kwargs)
            for r in resp["MetricDataResults"]:
                if merged and merged[-1]["Id"] == r["Id"] and \
                        merged[-1]["StatusCode"] == "PartialData":
                    merged[-1]["Values"] += r["Values"]
                    merged[-1]["StatusCode"] = r["StatusCode"]
                else:
                    merged.append(r)
            pages += 1
            token = resp.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 20)
        self.assertEqual(pages, 4)
        self.assertEqual([(r["Id"], r["Label"], r["Values"]) for r in merged],
                         [(r["Id"], r["Label"], r["Values"]) for r in full])

    def test_validation_errors_name_the_position(self):
        c = self.client()
        window = dict(StartTime=ts(self.t0), EndTime=ts(self.t0 + 300))
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="Error in expression e1: syntax error at position 6: expected an operand "
                    "after '*' but found ')'.\n",
            MetricDataQueries=[metric("m1", self.ns, "requests"), expr("e1", "(m1 *)")], **window)
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="Error in expression e1: circular reference e1 -> e2 -> e1.\n",
            MetricDataQueries=[expr("e1", "e2 + 1"), expr("e2", "e1 * 2")], **window)
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="Error in expression band: ANOMALY_DETECTION_BAND at position 1: the band "
                    "width (number of standard deviations) must be a number greater than 0.\n",
            MetricDataQueries=[metric("m1", self.ns, "requests"),
                               expr("band", "ANOMALY_DETECTION_BAND(m1, 0)")], **window)


class MetricMathCli(VigilTestCase):
    module_server = SERVER

    def test_aws_cli_get_metric_data_with_an_expression(self):
        ns = self.namespace()
        t0 = epoch_minute(-30)
        c = self.client()
        self.put(c, ns, [{"MetricName": "hits", "Timestamp": ts(t0 + 60 * i), "Value": float(i)}
                         for i in range(3)])
        queries = [metric("m1", ns, "hits", return_data=False),
                   expr("e1", "m1 ^ 2 + 1", "squared")]
        result = aws_cli("get-metric-data", "--metric-data-queries", json.dumps(queries),
                         "--start-time", iso(t0), "--end-time", iso(t0 + 300),
                         "--scan-by", "TimestampAscending", endpoint=self.endpoint)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        results = result.json["MetricDataResults"]
        self.assertEqual([(r["Id"], r["Label"], r["Values"]) for r in results],
                         [("e1", "squared", [1.0, 2.0, 5.0])])


if __name__ == "__main__":
    unittest.main()
