"""SEARCH expressions and Metrics Insights inside GetMetricData (docs/search-and-insights.md),
through boto3 in the three protocols against the real binary: which series a SEARCH finds (schema,
designators, partial terms, Boolean operators), their labels and values; SELECT with WHERE,
GROUP BY and the Other group, ORDER BY and LIMIT; and the validation errors."""

import unittest

from harness import ModuleServer
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


@for_each_protocol(SERVER)
class _SearchAndInsights:
    def gmd(self, c, queries, **kwargs):
        resp = c.get_metric_data(MetricDataQueries=queries, StartTime=ts(self.t0 - 600),
                                 EndTime=ts(self.t0 + 600), ScanBy="TimestampAscending", **kwargs)
        for r in resp["MetricDataResults"]:
            self.assertEqual(len(r["Timestamps"]), len(r["Values"]), r)
        return resp["MetricDataResults"]

    def fleet(self, c):
        """Latency of hosts web-1, web-2 (Host) and api-1 (Host, Stage), Errors of web-1."""
        ns = self.namespace()
        points = [("Latency", [("Host", "web-1")], 10.0, 0), ("Latency", [("Host", "web-1")], 30.0, 60),
                  ("Latency", [("Host", "web-2")], 5.0, 0),
                  ("Latency", [("Host", "api-1"), ("Stage", "prod")], 7.0, 60),
                  ("Errors", [("Host", "web-1")], 1.0, 0)]
        self.put(c, ns, [{"MetricName": m, "Dimensions": [{"Name": k, "Value": v} for k, v in d],
                          "Timestamp": ts(self.t0 + off), "Value": val}
                         for m, d, val, off in points])
        return ns

    def search(self, ns, terms, stat="Sum"):
        return {"Id": "s1", "Expression": f"SEARCH('{terms}', '{stat}', 60)", "ReturnData": True}

    def test_search_schema_and_metric_name(self):
        c = self.client()
        ns = self.fleet(c)
        results = self.gmd(c, [self.search(ns, f'{{{ns},Host}} MetricName="Latency"')])
        by_label = {r["Label"]: r for r in results}
        self.assertEqual(sorted(by_label), ["web-1 Latency", "web-2 Latency"])  # not api-1: schema
        for r in results:
            self.assertEqual(r["Id"], "s1")
            self.assertEqual(r["StatusCode"], "Complete")
        self.assertEqual(by_label["web-1 Latency"]["Values"], [10.0, 30.0])
        self.assertEqual(by_label["web-1 Latency"]["Timestamps"], [ts(self.t0), ts(self.t0 + 60)])
        self.assertEqual(by_label["web-2 Latency"]["Values"], [5.0])

    def test_search_terms_and_boolean_operators(self):
        c = self.client()
        ns = self.fleet(c)
        cases = {
            # A partial term matches a token of a dimension value; the namespace scopes the search.
            f'Namespace="{ns}" web': {"web-1 Latency", "web-2 Latency", "web-1 Errors"},
            f'Namespace="{ns}" Host=web NOT MetricName=Errors': {"web-1 Latency", "web-2 Latency"},
            f'Namespace="{ns}" (Errors OR Stage="prod")': {"web-1 Errors", "api-1 prod Latency"},
            f'{{{ns},Host,Stage}}': {"api-1 prod Latency"},
            f'Namespace="{ns}" "web-2"': {"web-2 Latency"},
            f'Namespace="{ns}" nothing': set(),
        }
        for terms, want in cases.items():
            with self.subTest(terms=terms):
                results = self.gmd(c, [self.search(ns, terms)])
                got = {r["Label"] for r in results if r["Values"]}
                self.assertEqual(got, want)

    def test_search_inside_math(self):
        c = self.client()
        ns = self.fleet(c)
        s = self.search(ns, f'{{{ns},Host}} MetricName="Latency"', stat="Maximum")
        s["ReturnData"] = False
        results = self.gmd(c, [s, {"Id": "top", "Expression": "MAX(s1)", "ReturnData": True}])
        self.assertEqual([r["Id"] for r in results], ["top"])
        self.assertEqual(results[0]["Values"], [10.0, 30.0])

    def test_search_syntax_error(self):
        c = self.client()
        self.assertClientError(
            c.get_metric_data, "ValidationError", message_contains="'(' is not closed by ')'",
            MetricDataQueries=[{"Id": "s1", "Expression": "SEARCH('(web OR api', 'Sum', 60)"}],
            StartTime=ts(self.t0 - 600), EndTime=ts(self.t0 + 600))

    def test_select_group_by_order_by_limit(self):
        c = self.client()
        ns = self.fleet(c)
        q = {"Id": "q1", "Period": 60, "ReturnData": True,
             "Expression": f'SELECT SUM(Latency) FROM "{ns}" GROUP BY Stage ORDER BY MAX() DESC'}
        results = self.gmd(c, [q])
        # Stage=prod holds api-1 (7); the others lack Stage: Other, max 10 + 5 = 15 then 30.
        self.assertEqual([r["Label"] for r in results], ["Other", "prod"])
        self.assertEqual([r["Id"] for r in results], ["q1", "q1"])
        self.assertEqual(results[0]["Values"], [15.0, 30.0])
        self.assertEqual(results[1]["Values"], [7.0])
        q["Expression"] += " LIMIT 1"
        self.assertEqual([r["Label"] for r in self.gmd(c, [q])], ["Other"])

    def test_select_where_and_schema(self):
        c = self.client()
        ns = self.fleet(c)
        q = {"Id": "q1", "Period": 60, "ReturnData": True,
             "Expression": f"SELECT AVG(Latency) FROM SCHEMA(\"{ns}\", Host) "
                           f"WHERE Host != 'web-2' GROUP BY Host"}
        results = self.gmd(c, [q])
        self.assertEqual([(r["Label"], r["Values"]) for r in results],
                         [("web-1", [10.0, 30.0])])
        q["Expression"] = f"select count(Latency) from \"{ns}\" where Host IN ('web-1', 'api-1')"
        results = self.gmd(c, [q])
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0]["Values"], [1.0, 2.0])

    def test_select_errors(self):
        c = self.client()
        window = dict(StartTime=ts(self.t0 - 600), EndTime=ts(self.t0 + 600))
        bad = {"Id": "q1", "Period": 60, "Expression": "SELECT P99(m) FROM ns"}
        self.assertClientError(c.get_metric_data, "ValidationError",
                               message_contains="expected AVG, COUNT, MAX, MIN or SUM",
                               MetricDataQueries=[bad], **window)
        two = [{"Id": "q1", "Period": 60, "Expression": "SELECT SUM(m) FROM ns"},
               {"Id": "q2", "Period": 60, "Expression": "SELECT AVG(m) FROM ns"}]
        self.assertClientError(c.get_metric_data, "ValidationError",
                               message_contains="only one Metrics Insights query",
                               MetricDataQueries=two, **window)


if __name__ == "__main__":
    unittest.main()
