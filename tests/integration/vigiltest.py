"""Base TestCase and helpers shared by the test_*.py modules.

Each module owns one server::

    SERVER = ModuleServer()
    setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

and declares protocol-parameterised tests as a mixin::

    @for_each_protocol(SERVER)
    class _RoundTrip:          # a plain class: unittest does not collect it
        def test_x(self): ...  # self.protocol is json/query/cbor, self.client() speaks it

which generates ``RoundTrip_json``, ``RoundTrip_query`` and ``RoundTrip_cbor`` (or the subset
named by ``VIGIL_PROTOCOLS``). After every test, each client's recorded traffic is checked: every
request really used the class's protocol and every response carried ``x-amzn-RequestId``.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import (DEFAULT_REGION, DUMMY_ACCESS_KEY, ModuleServer, VigilServer,
                     active_protocols, boto3_client, detect_protocol)

UTC = dt.timezone.utc
ALL_STATISTICS = ["SampleCount", "Sum", "Average", "Minimum", "Maximum"]

# Legacy code -> the __type shape name boto3 puts in Error.QueryErrorCode (JSON/CBOR only).
QUERY_ERROR_SHAPES = {
    "InvalidParameterValue": "InvalidParameterValueException",
    "InvalidParameterCombination": "InvalidParameterCombinationException",
    "MissingParameter": "MissingRequiredParameterException",
    "ValidationError": "ValidationException",
}


def epoch_minute(offset_minutes: int = 0) -> int:
    """Now, floored to the minute, plus offset minutes, as epoch seconds."""
    return int(time.time()) // 60 * 60 + offset_minutes * 60


def ts(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, UTC)


class VigilTestCase(unittest.TestCase):
    module_server: ModuleServer | None = None
    protocol = "json"
    maxDiff = None

    # -- plumbing -------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        if self.module_server is None:
            raise AssertionError(f"{type(self).__name__} has no module_server")
        return self.module_server.endpoint

    def setUp(self):
        self._clients = []
        # A base time 30 minutes ago, minute-aligned: inside every ingest window.
        self.t0 = epoch_minute(-30)

    def client(self, protocol: str | None = None, access_key: str = DUMMY_ACCESS_KEY,
               region: str = DEFAULT_REGION, **kwargs):
        c = boto3_client(protocol or self.protocol, self.endpoint, access_key=access_key,
                         region=region, **kwargs)
        self._clients.append(c)
        return c

    def tearDown(self):
        problems = []
        for c in self._clients:
            for req in c.vigil_traffic.requests:
                got = detect_protocol(req)
                if got != c.vigil_protocol:
                    problems.append(f"{req.operation}: sent as {got}, client is "
                                    f"{c.vigil_protocol} ({req.method} {req.path} "
                                    f"{req.headers.get('content-type')})")
            for resp in c.vigil_traffic.responses:
                if resp.status is not None and not resp.headers.get("x-amzn-requestid"):
                    problems.append(f"{resp.operation}: HTTP {resp.status} response without "
                                    "x-amzn-RequestId")
        if problems:
            self.fail("traffic check failed:\n  " + "\n  ".join(problems))

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        server = self.module_server.server if self.module_server else None
        if len(result.failures) + len(result.errors) > before and server is not None:
            sys.stderr.write(f"\n[{self.id()}] failed; {server.log_tail(60)}\n")
        return outcome

    # -- data helpers ---------------------------------------------------------------------

    def namespace(self, tag: str = "") -> str:
        name = self.id().rsplit(".", 1)[-1][:40]
        return f"VigilIT/{type(self).__name__}/{name}{tag}/{uuid.uuid4().hex[:8]}"

    def put(self, client, namespace: str, datums: list[dict]) -> dict:
        resp = client.put_metric_data(Namespace=namespace, MetricData=datums)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        return resp

    def stats(self, client, namespace: str, metric: str, start: float, end: float,
              period: int = 60, statistics=None, dimensions=None, unit=None) -> list[dict]:
        """GetMetricStatistics; datapoints sorted by (Timestamp, Unit)."""
        kwargs = dict(Namespace=namespace, MetricName=metric, StartTime=ts(start),
                      EndTime=ts(end), Period=period,
                      Statistics=statistics or ALL_STATISTICS)
        if dimensions is not None:
            kwargs["Dimensions"] = dimensions
        if unit is not None:
            kwargs["Unit"] = unit
        resp = client.get_metric_statistics(**kwargs)
        self.assertEqual(resp["Label"], metric, "Label must be the metric name")
        return sorted(resp["Datapoints"], key=lambda d: (d["Timestamp"], d.get("Unit", "")))

    def list_all(self, client, **kwargs) -> list[dict]:
        """Every ListMetrics page, following NextToken (bounded)."""
        metrics, token = [], None
        for _ in range(100):
            call = dict(kwargs)
            if token:
                call["NextToken"] = token
            resp = client.list_metrics(**call)
            metrics.extend(resp["Metrics"])
            token = resp.get("NextToken")
            if not token:
                return metrics
        self.fail("ListMetrics kept returning NextToken after 100 pages")

    # -- assertions -----------------------------------------------------------------------

    def assertClientError(self, call, code: str, status: int = 400, message: str | None = None,
                          message_contains: str | None = None, **kwargs) -> dict:
        """call(**kwargs) must raise ClientError with this legacy code and HTTP status.

        For JSON/CBOR it also checks what makes the service query-compatible:
        Error.QueryErrorCode (the __type shape) and Error.Type Sender for a 4xx."""
        with self.assertRaises(ClientError) as cm:
            call(**kwargs)
        err = cm.exception.response
        detail = f"{self.protocol}: {err.get('Error')} HTTP " \
                 f"{err.get('ResponseMetadata', {}).get('HTTPStatusCode')}"
        self.assertEqual(err["Error"].get("Code"), code, detail)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, detail)
        if message is not None:
            self.assertEqual(err["Error"].get("Message"), message, detail)
        if message_contains is not None:
            self.assertIn(message_contains, err["Error"].get("Message") or "", detail)
        if 400 <= status < 500 and code in QUERY_ERROR_SHAPES:
            self.assertEqual(err["Error"].get("Type"), "Sender", detail)
            if self.protocol in ("json", "cbor"):
                self.assertEqual(err["Error"].get("QueryErrorCode"), QUERY_ERROR_SHAPES[code],
                                 detail)
        self.assertTrue(err["ResponseMetadata"].get("RequestId"), f"no request id: {detail}")
        return err

    def assertDimensionsEqual(self, got: list[dict], want: list[dict]):
        self.assertEqual(sorted((d["Name"], d["Value"]) for d in got),
                         sorted((d["Name"], d["Value"]) for d in want))

    def assertFloatExact(self, got: float, want: float, what: str = ""):
        """Bit-for-bit equality of doubles (AWS returns the full double)."""
        self.assertTrue(got == want and math.copysign(1, got) == math.copysign(1, want),
                        f"{what}: got {got!r}, want {want!r}")


class OwnServerTestCase(VigilTestCase):
    """A test case with a vigil of its own, started for each test (VigilServer(**server_options))
    and cleaned up after it: for tests that restart, kill or reconfigure the server."""

    server_options: dict = {}

    def setUp(self):
        super().setUp()
        self.own = VigilServer(**self.server_options)
        self.own.start()
        self.addCleanup(self.own.cleanup)

    @property
    def endpoint(self):
        return self.own.endpoint


def for_each_protocol(module_server: ModuleServer, only=None):
    """Class decorator: generates one TestCase per active protocol from a mixin (restricted to
    the protocols in `only` when given, for tests that only make sense on some wires)."""

    def decorate(mixin):
        module = sys.modules[mixin.__module__]
        base_name = mixin.__name__.lstrip("_")
        for protocol in active_protocols():
            if only is not None and protocol not in only:
                continue
            name = f"{base_name}_{protocol}"
            cls = type(name, (mixin, VigilTestCase),
                       {"protocol": protocol, "module_server": module_server,
                        "__module__": mixin.__module__, "__qualname__": name,
                        "__doc__": mixin.__doc__})
            setattr(module, name, cls)
        return mixin

    return decorate
