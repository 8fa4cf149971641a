"""ListMetrics: identity, filters (aws-recorded-answers.md §8) and paging by 500."""

import unittest
import uuid

from harness import ModuleServer
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


def key(metric):
    return (metric["Namespace"], metric["MetricName"],
            tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))))


@for_each_protocol(SERVER)
class _ListMetrics:
    def populate(self, c):
        ns = self.namespace()
        a, b = {"Name": "Host", "Value": "a"}, {"Name": "Host", "Value": "b"}
        az = {"Name": "Az", "Value": "x"}
        self.put(c, ns, [
            {"MetricName": "CPU", "Dimensions": [a], "Timestamp": ts(self.t0), "Value": 1.0},
            {"MetricName": "CPU", "Dimensions": [b], "Timestamp": ts(self.t0), "Value": 1.0},
            {"MetricName": "CPU", "Dimensions": [a, az], "Timestamp": ts(self.t0), "Value": 1.0},
            {"MetricName": "Mem", "Dimensions": [a], "Timestamp": ts(self.t0), "Value": 1.0},
            {"MetricName": "Disk", "Timestamp": ts(self.t0), "Value": 1.0},
        ])
        return ns

    def keys(self, c, **kwargs):
        metrics = self.list_all(c, **kwargs)
        keys = [key(m) for m in metrics]
        self.assertEqual(len(keys), len(set(keys)), f"duplicates in {metrics}")
        return set(keys)

    def test_filters(self):
        c = self.client()
        ns = self.populate(c)
        cpu_a = (ns, "CPU", (("Host", "a"),))
        cpu_b = (ns, "CPU", (("Host", "b"),))
        cpu_a_az = (ns, "CPU", (("Az", "x"), ("Host", "a")))
        mem_a = (ns, "Mem", (("Host", "a"),))
        disk = (ns, "Disk", ())
        cases = [
            ({}, {cpu_a, cpu_b, cpu_a_az, mem_a, disk}),
            ({"MetricName": "CPU"}, {cpu_a, cpu_b, cpu_a_az}),
            ({"MetricName": "Nope"}, set()),
            ({"Dimensions": [{"Name": "Host"}]}, {cpu_a, cpu_b, cpu_a_az, mem_a}),
            ({"Dimensions": [{"Name": "Host", "Value": "a"}]}, {cpu_a, cpu_a_az, mem_a}),
            ({"Dimensions": [{"Name": "Host", "Value": "zzz"}]}, set()),
            ({"Dimensions": [{"Name": "Az"}, {"Name": "Host", "Value": "a"}]}, {cpu_a_az}),
            ({"MetricName": "CPU", "Dimensions": [{"Name": "Host", "Value": "a"}]},
             {cpu_a, cpu_a_az}),
        ]
        for filters, want in cases:
            with self.subTest(filters=filters):
                self.assertEqual(self.keys(c, Namespace=ns, **filters), want)

    def test_dimensionless_metric_lists_empty_dimensions(self):
        c = self.client()
        ns = self.populate(c)
        disk = c.list_metrics(Namespace=ns, MetricName="Disk")["Metrics"]
        self.assertEqual(len(disk), 1)
        self.assertEqual(disk[0]["Dimensions"], [])

    def test_unfiltered_listing_contains_our_metrics_once(self):
        c = self.client()
        ns = self.populate(c)
        ours = [m for m in self.list_all(c) if m["Namespace"] == ns]
        self.assertEqual(len(ours), 5, ours)

    def test_repeated_puts_do_not_add_entries(self):
        c = self.client()
        ns = self.namespace()
        x, y = {"Name": "X", "Value": "1"}, {"Name": "Y", "Value": "2"}
        for i in range(3):
            self.put(c, ns, [{"MetricName": "m", "Dimensions": [x, y] if i % 2 else [y, x],
                              "Timestamp": ts(self.t0 + i), "Value": float(i),
                              "Unit": ["Count", "Seconds", "None"][i]}])
        metrics = c.list_metrics(Namespace=ns)["Metrics"]
        self.assertEqual(len(metrics), 1, metrics)

    def test_statistic_set_only_metric_is_listed(self):
        c = self.client()
        ns = self.namespace()
        self.put(c, ns, [{"MetricName": "sets", "Timestamp": ts(self.t0),
                          "StatisticValues": {"SampleCount": 2, "Sum": 3.0, "Minimum": 1.0,
                                              "Maximum": 2.0}}])
        self.assertEqual(self.keys(c, Namespace=ns), {(ns, "sets", ())})

    def test_aws_namespace_is_accepted(self):
        # vigil's deliberate default: AWS/ namespaces are accepted (AWS says "should not").
        c = self.client()
        ns = f"AWS/VigilIT-{uuid.uuid4().hex[:8]}"
        self.put(c, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 1.0}])
        self.assertEqual(self.keys(c, Namespace=ns), {(ns, "m", ())})

    def test_pages_of_500_over_1200_metrics(self):
        c = self.client()
        ns = self.namespace()
        for start in (0, 600):
            self.put(c, ns, [{"MetricName": f"metric-{i:04d}", "Timestamp": ts(self.t0),
                              "Dimensions": [{"Name": "Shard", "Value": str(i % 7)}],
                              "Value": float(i)} for i in range(start, start + 600)])
        sent = c.vigil_traffic.requests[-1]
        self.assertEqual(sent.headers.get("content-encoding"), "gzip", "600 datums are > 10 KiB")

        pages, token = [], None
        for _ in range(10):
            resp = c.list_metrics(Namespace=ns, **({"NextToken": token} if token else {}))
            pages.append(resp["Metrics"])
            token = resp.get("NextToken")
            if not token:
                break
        self.assertEqual([len(p) for p in pages], [500, 500, 200])
        keys = [key(m) for page in pages for m in page]
        self.assertEqual(len(set(keys)), 1200, "pages must not overlap")
        self.assertEqual({k[1] for k in keys}, {f"metric-{i:04d}" for i in range(1200)})

        # A filter pages over the matching metrics only.
        shard0 = self.list_all(c, Namespace=ns, Dimensions=[{"Name": "Shard", "Value": "0"}])
        self.assertEqual(len(shard0), len(range(0, 1200, 7)))


if __name__ == "__main__":
    unittest.main()
