"""A small client for the ClamAV daemon (clamd), speaking its INSTREAM protocol.

No maintained Python client is installed (``clamd`` on PyPI has been unmaintained since 2017),
and the protocol is a few lines: send ``zINSTREAM\\0``, then chunks each prefixed by their length
as a 4-byte big-endian integer, then a zero length; clamd answers ``stream: OK`` or
``stream: <signature> FOUND`` (or ``... ERROR``), terminated by a NUL byte because of the ``z`` prefix.

Addresses are ``tcp://host:port`` or ``unix:///path/to/clamd.ctl``. Every failure to get a
verdict (refused connection, timeout, malformed address, an ERROR answer) is ``ClamdUnavailable``
so that callers can fail closed.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK = 64 * 1024
MAX_REPLY = 4096


class ClamdUnavailable(Exception):
    """clamd could not be reached or gave no verdict."""


@dataclass(frozen=True)
class ScanVerdict:
    infected: bool
    signature: str  # the signature name when infected, else ""
    reply: str  # clamd's answer, kept as evidence of the scan


def _connect(address: str, timeout: float) -> socket.socket:
    parts = urlsplit(address)
    try:
        if parts.scheme == "tcp" and parts.hostname and parts.port:
            return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        if parts.scheme == "unix" and parts.path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(parts.path)
            except OSError:
                sock.close()
                raise
            return sock
    except (OSError, ValueError) as exc:
        raise ClamdUnavailable(f"cannot connect to clamd at {address}: {exc}") from exc
    raise ClamdUnavailable(f"not a clamd address (tcp://host:port or unix:///path): {address!r}")


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
        data = sock.recv(MAX_REPLY)
        if not data:
            break
        reply += data
    if not reply:
        raise ClamdUnavailable("clamd closed the connection without an answer")
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def _command(address: str, timeout: float, command: bytes, payload: bytes | None = None) -> str:
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"z" + command + b"\0")
            if payload is not None:
                for start in range(0, len(payload), CHUNK):
                    chunk = payload[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
            return _read_reply(sock)
    except OSError as exc:  # a reset or timeout mid-stream, e.g. clamd's StreamMaxLength reached
        raise ClamdUnavailable(f"clamd at {address} failed: {exc}") from exc


def version(address: str, *, timeout: float = 10.0) -> str:
    """clamd's engine and signature database version, e.g. ``ClamAV 1.4.3/27500/…``."""
    return _command(address, timeout, b"VERSION")


def scan_bytes(data: bytes, address: str, *, timeout: float = 30.0) -> ScanVerdict:
    """Stream ``data`` to clamd and return its verdict; ``ClamdUnavailable`` if there is none."""
    reply = _command(address, timeout, b"INSTREAM", data)
    _, _, verdict = reply.partition(": ")
    if verdict == "OK":
        return ScanVerdict(infected=False, signature="", reply=reply)
    if verdict.endswith(" FOUND"):
        return ScanVerdict(infected=True, signature=verdict.removesuffix(" FOUND"), reply=reply)
    raise ClamdUnavailable(f"clamd gave no verdict: {reply}")
