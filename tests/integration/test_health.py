"""GET /_vigil/health and the basics every response shares."""

import json
import time
import unittest

from harness import ModuleServer, http_get
from vigiltest import VigilTestCase

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


class HealthTest(VigilTestCase):
    module_server = SERVER

    def health(self):
        status, headers, body = http_get(self.endpoint, "/_vigil/health")
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(headers.get("content-type", "").split(";")[0], "application/json")
        return json.loads(body)

    def test_health_document(self):
        doc = self.health()
        self.assertEqual(doc["status"], "ok")
        self.assertEqual(doc["store"], "ok")
        self.assertIsInstance(doc["version"], str)
        self.assertTrue(doc["version"])
        self.assertIsInstance(doc["uptime_seconds"], (int, float))
        self.assertNotIsInstance(doc["uptime_seconds"], bool)
        self.assertGreaterEqual(doc["uptime_seconds"], 0)

    def test_uptime_grows(self):
        first = self.health()["uptime_seconds"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.health()["uptime_seconds"] > first:
                return
            time.sleep(0.1)
        self.fail(f"uptime_seconds stayed at {first} for 5 s")

    def test_request_ids_are_unique(self):
        ids = set()
        c = self.client()
        for _ in range(5):
            ids.add(c.list_metrics(Namespace=self.namespace())["ResponseMetadata"]["RequestId"])
        self.assertEqual(len(ids), 5, ids)


if __name__ == "__main__":
    unittest.main()
