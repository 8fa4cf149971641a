"""The aws cli (v1, awsJson1_0) against vigil: put-metric-data, list-metrics,
get-metric-statistics, a gzip-compressed put and an error."""

import json
import re
import tempfile
import unittest
from pathlib import Path

from harness import ModuleServer, aws_cli
from vigiltest import VigilTestCase, epoch_minute, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


def iso(epoch):
    return ts(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


class AwsCliTest(VigilTestCase):
    module_server = SERVER

    def cli(self, *args, ok=True, **kwargs):
        result = aws_cli(*args, endpoint=self.endpoint, **kwargs)
        if ok:
            self.assertEqual(result.returncode, 0, f"{result.args}\n{result.stderr[-3000:]}")
        return result

    def test_put_list_statistics(self):
        ns = self.namespace()
        t0 = epoch_minute(-30)
        self.cli("put-metric-data", "--namespace", ns, "--metric-name", "Requests",
                 "--dimensions", "Service=api,Stage=prod", "--value", "4", "--unit", "Count",
                 "--timestamp", iso(t0))
        data = [{"MetricName": "Requests", "Timestamp": iso(t0 + 5), "Unit": "Count",
                 "Dimensions": [{"Name": "Stage", "Value": "prod"},
                                {"Name": "Service", "Value": "api"}],
                 "Values": [1, 2], "Counts": [3, 1]}]
        self.cli("put-metric-data", "--namespace", ns, "--metric-data", json.dumps(data))

        listed = self.cli("list-metrics", "--namespace", ns).json
        self.assertEqual(len(listed["Metrics"]), 1, listed)
        dims = listed["Metrics"][0]["Dimensions"]
        self.assertEqual(sorted((d["Name"], d["Value"]) for d in dims),
                         [("Service", "api"), ("Stage", "prod")])

        stats = self.cli("get-metric-statistics", "--namespace", ns, "--metric-name", "Requests",
                         "--dimensions", "Name=Service,Value=api", "Name=Stage,Value=prod",
                         "--start-time", iso(t0), "--end-time", iso(t0 + 60), "--period", "60",
                         "--statistics", "Sum", "SampleCount", "Maximum").json
        self.assertEqual(stats["Label"], "Requests")
        self.assertEqual(len(stats["Datapoints"]), 1, stats)
        point = stats["Datapoints"][0]
        self.assertEqual((point["Sum"], point["SampleCount"], point["Maximum"], point["Unit"]),
                         (9.0, 5.0, 4.0, "Count"))

    def test_large_put_is_gzipped_and_stored(self):
        ns = self.namespace()
        t0 = epoch_minute(-30)
        data = [{"MetricName": "bulk", "Timestamp": iso(t0), "Value": float(i),
                 "Dimensions": [{"Name": "Host", "Value": f"host-{i:03d}"}]} for i in range(300)]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.json"
            path.write_text(json.dumps(data))
            result = self.cli("put-metric-data", "--namespace", ns, "--metric-data",
                              f"file://{path}", "--debug")
        self.assertRegex(result.stderr, re.compile(r"['\"]Content-Encoding['\"]: b?['\"]gzip",
                                                   re.I), "the cli did not gzip the body")
        listed = self.cli("list-metrics", "--namespace", ns).json
        self.assertEqual(len(listed["Metrics"]), 300)

    def test_error_is_reported_with_code_and_message(self):
        t0 = epoch_minute(-30)
        result = self.cli("get-metric-statistics", "--namespace", self.namespace(),
                          "--metric-name", "m", "--start-time", iso(t0), "--end-time", iso(t0),
                          "--period", "60", "--statistics", "Sum", ok=False)
        self.assertNotEqual(result.returncode, 0)
        # The harness runs the cli with AWS_MAX_ATTEMPTS=1, which makes botocore add
        # " (reached max retries: 0)" to every error line.
        self.assertRegex(result.stderr, re.escape(
            "An error occurred (InvalidParameterValue) when calling the GetMetricStatistics "
            "operation") + r"( \(reached max retries: 0\))?" + re.escape(
            ": The parameter StartTime must be less than the parameter EndTime."))

    def test_unimplemented_operation(self):
        result = self.cli("describe-insight-rules", ok=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("(NotImplemented)", result.stderr)
        self.assertIn("DescribeInsightRules", result.stderr)


if __name__ == "__main__":
    unittest.main()
