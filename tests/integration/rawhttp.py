"""Raw HTTP requests in each CloudWatch wire protocol, and protocol-aware error parsing.

Used where an SDK cannot produce the request (malformed bodies, truncated CBOR, corrupt gzip,
oversized bodies, unknown operations) or where the exact wire answer matters. Requests are
SigV4-signed with botocore's signer (dummy secret) unless ``sign=False``."""

from __future__ import annotations

import datetime
import gzip as gzip_module
import http.client
import json
import socket
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import cbor_mini
from harness import (CBOR_PATH_PREFIX, DEFAULT_REGION, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY,
                     QUERY_XMLNS, TARGET_PREFIX)

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
CBOR_CONTENT_TYPE = "application/cbor"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass
class RawResponse:
    status: int
    headers: dict  # lower-cased names
    body: bytes

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-amzn-requestid")


@dataclass
class WireError:
    status: int
    code: str | None          # legacy code as boto3 would report it
    type: str | None          # __type (JSON/CBOR) or <Type> (query)
    message: str | None
    query_error: str | None   # x-amzn-query-error header
    raw: object


def sign_headers(url: str, body: bytes, headers: dict, access_key: str, region: str,
                 secret_key: str = DUMMY_SECRET_KEY) -> dict:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(access_key, secret_key), "monitoring", region).add_auth(request)
    return dict(request.headers.items())


def post(endpoint: str, path: str, body: bytes, headers: dict,
         access_key: str = DUMMY_ACCESS_KEY, region: str = DEFAULT_REGION, sign: bool = True,
         timeout: float = 20) -> RawResponse:
    """POSTs body as-is (Content-Length set) and returns the full response.

    Signed with SigV4 like a real client (``access_key``/``region`` pick the account and
    region) unless ``sign=False``, which sends no Authorization header at all.

    A server that closes the connection instead of answering makes this raise (the tests treat
    that as a failure: every error must be an HTTP answer)."""
    parts = urlsplit(endpoint)
    headers = dict(headers)
    if sign:
        headers = sign_headers(endpoint + path, body, headers, access_key, region)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest("POST", path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        try:
            conn.send(body)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            # The server may answer early (e.g. 413) and stop reading; read its answer anyway.
            pass
        resp = conn.getresponse()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                           resp.read())
    finally:
        conn.close()


def _maybe_gzip(body: bytes, headers: dict, compress: bool) -> bytes:
    if compress:
        headers["Content-Encoding"] = "gzip"
        return gzip_module.compress(body)
    return body


def json_call(endpoint: str, operation: str, payload, *, gzip: bool = False,
              extra_headers: dict | None = None, **kw) -> RawResponse:
    """awsJson1_0 request; payload is a dict (serialised here) or raw bytes."""
    body = payload if isinstance(payload, (bytes, bytearray)) else json.dumps(payload).encode()
    headers = {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": f"{TARGET_PREFIX}.{operation}",
               "x-amzn-query-mode": "true"}
    headers.update(extra_headers or {})
    body = _maybe_gzip(bytes(body), headers, gzip)
    return post(endpoint, "/", body, headers, **kw)


def query_call(endpoint: str, params, *, gzip: bool = False,
               extra_headers: dict | None = None, **kw) -> RawResponse:
    """awsQuery request; params is a dict (Version added when missing) or raw bytes."""
    if isinstance(params, dict):
        params = dict(params)
        params.setdefault("Version", "2010-08-01")
        body = urlencode(params).encode()
    else:
        body = bytes(params)
    headers = {"Content-Type": FORM_CONTENT_TYPE}
    headers.update(extra_headers or {})
    body = _maybe_gzip(body, headers, gzip)
    return post(endpoint, "/", body, headers, **kw)


def cbor_call(endpoint: str, operation: str, payload, *, gzip: bool = False,
              extra_headers: dict | None = None, **kw) -> RawResponse:
    """rpc-v2-cbor request; payload is an object (encoded here) or raw bytes."""
    body = payload if isinstance(payload, (bytes, bytearray)) else cbor_mini.dumps(payload)
    headers = {"Content-Type": CBOR_CONTENT_TYPE, "Accept": CBOR_CONTENT_TYPE,
               "smithy-protocol": "rpc-v2-cbor", "x-amzn-query-mode": "true"}
    headers.update(extra_headers or {})
    body = _maybe_gzip(bytes(body), headers, gzip)
    return post(endpoint, CBOR_PATH_PREFIX + operation, body, headers, **kw)


@dataclass(frozen=True)
class Timestamp:
    """A timestamp inside a raw payload, written the way each protocol wants it:
    JSON epoch seconds, CBOR tag 1 + float64, query ISO-8601 without fraction."""

    epoch: float


def _for_protocol(value, protocol: str):
    if isinstance(value, Timestamp):
        if protocol == "json":
            return value.epoch
        if protocol == "cbor":
            return cbor_mini.Tag(1, float(value.epoch))
        return datetime.datetime.fromtimestamp(value.epoch, datetime.timezone.utc) \
            .strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {k: _for_protocol(v, protocol) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_for_protocol(v, protocol) for v in value]
    return value


def encode(protocol: str, operation: str, payload: dict) -> bytes:
    """The request body a client of ``protocol`` sends for this JSON-shaped input."""
    payload = _for_protocol(payload, protocol)
    if protocol == "json":
        return json.dumps(payload).encode()
    if protocol == "cbor":
        return cbor_mini.dumps(payload)
    if protocol == "query":
        return urlencode({"Action": operation, "Version": "2010-08-01",
                          **flatten_query(payload)}).encode()
    raise ValueError(protocol)


def call(protocol: str, endpoint: str, operation: str, payload, **kw) -> RawResponse:
    """One operation in ``protocol``; payload is JSON-shaped input or an encoded body (bytes)."""
    body = bytes(payload) if isinstance(payload, (bytes, bytearray)) \
        else encode(protocol, operation, payload)
    if protocol == "json":
        return json_call(endpoint, operation, body, **kw)
    if protocol == "cbor":
        return cbor_call(endpoint, operation, body, **kw)
    if protocol == "query":
        return query_call(endpoint, body, **kw)
    raise ValueError(protocol)


def flatten_query(value, prefix: str = "") -> dict:
    """JSON-shaped input -> awsQuery form fields (lists as ``.member.N``)."""
    out = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten_query(item, f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value, 1):
            out.update(flatten_query(item, f"{prefix}.member.{i}"))
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    else:
        out[prefix] = str(value)
    return out


def decode_body(protocol: str, resp: RawResponse):
    """Parses a response body in its protocol's format (query: an ElementTree root)."""
    if protocol == "json":
        return json.loads(resp.body) if resp.body else {}
    if protocol == "cbor":
        return cbor_mini.untag(cbor_mini.loads(resp.body)) if resp.body else {}
    return ET.fromstring(resp.body)


def parse_error(protocol: str, resp: RawResponse) -> WireError:
    """Reads an error answer the way boto3 does (legacy code from x-amzn-query-error first)."""
    query_error = resp.headers.get("x-amzn-query-error")
    if protocol == "query":
        root = ET.fromstring(resp.body)
        ns = {"cw": QUERY_XMLNS}
        err = root.find("cw:Error", ns)
        if err is None:
            err = root.find("Error")
            ns_prefix = ""
        else:
            ns_prefix = "cw:"

        def text(tag):
            node = err.find(ns_prefix + tag, ns) if err is not None else None
            return node.text if node is not None else None

        return WireError(resp.status, text("Code"), text("Type"), text("Message"), query_error,
                         root)
    body = decode_body(protocol, resp)
    if not isinstance(body, dict):
        raise AssertionError(f"{protocol} error body is not a map: {body!r}")
    type_ = body.get("__type")
    code = None
    if query_error:
        code = query_error.split(";")[0]
    elif type_:
        code = type_.split("#")[-1]
    message = body.get("message", body.get("Message"))
    return WireError(resp.status, code, type_, message, query_error, body)
