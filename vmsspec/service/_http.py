"""Plain HTTP values the sans-IO service takes and returns (no sockets, no httpx)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..signing import redact_headers, redact_target

__all__ = ["HttpRequest", "HttpResponse"]


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str
    """The request target as sent: percent-encoded path and query, e.g. ``/?Action=CreateTask``."""
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    body_too_large: bool = False
    """Set by an adapter that stopped reading a body past the service's size limit."""
    http_version: str = "1.1"
    """As the adapter received it: HTTP/1.1 requires a Host header, HTTP/1.0 does not."""

    @classmethod
    def build(cls, method: str, target: str,
              headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
              body: bytes | str = b"") -> HttpRequest:
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return cls(method.upper(), target, tuple((str(k), str(v)) for k, v in pairs), raw)

    @property
    def path(self) -> str:
        return self.target.partition("?")[0] or "/"

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def __repr__(self) -> str:
        return (f"HttpRequest({self.method} {redact_target(self.target)}, "
                f"headers={redact_headers(self.headers)!r}, body={len(self.body)} bytes)")


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    delay: float = 0.0
    """Seconds an adapter waits before answering (injected latency); the core never sleeps.
    Async adapters ``await asyncio.sleep``, so a slow answer never blocks an event loop."""
    drop: bool = False
    """The adapter must not answer at all: on a real port it closes the connection with no
    response bytes; in-process it raises ``httpx.RemoteProtocolError``."""
