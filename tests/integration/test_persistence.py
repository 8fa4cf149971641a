"""Durability: data survives a graceful restart on the same data dir, and acknowledged puts
survive kill -9. SIGTERM and SIGINT both stop vigil with exit code 0.

Each test starts its own server (not the module one) because it stops and kills it."""

import signal
import unittest

from harness import VigilServer, external_endpoint
from vigiltest import for_each_protocol, ts


class _PrivateServer:
    """A slot with the ModuleServer interface around a server owned by one test."""

    def __init__(self):
        self.server = VigilServer()

    @property
    def endpoint(self):
        return self.server.endpoint


@for_each_protocol(None)  # each test owns its server (self.module_server, set in setUp)
@unittest.skipIf(external_endpoint(), "needs to start and kill its own vigil process")
class _Persistence:
    def setUp(self):
        self.module_server = _PrivateServer()
        self.addCleanup(self.module_server.server.cleanup)
        self.module_server.server.start()
        super().setUp()

    def write(self, ns, batches=5, per_batch=50):
        c = self.client()
        for b in range(batches):
            self.put(c, ns, [{"MetricName": f"m{b}", "Timestamp": ts(self.t0 + i),
                              "Dimensions": [{"Name": "Batch", "Value": str(b)}],
                              "Value": float(i)} for i in range(per_batch)])
        return batches, per_batch

    def check(self, ns, batches, per_batch):
        c = self.client()  # a new client: the old connection died with the process
        self.assertEqual(len(self.list_all(c, Namespace=ns)), batches)
        for b in range(batches):
            points = self.stats(c, ns, f"m{b}", self.t0, self.t0 + 60,
                                dimensions=[{"Name": "Batch", "Value": str(b)}])
            self.assertEqual([(p["SampleCount"], p["Sum"]) for p in points],
                             [(float(per_batch), float(sum(range(per_batch))))], f"batch {b}")

    def test_graceful_restart_keeps_data(self):
        ns = self.namespace()
        shape = self.write(ns)
        self.assertEqual(self.module_server.server.stop(signal.SIGTERM), 0)
        self.module_server.server.start()
        self.check(ns, *shape)
        # and keeps accepting writes afterwards
        ns2 = self.namespace("-after")
        self.check(ns2, *self.write(ns2, batches=1))

    def test_sigint_is_graceful_too(self):
        ns = self.namespace()
        shape = self.write(ns, batches=2)
        self.assertEqual(self.module_server.server.stop(signal.SIGINT), 0)
        self.module_server.server.start()
        self.check(ns, *shape)

    def test_kill_9_keeps_acknowledged_puts(self):
        ns = self.namespace()
        shape = self.write(ns)
        self.module_server.server.kill9()
        self.module_server.server.start()
        self.check(ns, *shape)
        self.assertEqual(self.module_server.server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
