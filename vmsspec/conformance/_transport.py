"""Where a run's requests go: the embedded reference service or a URL, politely.

``Sender`` signs each attempt afresh (``prepare``), keeps to the rate limit, and retries
429 and 5xx with exponential backoff, honouring Retry-After: throttling is never a
finding, and a 5xx that persists after the retries is what ``status.no-5xx`` judges.
Every header that reaches a WireExchange is redacted first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from ..service import HttpRequest, ReferenceService
from ..signing import Credentials, redact_headers, redact_target
from ._results import Reproduction, WireExchange
from ._tamper import prepare

__all__ = ["EmbeddedTarget", "HttpTarget", "RawAnswer", "Sender", "Target"]

EMBEDDED_BASE = "https://cloud-vms.volcengineapi.com"
"""The URL signed for the embedded service: the public endpoint's, never contacted."""


@dataclass(frozen=True)
class RawAnswer:
    status: int | None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    error: str | None = None


class Target(Protocol):
    base_url: str
    name: str
    rate_limited: bool

    def send(self, method: str, url: str, headers: tuple[tuple[str, str], ...],
             body: bytes) -> RawAnswer: ...

    def close(self) -> None: ...


class EmbeddedTarget:
    """The reference service in this process: no sockets, no rate limit."""

    rate_limited = False
    name = "embedded"
    base_url = EMBEDDED_BASE

    def __init__(self, service: ReferenceService) -> None:
        self.service = service

    def send(self, method: str, url: str, headers: tuple[tuple[str, str], ...],
             body: bytes) -> RawAnswer:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        response = self.service.handle(HttpRequest.build(method, target, headers, body))
        if getattr(response, "drop", False):
            return RawAnswer(None, error="Server disconnected without sending a response.")
        return RawAnswer(response.status, response.headers, response.body)

    def close(self) -> None:
        pass


class HttpTarget:
    """A live endpoint over httpx (loopback in tests; staging for users)."""

    rate_limited = True

    def __init__(self, base_url: str, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.name = self.base_url
        # no environment proxies or .netrc: a conformance run talks to exactly this URL
        self._client = httpx.Client(timeout=timeout, trust_env=False, transport=transport)

    def send(self, method: str, url: str, headers: tuple[tuple[str, str], ...],
             body: bytes) -> RawAnswer:
        try:
            response = self._client.request(method, url, headers=list(headers), content=body)
        except httpx.HTTPError as exc:
            return RawAnswer(None, error=f"{type(exc).__name__}: {exc}".splitlines()[0])
        return RawAnswer(response.status_code, tuple(response.headers.multi_items()),
                         response.content)

    def close(self) -> None:
        self._client.close()


def retry_after(headers: tuple[tuple[str, str], ...], now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), if any."""
    value = next((v for k, v in headers if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    moment = now if now is not None else time.time()
    return max(0.0, when.timestamp() - moment)


class Sender:
    """Sign, pace, send, retry: one WireExchange per logical request."""

    def __init__(self, target: Target, credentials: Credentials, *,
                 rate_limit: float | None = 5.0, retries: int = 3, backoff: float = 0.25,
                 max_wait: float = 30.0, clock: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.target = target
        self.credentials = credentials
        self.interval = (1.0 / rate_limit if rate_limit and target.rate_limited else 0.0)
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.sleep = sleep
        self.throttled = 0
        """429 answers seen and retried (never a finding)."""
        self.sent = 0
        self._next = 0.0
        self._lock = threading.Lock()

    def _pace(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            self.sleep(wait)

    def send(self, reproduction: Reproduction) -> WireExchange:
        attempts = 0
        started = time.monotonic()
        while True:
            attempts += 1
            method, url, headers, body = prepare(reproduction, self.credentials, now=self.clock())
            self._pace()
            raw = self.target.send(method, url, headers, body)
            self.sent += 1
            status = raw.status
            retryable = status is not None and (status == 429 or status >= 500)
            if not retryable or attempts > self.retries:
                break
            if status == 429:
                self.throttled += 1
            wait = retry_after(raw.headers)
            if wait is None:
                wait = self.backoff * (2 ** (attempts - 1))
            self.sleep(min(wait, self.max_wait))
        return WireExchange(
            method=method, url=redact_target(url), headers=tuple(redact_headers(headers)),
            body=body, status=status, response_headers=tuple(redact_headers(raw.headers)),
            response_body=raw.body, elapsed=time.monotonic() - started, error=raw.error,
            attempts=attempts,
        )
