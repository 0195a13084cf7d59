"""Virus scanning of uploaded documents behind one small interface.

``settings.VIRUS_SCANNER`` names the backend (``{"class": ..., **options}``): :class:`ClamdScanner`
when ``CLAMAV_ADDRESS`` is set, otherwise :class:`NoScanner`. A scanner answers with a
:class:`ScanResult`; anything that keeps it from answering (down, slow, refused, nonsense)
becomes :class:`ScannerUnavailable`, which the caller turns into a refusal, never a crash.

The ClamAV client is ours (about forty lines of clamd's documented INSTREAM protocol) rather than
the ``clamav-client`` package: that package is GPL-2.0, which would put the combined work under
GPL-2.0 instead of OpenIMI's EUPL-1.2, and it connects to a unix socket without a timeout and
lets socket errors while streaming escape as bare OSError."""

import socket
import struct
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict; the upload must be refused (fail closed)."""


@dataclass(frozen=True)
class ScanResult:
    """A verdict: ``infected`` with the signature's name, or clean."""

    infected: bool
    signature: str = ""


class Scanner(Protocol):
    """Checks a whole document held in memory (uploads are bounded by ATTACHMENT_MAX_BYTES)."""

    name: str

    def scan(self, data: bytes) -> ScanResult: ...


@dataclass
class NoScanner:
    """No scanning: the default when no scanner is configured (development, tests)."""

    name: str = "none"

    def scan(self, data: bytes) -> ScanResult:
        return ScanResult(infected=False)


@dataclass
class ClamdScanner:
    """ClamAV's daemon over a unix socket (``unix:///run/clamav/clamd.ctl``) or TCP
    (``tcp://127.0.0.1:3310``), with clamd's INSTREAM command (man clamd). Connecting waits at
    most 5 seconds; each later read or write at most ``timeout``."""

    address: str
    timeout: float = 30.0
    name: str = "clamav"
    chunk_size: int = 64 * 1024

    def _connect(self) -> socket.socket:
        url = urlsplit(self.address)
        if url.scheme == "tcp":
            sock = socket.create_connection((url.hostname, url.port or 3310), timeout=min(self.timeout, 5.0))
        elif url.scheme in ("unix", ""):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(min(self.timeout, 5.0))
            sock.connect(url.path)
        else:
            raise ScannerUnavailable(f"unsupported address {self.address!r}: use unix:///path or tcp://host:port")
        sock.settimeout(self.timeout)
        return sock

    def _command(self, command: bytes, chunks=()) -> str:
        try:
            with self._connect() as sock:
                sock.sendall(b"z" + command + b"\0")
                for chunk in chunks:
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:  # refused, missing socket, timeout, reset
            raise ScannerUnavailable(f"clamd at {self.address}: {exc}") from exc
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> bool:
        try:
            return self._command(b"PING") == "PONG"
        except ScannerUnavailable:
            return False

    def scan(self, data: bytes) -> ScanResult:
        chunks = [data[i : i + self.chunk_size] for i in range(0, len(data), self.chunk_size)]
        reply = self._command(b"INSTREAM", [*chunks, b""])  # an empty chunk ends the stream
        # "stream: OK", "stream: <signature> FOUND" or "<reason> ERROR" (for instance when the
        # file is larger than clamd's StreamMaxLength).
        if reply == "stream: OK":
            return ScanResult(infected=False)
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return ScanResult(infected=True, signature=reply[len("stream: ") : -len(" FOUND")])
        raise ScannerUnavailable(f"clamd at {self.address} answered {reply[:200]!r}")


def configured_scanner() -> Scanner:
    """The scanner named in ``settings.VIRUS_SCANNER`` (cheap to build: it holds no connection)."""
    options = dict(settings.VIRUS_SCANNER)
    return import_string(options.pop("class"))(**options)
