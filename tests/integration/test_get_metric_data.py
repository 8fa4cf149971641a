"""GetMetricData, per aws-recorded-answers.md §7 and docs/query.md, through boto3 in the three
protocols: the envelope, ordering, MaxDatapoints paging, units, labels (recorded and dynamic),
resolutions, dimensions, statistics and the validation errors."""

import unittest

from harness import ModuleServer
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

ID_PATTERN = "^[a-z][a-zA-Z0-9_]*$"


def query(qid, ns, metric, stat, period=60, unit=None, dimensions=None, **extra):
    stat_spec = {"Metric": {"Namespace": ns, "MetricName": metric,
                            "Dimensions": dimensions or []},
                 "Period": period, "Stat": stat}
    if unit:
        stat_spec["Unit"] = unit
    return {"Id": qid, "MetricStat": stat_spec, "ReturnData": True, **extra}


@for_each_protocol(SERVER)
class _GetMetricData:
    def gmd(self, c, queries, start=None, end=None, status="Complete", **kwargs):
        resp = c.get_metric_data(MetricDataQueries=queries,
                                 StartTime=ts(start if start is not None else self.t0 - 600),
                                 EndTime=ts(end if end is not None else self.t0 + 600), **kwargs)
        self.assertEqual(resp.get("Messages"), [], "Messages is always present")
        for result in resp["MetricDataResults"]:
            if status is not None:
                self.assertEqual(result["StatusCode"], status, result)
            self.assertEqual(len(result["Timestamps"]), len(result["Values"]), result)
        return resp

    def by_id(self, resp):
        return {r["Id"]: r for r in resp["MetricDataResults"]}

    def test_empty_result_envelope(self):
        c = self.client()
        resp = self.gmd(c, [query("q1", self.namespace(), "nothing", "Sum")])
        result = self.by_id(resp)["q1"]
        self.assertEqual((result["Values"], result["Timestamps"], result["Label"]),
                         ([], [], "nothing"))
        self.assertNotIn("Messages", result)
        self.assertNotIn("NextToken", resp)

    def test_default_order_is_timestamp_descending(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 + 60 * i),
                          "Value": float(i)} for i in range(5)])
        result = self.by_id(self.gmd(c, [query("q1", ns, "m", "Sum")]))["q1"]
        self.assertEqual(result["Values"], [4.0, 3.0, 2.0, 1.0, 0.0])
        self.assertEqual(result["Timestamps"], [ts(self.t0 + 60 * i) for i in (4, 3, 2, 1, 0)])
        desc = self.by_id(self.gmd(c, [query("q1", ns, "m", "Sum")],
                                   ScanBy="TimestampDescending"))["q1"]
        self.assertEqual(desc["Values"], result["Values"])
        asc = self.by_id(self.gmd(c, [query("q1", ns, "m", "Sum")],
                                  ScanBy="TimestampAscending"))["q1"]
        self.assertEqual(asc["Values"], [0.0, 1.0, 2.0, 3.0, 4.0])

    def test_max_datapoints_pages_with_next_token(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 - 60 * i),
                          "Value": float(i)} for i in range(20)])
        q = [query("q1", ns, "m", "Sum")]
        window = dict(start=self.t0 - 1200, end=self.t0 + 60)
        # A page that stops inside a query reports PartialData for it (botocore's StatusCode doc).
        first = self.gmd(c, q, MaxDatapoints=10, status="PartialData", **window)
        self.assertEqual(self.by_id(first)["q1"]["Values"], [float(i) for i in range(10)])
        self.assertIn("NextToken", first)
        second = self.gmd(c, q, MaxDatapoints=10, NextToken=first["NextToken"], **window)
        self.assertEqual(self.by_id(second)["q1"]["Values"], [float(i) for i in range(10, 20)])
        self.assertNotIn("NextToken", second)
        # Resuming is exact in ascending order too, and across queries.
        both = [query("q1", ns, "m", "Sum"), query("q2", ns, "m", "SampleCount")]
        values, token, pages = {"q1": [], "q2": []}, None, 0
        while True:
            extra = {"NextToken": token} if token else {}
            page = self.gmd(c, both, MaxDatapoints=7, ScanBy="TimestampAscending", status=None,
                            **window, **extra)
            pages += 1
            for r in page["MetricDataResults"]:
                values[r["Id"]].extend(r["Values"])
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 6)
        self.assertEqual(values["q1"], [float(i) for i in range(19, -1, -1)])
        self.assertEqual(values["q2"], [1.0] * 20)

    def test_tampered_next_token_is_invalid(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 - 60 * i), "Value": 1.0}
                         for i in range(5)])
        q = [query("q1", ns, "m", "Sum")]
        first = self.gmd(c, q, MaxDatapoints=2, status="PartialData")
        token = first["NextToken"]
        bad = token[:4] + ("A" if token[4] != "A" else "B") + token[5:]
        self.assertClientError(c.get_metric_data, "InvalidNextToken", MetricDataQueries=q,
                               StartTime=ts(self.t0 - 600), EndTime=ts(self.t0 + 600),
                               NextToken=bad)

    def test_values_with_counts(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Values": [1.0, 10.0],
                          "Counts": [2.0, 4.0], "Unit": "Count"}])
        got = self.by_id(self.gmd(c, [query("n", ns, "m", "SampleCount"),
                                      query("s", ns, "m", "Sum"),
                                      query("x", ns, "m", "Maximum")]))
        self.assertEqual([got[k]["Values"] for k in ("n", "s", "x")], [[6.0], [42.0], [10.0]])

    def test_unit_filter_and_alphabetically_first_unit(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 60000.0, "Unit": "Milliseconds"},
            {"MetricName": "m", "Timestamp": ts(self.t0 + 60), "Value": 120000.0,
             "Unit": "Milliseconds"},
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 60.0, "Unit": "Seconds"},
            {"MetricName": "m", "Timestamp": ts(self.t0 + 60), "Value": 120.0, "Unit": "Seconds"},
        ])
        seconds = self.by_id(self.gmd(c, [query("q", ns, "m", "Sum", unit="Seconds")],
                                      ScanBy="TimestampAscending"))["q"]
        self.assertEqual(seconds["Values"], [60.0, 120.0])
        self.assertNotIn("Messages", seconds)
        mixed = self.by_id(self.gmd(c, [query("q", ns, "m", "Sum")],
                                    ScanBy="TimestampAscending"))["q"]
        self.assertEqual(mixed["Values"], [60000.0, 120000.0])
        self.assertEqual(mixed.get("Messages"), [
            {"Code": "MultipleUnits",
             "Value": "Multiple units returned: '[Milliseconds, Seconds]'"}])

        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 5.0,
                          "Unit": "Count"}])
        three = self.by_id(self.gmd(c, [query("q", ns, "m", "Sum")]))["q"]
        self.assertEqual(three["Values"], [5.0])
        self.assertEqual(three.get("Messages"), [
            {"Code": "MultipleUnits",
             "Value": "Multiple units returned: '[Count, Milliseconds, Seconds]'"}])

    def test_labels(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "metric1", "Timestamp": ts(self.t0), "Value": 1.0}])
        cases = [
            ([("Sum", 60, None), ("Minimum", 30, None)], ["metric1 Sum 60", "metric1 Minimum 30"]),
            ([("Sum", 60, None), ("Minimum", 60, None)], ["metric1 Sum", "metric1 Minimum"]),
            ([("Sum", 60, None), ("Sum", 30, None)], ["metric1 60", "metric1 30"]),
            ([("Sum", 60, "Seconds"), ("Sum", 60, "Milliseconds")], ["metric1", "metric1"]),
            ([("Average", 60, None), ("Sum", 60, None), ("Minimum", 60, None),
              ("Maximum", 60, None)],
             ["metric1 Average", "metric1 Sum", "metric1 Minimum", "metric1 Maximum"]),
            ([("Sum", 60, None)], ["metric1"]),
        ]
        for specs, labels in cases:
            with self.subTest(specs=specs):
                queries = [query(f"q{i}", ns, "metric1", stat, period, unit)
                           for i, (stat, period, unit) in enumerate(specs)]
                got = self.by_id(self.gmd(c, queries))
                self.assertEqual([got[f"q{i}"]["Label"] for i in range(len(specs))], labels)

    def test_dynamic_labels_and_timezone(self):
        c = self.client()
        ns = self.namespace()
        dims = [{"Name": "Host", "Value": "web-1"}]
        self.put(c, ns, [{"MetricName": "lat", "Timestamp": ts(self.t0 + 60 * i),
                          "Dimensions": dims, "Value": v} for i, v in enumerate((3.0, 9.0, 1.0))])
        label = ("${LABEL} ${PROP('Dim.Host')} max=${MAX} at ${MAX_TIME} last=${LAST} "
                 "n=${DATAPOINT_COUNT} ${PROP('Stat')}/${PROP('Period')}")
        q = query("q", ns, "lat", "Maximum", dimensions=dims, Label=label)
        got = self.by_id(self.gmd(c, [q], LabelOptions={"Timezone": "-0400"}))["q"]
        max_time = ts(self.t0 + 60 - 4 * 3600).strftime("%Y-%m-%dT%H:%M:%S-04:00")
        self.assertEqual(got["Label"],
                         f"lat web-1 max=9 at {max_time} last=1 n=3 Maximum/60")

    def test_return_data_false_is_not_returned(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 2.0}])
        hidden = query("hidden", ns, "m", "Sum", ReturnData=False)
        resp = self.gmd(c, [hidden, query("shown", ns, "m", "Sum")])
        self.assertEqual([r["Id"] for r in resp["MetricDataResults"]], ["shown"])

    def test_30_second_period_over_standard_data(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 + s), "Value": 1.0}
                         for s in (0, 10, 35, 50)])
        result = self.by_id(self.gmd(c, [query("q", ns, "m", "SampleCount", period=30)]))["q"]
        self.assertEqual(result["Values"], [4.0])
        self.assertEqual(result["Timestamps"], [ts(self.t0)])

    def test_exact_dimensions(self):
        c = self.client()
        ns = self.namespace()
        one = [{"Name": "InstanceId", "Value": "one"}]
        self.put(c, ns, [
            {"MetricName": "m", "Timestamp": ts(self.t0), "Dimensions": one, "Value": 11.0},
            {"MetricName": "m", "Timestamp": ts(self.t0),
             "Dimensions": [{"Name": "InstanceId", "Value": "two"}], "Value": 100.0},
            {"MetricName": "m", "Timestamp": ts(self.t0), "Value": 1000.0},
        ])
        got = self.by_id(self.gmd(c, [query("a", ns, "m", "Sum", dimensions=one),
                                      query("b", ns, "m", "Sum")]))
        self.assertEqual((got["a"]["Values"], got["b"]["Values"]), ([11.0], [1000.0]))

    def test_six_dimensions_high_resolution(self):
        c = self.client()
        ns = self.namespace()
        dims = [{"Name": f"D{i}", "Value": f"v{i}"} for i in range(6)]
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0 + 1), "Dimensions": dims,
                          "Value": float(v), "StorageResolution": 1} for v in (1, 5, 2)])
        got = self.by_id(self.gmd(c, [query("q", ns, "m", "Maximum", period=10,
                                            dimensions=dims)]))
        self.assertEqual(got["q"]["Values"], [5.0])

    def test_percentiles_and_trimmed_statistics(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "lat", "Timestamp": ts(self.t0),
                          "Values": [float(v) for v in range(1, 11)]}])
        want = {"p50": 5.0, "p90": 9.0, "tm90": 5.0, "IQM": 5.5, "TM(10%:90%)": 5.5,
                "wm90": 5.4, "tc90": 9.0, "ts90": 45.0, "PR(:3)": 30.0, "TC(2:5)": 3.0}
        queries = [query(f"q{i}", ns, "lat", stat) for i, stat in enumerate(want)]
        got = self.by_id(self.gmd(c, queries))
        for i, (stat, value) in enumerate(want.items()):
            self.assertEqual(got[f"q{i}"]["Values"], [value], stat)
            self.assertEqual(got[f"q{i}"]["Label"], f"lat {stat}")

    def test_validation_errors(self):
        c = self.client()
        ns = self.namespace()
        window = dict(StartTime=ts(self.t0 - 600), EndTime=ts(self.t0 + 600))
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message=f"The value Bad for parameter MetricDataQueries.member.1.Id is not matching "
                    f"the expected pattern {ID_PATTERN}.\n",
            MetricDataQueries=[query("Bad", ns, "m", "Sum")], **window)
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="The values for parameter id in MetricDataQueries are not unique.\n",
            MetricDataQueries=[query("a", ns, "m", "Sum"), query("a", ns, "n", "Sum")], **window)
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="The value TM99 for parameter MetricDataQueries.member.1.MetricStat.Stat is "
                    "not a valid statistic.\n",
            MetricDataQueries=[query("a", ns, "m", "TM99")], **window)
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="The parameter MetricDataQueries.member.1.MetricStat.Period must be 1, 5, 10, "
                    "20, 30 or a multiple of 60.\n",
            MetricDataQueries=[query("a", ns, "m", "Sum", period=90)], **window)
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="The parameter StartTime must not equal parameter EndTime.\n",
            MetricDataQueries=[query("a", ns, "m", "Sum")], StartTime=ts(self.t0),
            EndTime=ts(self.t0))
        # Expressions are metric math (test_metric_math.py); a broken one is a ValidationError.
        self.assertClientError(
            c.get_metric_data, "ValidationError",
            message="Error in expression e1: unknown id b (position 1): no query in the request "
                    "has that Id.\n",
            MetricDataQueries=[query("a", ns, "m", "Sum"), {"Id": "e1", "Expression": "b * 2"}],
            **window)


if __name__ == "__main__":
    unittest.main()
