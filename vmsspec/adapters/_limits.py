"""The real-port server's limits, and the vendor envelope it answers when one is hit.

A limit hit before a request reaches the service (headers too large, too many
connections) is still answered the way the gateway answers: a JSON error envelope with a
code from the catalog, never uvicorn's bare text.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import orjson

from .._endpoint import DEFAULT_REGION, DEFAULT_SERVICE, VERSION
from .._errors import error_code

__all__ = ["ServerLimits", "error_envelope"]


@dataclass(frozen=True)
class ServerLimits:
    """What one ``vmsspec serve`` process accepts; every default is documented here and in
    ``vmsspec serve --help``. Times are in seconds."""

    max_header_bytes: int = 32 * 1024
    """Request line plus headers; past it: QuotaExceeded naming ``headers`` (HTTP 400), then
    close. 32 KiB: four times what nginx allows by default, far above any SDK's 1 KiB."""
    read_timeout: float = 10.0
    """Headers must arrive in full within this time, and a body may pause no longer
    (slowloris); past it the connection is closed."""
    idle_timeout: float = 5.0
    """A connection with no request in flight is closed after this time (uvicorn's
    keep-alive timeout; also a connection that never sends a byte)."""
    max_connections: int = 512
    """Open connections past this one are answered Throttling (HTTP 429, retryable) and
    closed. Half the usual 1024 file descriptors: the limit is hit before EMFILE is."""
    shutdown_timeout: float = 5.0
    """On exit, how long requests in flight may take before they are cancelled."""
    linger: float = 2.0
    """After answering a request whose body was not read (refused from its headers), how
    long the rest of it is read and thrown away, so that closing does not reset the
    connection before the client reads the answer."""
    linger_bytes: int = 8 * 1024 * 1024
    """... and at most how many such bytes are thrown away before closing anyway."""
    thread_body_bytes: int = 64 * 1024
    """Requests with a body this large or larger are answered in a worker thread, so that
    parsing and validating it does not hold up other connections; smaller ones are
    answered on the event loop (a thread hop costs more than they do)."""
    threads: int = 2
    """Worker threads for large requests (the machine's cores are the real limit)."""

    def __post_init__(self) -> None:
        for name in ("read_timeout", "idle_timeout", "shutdown_timeout", "linger"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be more than 0 seconds")
        for name in ("max_header_bytes", "max_connections", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


_random = random.Random()  # noqa: S311 - request ids, not keys


def error_envelope(code: str, parameter: str | None = None, *, region: str = DEFAULT_REGION,
                   action: str = "CreateTask", version: str = VERSION) -> tuple[int, bytes]:
    """(status, body) of the vendor's error envelope for ``code`` (from the catalog)."""
    entry = error_code(code)
    # The vendor's RequestId shape: UTC timestamp digits, then uppercase hex.
    request_id = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + f"{_random.getrandbits(72):018X}"
    error: dict[str, object] = {"Code": entry.code, "Message": entry.format(parameter)}
    if entry.code_n is not None:
        error["CodeN"] = entry.code_n
    doc = {"ResponseMetadata": {"RequestId": request_id, "Action": action, "Version": version,
                                "Service": DEFAULT_SERVICE, "Region": region, "Error": error}}
    return entry.status, orjson.dumps(doc)
