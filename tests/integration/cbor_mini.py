"""A small, independent CBOR (RFC 8949) encoder/decoder for the raw rpc-v2-cbor tests.

It exists so that raw requests and error bodies are built and read without going through
botocore (which is one of the clients under test) and without cbor2 (not installed, and PyPI is
not reachable). It covers what smithy-rpc-v2-cbor uses: unsigned/negative ints, byte and text
strings (definite and indefinite length), arrays and maps (definite and indefinite), tags (tag 1
is decoded to a ``Tag``), false/true/null/undefined and half/single/double floats.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Tag:
    tag: int
    value: Any


class CBORDecodeError(ValueError):
    pass


# ---------------------------------------------------------------- encoding


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([(major << 5) | n])
    if n < 0x100:
        return bytes([(major << 5) | 24, n])
    if n < 0x10000:
        return bytes([(major << 5) | 25]) + struct.pack(">H", n)
    if n < 0x100000000:
        return bytes([(major << 5) | 26]) + struct.pack(">I", n)
    return bytes([(major << 5) | 27]) + struct.pack(">Q", n)


def dumps(obj: Any) -> bytes:
    """Encodes obj. Floats are always float64 (as the Java SDK does)."""
    out = bytearray()
    _encode(obj, out)
    return bytes(out)


def _encode(obj: Any, out: bytearray) -> None:
    if obj is None:
        out.append(0xF6)
    elif obj is True:
        out.append(0xF5)
    elif obj is False:
        out.append(0xF4)
    elif isinstance(obj, int):
        if obj >= 0:
            out += _head(0, obj)
        else:
            out += _head(1, -1 - obj)
    elif isinstance(obj, float):
        out.append(0xFB)
        out += struct.pack(">d", obj)
    elif isinstance(obj, (bytes, bytearray)):
        out += _head(2, len(obj)) + bytes(obj)
    elif isinstance(obj, str):
        raw = obj.encode("utf-8")
        out += _head(3, len(raw)) + raw
    elif isinstance(obj, (list, tuple)):
        out += _head(4, len(obj))
        for item in obj:
            _encode(item, out)
    elif isinstance(obj, dict):
        out += _head(5, len(obj))
        for key, value in obj.items():
            _encode(key, out)
            _encode(value, out)
    elif isinstance(obj, Tag):
        out += _head(6, obj.tag)
        _encode(obj.value, out)
    else:
        raise TypeError(f"cannot CBOR-encode {type(obj).__name__}")


# ---------------------------------------------------------------- decoding

_BREAK = object()


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CBORDecodeError(f"truncated CBOR: need {n} bytes at offset {self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def argument(self, info: int) -> int | None:
        if info < 24:
            return info
        if info == 24:
            return self.take(1)[0]
        if info == 25:
            return struct.unpack(">H", self.take(2))[0]
        if info == 26:
            return struct.unpack(">I", self.take(4))[0]
        if info == 27:
            return struct.unpack(">Q", self.take(8))[0]
        if info == 31:
            return None  # indefinite length
        raise CBORDecodeError(f"reserved additional info {info}")

    def item(self) -> Any:
        initial = self.take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == 7:
            return self.simple(info)
        n = self.argument(info)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                parts = []
                while True:
                    part = self.item()
                    if part is _BREAK:
                        break
                    parts.append(part)
                joined = b"".join(p if isinstance(p, bytes) else p.encode() for p in parts)
            else:
                joined = self.take(n)
            return joined if major == 2 else joined.decode("utf-8")
        if major == 4:
            items = []
            if n is None:
                while (value := self.item()) is not _BREAK:
                    items.append(value)
            else:
                items = [self.item() for _ in range(n)]
            return items
        if major == 5:
            result = {}
            if n is None:
                while (key := self.item()) is not _BREAK:
                    result[key] = self.item()
            else:
                for _ in range(n):
                    key = self.item()
                    result[key] = self.item()
            return result
        if major == 6:
            return Tag(n, self.item())
        raise CBORDecodeError(f"bad major type {major}")

    def simple(self, info: int) -> Any:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return _half(self.take(2))
        if info == 26:
            return struct.unpack(">f", self.take(4))[0]
        if info == 27:
            return struct.unpack(">d", self.take(8))[0]
        if info == 31:
            return _BREAK
        if info < 24:
            return ("simple", info)
        if info == 24:
            return ("simple", self.take(1)[0])
        raise CBORDecodeError(f"bad simple value {info}")


def _half(raw: bytes) -> float:
    h = struct.unpack(">H", raw)[0]
    sign = -1.0 if h & 0x8000 else 1.0
    exp = (h >> 10) & 0x1F
    frac = h & 0x3FF
    if exp == 0:
        return sign * math.ldexp(frac, -24)
    if exp == 31:
        return sign * math.inf if frac == 0 else math.nan
    return sign * math.ldexp(frac + 1024, exp - 25)


def loads(data: bytes) -> Any:
    """Decodes exactly one CBOR item; trailing bytes or truncation raise CBORDecodeError."""
    reader = _Reader(bytes(data))
    value = reader.item()
    if value is _BREAK:
        raise CBORDecodeError("unexpected break")
    if reader.pos != len(reader.data):
        raise CBORDecodeError(f"{len(reader.data) - reader.pos} trailing bytes")
    return value


def untag(value: Any) -> Any:
    """Replaces Tag(1, x) by x recursively (epoch seconds), keeping other tags."""
    if isinstance(value, Tag):
        return value.value if value.tag == 1 else Tag(value.tag, untag(value.value))
    if isinstance(value, list):
        return [untag(v) for v in value]
    if isinstance(value, dict):
        return {k: untag(v) for k, v in value.items()}
    return value
