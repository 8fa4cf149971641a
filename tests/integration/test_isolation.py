"""Accounts (from the SigV4 access key) and regions (from the credential scope) are isolated."""

import unittest

import rawhttp
from harness import DEFAULT_ACCOUNT, ModuleServer
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"


@for_each_protocol(SERVER)
class _Isolation:
    def seen_by(self, ns, access_key, region="us-east-1"):
        c = self.client(access_key=access_key, region=region)
        names = [m["MetricName"] for m in self.list_all(c, Namespace=ns)]
        sums = [p["Sum"] for p in self.stats(c, ns, "m", self.t0, self.t0 + 60,
                                             statistics=["Sum"])]
        return names, sums

    def test_accounts_are_isolated(self):
        ns = self.namespace()
        writer = self.client(access_key=ACCOUNT_A)
        self.put(writer, ns, [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 7.0}])
        self.assertEqual(self.seen_by(ns, ACCOUNT_A), (["m"], [7.0]))
        self.assertEqual(self.seen_by(ns, ACCOUNT_B), ([], []))
        self.assertEqual(self.seen_by(ns, "AKIDEXAMPLE"), ([], []))
        self.assertEqual(self.seen_by(ns, DEFAULT_ACCOUNT), ([], []))

    def test_same_namespace_in_two_accounts_keeps_data_apart(self):
        ns = self.namespace()
        for key, value in ((ACCOUNT_A, 1.0), (ACCOUNT_B, 100.0)):
            self.put(self.client(access_key=key), ns,
                     [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": value}])
        self.assertEqual(self.seen_by(ns, ACCOUNT_A), (["m"], [1.0]))
        self.assertEqual(self.seen_by(ns, ACCOUNT_B), (["m"], [100.0]))

    def test_non_numeric_key_means_the_default_account(self):
        ns = self.namespace()
        self.put(self.client(access_key="AKIAIOSFODNN7EXAMPLE"), ns,
                 [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 3.0}])
        self.assertEqual(self.seen_by(ns, DEFAULT_ACCOUNT), (["m"], [3.0]))
        self.assertEqual(self.seen_by(ns, "AKIDEXAMPLE"), (["m"], [3.0]))
        self.assertEqual(self.seen_by(ns, ACCOUNT_A), ([], []))

    def test_unsigned_requests_use_the_default_account(self):
        ns = self.namespace()
        resp = rawhttp.call(self.protocol, self.endpoint, "PutMetricData", {
            "Namespace": ns, "MetricData": [{"MetricName": "m", "Value": 5.0,
                                             "Timestamp": rawhttp.Timestamp(self.t0)}]},
            sign=False)
        self.assertEqual(resp.status, 200, resp.body[:500])
        self.assertEqual(self.seen_by(ns, DEFAULT_ACCOUNT), (["m"], [5.0]))
        self.assertEqual(self.seen_by(ns, ACCOUNT_A), ([], []))

    def test_regions_are_isolated(self):
        ns = self.namespace()
        self.put(self.client(access_key=ACCOUNT_A, region="eu-west-1"), ns,
                 [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 9.0}])
        self.assertEqual(self.seen_by(ns, ACCOUNT_A, "eu-west-1"), (["m"], [9.0]))
        self.assertEqual(self.seen_by(ns, ACCOUNT_A, "us-east-1"), ([], []))
        self.assertEqual(self.seen_by(ns, ACCOUNT_A, "ap-southeast-2"), ([], []))
        self.assertEqual(self.seen_by(ns, ACCOUNT_B, "eu-west-1"), ([], []))


if __name__ == "__main__":
    unittest.main()
