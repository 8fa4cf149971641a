"""Harness for vigil's integration tests: start the real binary, build real clients.

* ``VigilServer`` starts ``$VIGIL_BIN`` (default ``<repo>/build/vigil``) on a free port with a
  temporary data directory, waits (bounded, polling) for ``--port-file`` and then for
  ``GET /_vigil/health``, and stops it with SIGTERM asserting exit code 0. ``kill9()`` and
  ``restart()`` (same data dir) support the durability tests. The server's output goes to a log
  file that is printed when a test fails.
* ``VIGIL_ENDPOINT=http://host:port`` makes every module use that already-running endpoint
  instead (nothing is started; tests that need to restart the process are skipped). This is how
  the suite is checked against ``moto_server``.
* ``boto3_client(protocol, endpoint, ...)`` forces boto3 onto ``json`` (awsJson1_0), ``query``
  (awsQuery) or ``cbor`` (smithy-rpc-v2-cbor). botocore has no switch for this: it picks the
  first protocol of the model's ``metadata.protocols`` that it supports, in its own priority
  order (json wins for CloudWatch). ``ProtocolForcingLoader`` is a botocore ``Loader`` that hands
  out a copy of the CloudWatch model whose ``metadata.protocol``/``metadata.protocols`` name only
  the wanted protocol; it is registered as the session's ``data_loader`` component before the
  client is created. Every client records what it sent (``before-send``) and what came back
  (``response-received``) in ``client.vigil_traffic`` so tests can prove the protocol really used
  and inspect headers such as ``Content-Encoding: gzip``.
* ``aws_cli(*args, endpoint=...)`` runs ``aws cloudwatch ... --endpoint-url ... --output json``
  with dummy credentials and no access to ``~/.aws``.
"""

from __future__ import annotations

import copy
import gzip
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

try:
    import boto3
    import botocore.loaders
    import botocore.session
    from botocore.config import Config
except ImportError as exc:  # pragma: no cover - environment problem, reported clearly
    raise ImportError(
        f"the integration tests need boto3/botocore importable by {sys.executable}: {exc}"
    ) from exc

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / "build" / "vigil"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
DUMMY_ACCESS_KEY = "AKIDEXAMPLE"  # not 12 digits: maps to DEFAULT_ACCOUNT
DUMMY_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

PROTOCOLS = ("json", "query", "cbor")
MODEL_PROTOCOL_NAME = {"json": "json", "query": "query", "cbor": "smithy-rpc-v2-cbor"}
TARGET_PREFIX = "GraniteServiceVersion20100801"
CBOR_PATH_PREFIX = f"/service/{TARGET_PREFIX}/operation/"
QUERY_XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/"

START_TIMEOUT = float(os.environ.get("VIGIL_START_TIMEOUT", "30"))
STOP_TIMEOUT = float(os.environ.get("VIGIL_STOP_TIMEOUT", "20"))


class HarnessError(AssertionError):
    """The server misbehaved at the process level (did not start, stop, or exit 0)."""


def external_endpoint() -> str | None:
    value = os.environ.get("VIGIL_ENDPOINT", "").strip()
    return value.rstrip("/") or None


def active_protocols() -> tuple[str, ...]:
    """Protocols the protocol-parameterised tests run over (env VIGIL_PROTOCOLS=json,query)."""
    raw = os.environ.get("VIGIL_PROTOCOLS", "").strip()
    if not raw:
        return PROTOCOLS
    chosen = tuple(p.strip() for p in raw.split(",") if p.strip())
    unknown = [p for p in chosen if p not in PROTOCOLS]
    if unknown:
        raise ValueError(f"VIGIL_PROTOCOLS names unknown protocols {unknown}; known: {PROTOCOLS}")
    return chosen


# ------------------------------------------------------------------------------------ server


def http_get(endpoint: str, path: str, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def http_post(endpoint: str, path: str, body: bytes = b"", headers: dict | None = None,
              timeout: float = 30.0) -> tuple[int, dict, bytes]:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


class VigilServer:
    """One vigil process on 127.0.0.1:<free port> with its own data dir and log file."""

    external = False

    def __init__(self, binary: str | os.PathLike | None = None, data_dir: str | None = None,
                 log_level: str = "debug", extra_args: tuple[str, ...] = (),
                 env: dict | None = None, start_timeout: float = START_TIMEOUT,
                 launcher: tuple[str, ...] = (), clock: str | None = None):
        self.launcher = tuple(launcher)  # e.g. (sys.executable,) for a script stand-in
        self.binary = Path(binary or os.environ.get("VIGIL_BIN") or DEFAULT_BINARY)
        self.workdir = Path(tempfile.mkdtemp(prefix="vigil-it-"))
        self.data_dir = Path(data_dir) if data_dir else self.workdir / "data"
        self.log_path = self.workdir / "vigil.log"
        self.port_file = self.workdir / "port"
        self.log_level = log_level
        self.extra_args = tuple(extra_args)
        # clock="manual": time moves only through set_clock()/advance_clock() (docs/alarms.md).
        if clock is not None:
            self.extra_args += ("--clock", clock)
        self.env = env
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.starts = 0

    # -- lifecycle ------------------------------------------------------------------------

    def command(self) -> list[str]:
        return [*self.launcher, str(self.binary), "--listen", "127.0.0.1:0",
                "--data-dir", str(self.data_dir), "--port-file", str(self.port_file),
                "--log-level", self.log_level, *self.extra_args]

    def start(self) -> "VigilServer":
        if self.running:
            raise HarnessError("start() while the server is running")
        if not (os.access(self.binary, os.X_OK) or self.launcher and self.binary.is_file()):
            raise HarnessError(f"vigil binary not found or not executable: {self.binary} "
                               "(build it, or set VIGIL_BIN, or VIGIL_ENDPOINT)")
        self.port_file.unlink(missing_ok=True)
        self.port = None
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== harness: start #{self.starts}: {' '.join(self.command())}\n"
                      .encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env,
                                         start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        self.port = self._wait_for_port_file(deadline)
        self._wait_for_health(deadline)
        return self

    def _check_alive(self, what: str) -> None:
        rc = self.proc.poll()
        if rc is not None:
            raise HarnessError(f"vigil exited with code {rc} while {what}\n{self.log_tail()}")

    def _give_up(self, what: str) -> None:
        self.proc.kill()
        self.proc.wait()
        raise HarnessError(f"vigil not ready within {self.start_timeout}s: {what}\n"
                           f"{self.log_tail()}")

    def _wait_for_port_file(self, deadline: float) -> int:
        delay = 0.005
        while True:
            self._check_alive("waiting for the port file")
            try:
                text = self.port_file.read_text()
            except FileNotFoundError:
                text = ""
            if text.strip().isdigit() and (text.endswith("\n") or self._port_file_stable(text)):
                port = int(text.strip())
                if not 0 < port < 65536:
                    raise HarnessError(f"port file holds {text!r}")
                return port
            if time.monotonic() > deadline:
                self._give_up(f"no port in {self.port_file} (content {text!r})")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def _port_file_stable(self, text: str) -> bool:
        # A port file written without a trailing newline: accept it once it stops changing.
        time.sleep(0.01)
        try:
            return self.port_file.read_text() == text
        except FileNotFoundError:
            return False

    def _wait_for_health(self, deadline: float) -> None:
        delay = 0.005
        last = "no answer"
        while True:
            self._check_alive("waiting for /_vigil/health")
            try:
                status, _, body = http_get(self.endpoint, "/_vigil/health", timeout=2)
                if status == 200:
                    return
                last = f"HTTP {status}: {body[:200]!r}"
            except OSError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                self._give_up(f"/_vigil/health never answered 200 (last: {last})")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise HarnessError("server not started")
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Graceful stop; raises HarnessError unless the process exits 0 within timeout."""
        if self.proc is None:
            return 0
        if self.proc.poll() is not None:
            rc = self.proc.returncode
            self.proc = None
            raise HarnessError(f"vigil had already exited with code {rc}\n{self.log_tail()}")
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            raise HarnessError(f"vigil did not exit within {timeout}s of "
                               f"{signal.Signals(sig).name}\n{self.log_tail()}") from None
        self.proc = None
        if rc != 0:
            raise HarnessError(f"vigil exited with code {rc} after {signal.Signals(sig).name} "
                               f"(expected 0)\n{self.log_tail()}")
        return rc

    def kill9(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def restart(self) -> "VigilServer":
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        if self.running:
            self.kill9()
        if os.environ.get("VIGIL_KEEP_TMP"):
            sys.stderr.write(f"[harness] kept {self.workdir}\n")
            return
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- inspection -----------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 120) -> str:
        text = self.log_text().splitlines()
        tail = "\n".join(text[-lines:])
        return f"----- vigil log ({self.log_path}, last {min(lines, len(text))} lines) -----\n" \
               f"{tail}\n----- end of vigil log -----"

    def health(self) -> tuple[int, dict]:
        status, _, body = http_get(self.endpoint, "/_vigil/health")
        return status, json.loads(body) if body else {}

    # -- time (a server started with clock="manual") -----------------------------------------

    def set_clock(self, now: float) -> dict:
        """Moves the manual clock to ``now`` (epoch seconds); every alarm evaluation that becomes
        due has run when this returns. Returns the server's JSON answer."""
        return clock_post(self.endpoint, {"now": now})

    def advance_clock(self, seconds: float) -> dict:
        return clock_post(self.endpoint, {"advance": seconds})

    def evaluate_alarms(self) -> dict:
        status, _, body = http_post(self.endpoint, "/_vigil/alarms/evaluate")
        if status != 200:
            raise HarnessError(f"/_vigil/alarms/evaluate answered {status}: {body!r}")
        return json.loads(body)


def clock_post(endpoint: str, payload: dict) -> dict:
    status, _, body = http_post(endpoint, "/_vigil/clock", json.dumps(payload).encode(),
                                {"Content-Type": "application/json"})
    if status != 200:
        raise HarnessError(f"/_vigil/clock answered {status}: {body!r}")
    return json.loads(body)


class ExternalServer:
    """Stands in for VigilServer when VIGIL_ENDPOINT names a server that is already running."""

    external = True

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.running = True

    def start(self) -> "ExternalServer":
        return self

    def stop(self, *args, **kwargs) -> int:
        return 0

    def kill9(self) -> None:
        raise unittest.SkipTest("cannot kill an external endpoint (VIGIL_ENDPOINT)")

    def restart(self) -> "ExternalServer":
        raise unittest.SkipTest("cannot restart an external endpoint (VIGIL_ENDPOINT)")

    def cleanup(self) -> None:
        pass

    def log_tail(self, lines: int = 120) -> str:
        return "(external endpoint: no log)"

    def set_clock(self, now: float) -> dict:
        return clock_post(self.endpoint, {"now": now})

    def advance_clock(self, seconds: float) -> dict:
        return clock_post(self.endpoint, {"advance": seconds})


class ModuleServer:
    """One server per test module: ``setUpModule = S.setup`` and ``tearDownModule = S.teardown``.

    tearDown stops the process with SIGTERM and fails the module (an error in unittest's report)
    if it does not exit 0."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.server: VigilServer | ExternalServer | None = None

    def setup(self) -> None:
        url = external_endpoint()
        if url:
            self.server = ExternalServer(url)
            return
        server = VigilServer(**self.kwargs)
        try:
            server.start()
        except BaseException:
            server.cleanup()  # the error message already carries the log's tail
            raise
        self.server = server

    def teardown(self) -> None:
        if self.server is None:
            return
        try:
            self.server.stop()
        finally:
            self.server.cleanup()

    @property
    def endpoint(self) -> str:
        if self.server is None:
            raise HarnessError("module server not set up (setUpModule missing?)")
        return self.server.endpoint

    @property
    def external(self) -> bool:
        return external_endpoint() is not None


# ------------------------------------------------------------------------- boto3 clients


class ProtocolForcingLoader(botocore.loaders.Loader):
    """A botocore Loader whose CloudWatch model names only one wire protocol.

    botocore resolves the protocol from ``metadata.protocols`` (first match in its own priority
    list, falling back to ``metadata.protocol``); rewriting both in the model the client is built
    from is the only supported lever. The loaded model dict is copied, never mutated, so other
    sessions and clients keep the default."""

    def __init__(self, protocol: str, base: botocore.loaders.Loader):
        super().__init__(extra_search_paths=list(base.search_paths),
                         include_default_search_paths=False)
        self.forced_protocol = MODEL_PROTOCOL_NAME[protocol]
        self._patched: dict = {}

    def load_service_model(self, service_name, type_name, api_version=None):
        model = super().load_service_model(service_name, type_name, api_version)
        if service_name != "cloudwatch" or type_name != "service-2":
            return model
        key = (service_name, api_version)
        if key not in self._patched:
            patched = copy.deepcopy(model)
            patched["metadata"]["protocol"] = self.forced_protocol
            patched["metadata"]["protocols"] = [self.forced_protocol]
            self._patched[key] = patched
        return self._patched[key]


_SESSIONS: dict[str, boto3.session.Session] = {}
_SESSIONS_LOCK = threading.Lock()


def boto3_session(protocol: str) -> boto3.session.Session:
    """A boto3 session (cached per protocol) isolated from ~/.aws, forcing ``protocol``."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; known: {PROTOCOLS}")
    with _SESSIONS_LOCK:
        if protocol not in _SESSIONS:
            core = botocore.session.Session()
            core.set_config_variable("config_file", os.devnull)
            core.set_config_variable("credentials_file", os.devnull)
            base_loader = core.get_component("data_loader")
            core.register_component("data_loader", ProtocolForcingLoader(protocol, base_loader))
            _SESSIONS[protocol] = boto3.session.Session(botocore_session=core)
        return _SESSIONS[protocol]


@dataclass
class SentRequest:
    operation: str
    method: str
    url: str
    headers: dict  # lower-cased names
    body: bytes    # as sent on the wire (possibly gzip)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def decoded_body(self) -> bytes:
        if self.headers.get("content-encoding", "").lower() == "gzip":
            return gzip.decompress(self.body)
        return self.body


@dataclass
class ReceivedResponse:
    operation: str
    status: int | None
    headers: dict  # lower-cased names
    exception: BaseException | None = None


@dataclass
class Traffic:
    """What one client sent and received, recorded through botocore's event hooks."""

    requests: list[SentRequest] = field(default_factory=list)
    responses: list[ReceivedResponse] = field(default_factory=list)

    def on_send(self, request, event_name: str, **_):
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, (bytes, bytearray)):
            body = bytes(body.read()) if hasattr(body, "read") else bytes(body)
        headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v)
                   for k, v in request.headers.items()}
        self.requests.append(SentRequest(event_name.rsplit(".", 1)[-1], request.method,
                                         request.url, headers, bytes(body)))
        return None  # let botocore send it

    def on_response(self, response_dict, exception, event_name: str, **_):
        op = event_name.rsplit(".", 1)[-1]
        if response_dict is None:
            self.responses.append(ReceivedResponse(op, None, {}, exception))
        else:
            headers = {k.lower(): v for k, v in response_dict["headers"].items()}
            self.responses.append(ReceivedResponse(op, response_dict["status_code"], headers))

    def last_request(self, operation: str | None = None) -> SentRequest:
        for req in reversed(self.requests):
            if operation is None or req.operation == operation:
                return req
        raise AssertionError(f"no {operation or ''} request was sent")


def detect_protocol(req: SentRequest) -> str | None:
    """Which CloudWatch wire protocol a captured request uses, judged from the wire only."""
    ctype = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if (req.path == CBOR_PATH_PREFIX + req.operation
            and req.headers.get("smithy-protocol") == "rpc-v2-cbor"
            and ctype == "application/cbor"):
        return "cbor"
    if (req.path == "/" and req.headers.get("x-amz-target") == f"{TARGET_PREFIX}.{req.operation}"
            and ctype == "application/x-amz-json-1.0"):
        return "json"
    if req.path == "/" and ctype == "application/x-www-form-urlencoded":
        body = req.decoded_body().decode("utf-8", "replace")
        if f"Action={req.operation}" in body.split("&") and "Version=2010-08-01" in body:
            return "query"
    return None


def boto3_client(protocol: str, endpoint: str, access_key: str = DUMMY_ACCESS_KEY,
                 secret_key: str = DUMMY_SECRET_KEY, region: str = DEFAULT_REGION,
                 validate: bool = True, **config):
    """A CloudWatch client speaking ``protocol`` (json/query/cbor) to ``endpoint``.

    No retries (a server error must show, not be retried away), parameter validation on unless
    ``validate=False`` (for tests that must reach the server with invalid input), and request
    compression at the SDK default (10 KiB) unless overridden in ``config``. The client's
    traffic is in ``client.vigil_traffic``."""
    settings = dict(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                    read_timeout=60, parameter_validation=validate,
                    disable_request_compression=False, request_min_compression_size_bytes=10240)
    settings.update(config)
    client = boto3_session(protocol).client(
        "cloudwatch", endpoint_url=endpoint, region_name=region, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, config=Config(**settings))
    actual = client.meta.service_model.resolved_protocol
    if actual != MODEL_PROTOCOL_NAME[protocol]:
        raise HarnessError(f"client resolved protocol {actual!r}, wanted {protocol!r}")
    traffic = Traffic()
    client.meta.events.register("before-send.cloudwatch", traffic.on_send)
    client.meta.events.register("response-received.cloudwatch", traffic.on_response)
    client.vigil_traffic = traffic
    client.vigil_protocol = protocol
    return client


# -------------------------------------------------------------------------------- aws cli


@dataclass
class CliResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout) if self.stdout.strip() else None


def aws_cli_command() -> list[str]:
    override = os.environ.get("VIGIL_AWS_CLI")
    if override:
        return override.split()
    found = shutil.which("aws")
    return [found] if found else [sys.executable, "-m", "awscli"]


def aws_cli(*args: str, endpoint: str, access_key: str = DUMMY_ACCESS_KEY,
            secret_key: str = DUMMY_SECRET_KEY, region: str = DEFAULT_REGION,
            timeout: float = 90, extra_env: dict | None = None,
            service: str = "cloudwatch") -> CliResult:
    """Runs ``aws <service> <args> --endpoint-url <endpoint> --output json`` (service
    ``cloudwatch`` unless told, e.g. ``sns``).

    The environment carries only dummy credentials: no AWS_* variable of the caller leaks in,
    and ~/.aws is replaced by /dev/null for both the config and the credentials file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "AWS_PAGER": "",
    })
    env.update(extra_env or {})
    cmd = [*aws_cli_command(), service, *args, "--endpoint-url", endpoint,
           "--output", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return CliResult(cmd, proc.returncode, proc.stdout, proc.stderr)


def sns_client(endpoint: str, access_key: str = DUMMY_ACCESS_KEY, region: str = DEFAULT_REGION):
    """boto3's SNS client (awsQuery, the only protocol SNS has) for ``endpoint``, no retries."""
    return boto3.client("sns", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=access_key, aws_secret_access_key=DUMMY_SECRET_KEY,
                        config=Config(retries={"max_attempts": 1}))
