"""POST /_vigil/reset and POST /moto-api/reset wipe every account and region.

This module has its own server (as every module does), so the wipe cannot disturb others."""

import unittest

from harness import ModuleServer, http_post
from vigiltest import VigilTestCase, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

PLACES = [("AKIDEXAMPLE", "us-east-1"), ("111111111111", "us-east-1"),
          ("111111111111", "eu-west-1"), ("222222222222", "ap-south-1")]


class ResetTest(VigilTestCase):
    module_server = SERVER

    def fill(self, ns):
        for key, region in PLACES:
            self.put(self.client(access_key=key, region=region), ns,
                     [{"MetricName": "m", "Timestamp": ts(self.t0), "Value": 1.0}])
        for key, region in PLACES:
            self.assertEqual(len(self.client(access_key=key, region=region)
                                 .list_metrics(Namespace=ns)["Metrics"]), 1)

    def assertEmpty(self, ns):
        for key, region in PLACES:
            c = self.client(access_key=key, region=region)
            self.assertEqual(c.list_metrics(Namespace=ns)["Metrics"], [], (key, region))
            self.assertEqual(self.stats(c, ns, "m", self.t0, self.t0 + 60), [], (key, region))

    def reset(self, path):
        status, _, body = http_post(self.endpoint, path)
        self.assertEqual(status, 200, body[:300])

    def test_vigil_reset(self):
        ns = self.namespace()
        self.fill(ns)
        self.reset("/_vigil/reset")
        self.assertEmpty(ns)
        # The server keeps working after a reset.
        self.fill(ns)

    def test_moto_compatible_reset(self):
        ns = self.namespace()
        self.fill(ns)
        self.reset("/moto-api/reset")
        self.assertEmpty(ns)
        self.fill(ns)


if __name__ == "__main__":
    unittest.main()
