"""Real-port mode: the ASGI app under uvicorn, in a background thread or in the foreground.

``ThreadedServer`` is moto's ThreadedMotoServer for vmsspec: it serves the same
ReferenceService instance the in-process mock uses, so both modes share state.
Both modes run uvicorn with vmsspec's own protocol (``_protocol.VmsHttpProtocol``:
timeouts, header and connection limits, half-closed clients, dropped answers) and with
the limits of ``ServerLimits``.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Generator
from types import FrameType, TracebackType
from typing import cast

import uvicorn

from ..service import ReferenceService
from ..signing import redact_target
from ._limits import ServerLimits
from ._protocol import protocol_class
from .asgi import create_app, is_loopback_host

__all__ = ["ServerLimits", "ThreadedServer", "VmsServer", "free_port", "uvicorn_config"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class _RedactTargets(logging.Filter):
    """uvicorn's access and trace lines carry the request target, and a presigned URL
    carries its signature and session token there: redacted the way the recording is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_target(a) if isinstance(a, str) else a
                                for a in record.args)
        return True


_REDACT = _RedactTargets()


def uvicorn_config(service: ReferenceService, host: str, port: int,
                   log_level: str = "warning", *, limits: ServerLimits | None = None,
                   control_token: str | None = None,
                   control: bool | None = None, direct: bool = True) -> uvicorn.Config:
    """uvicorn's Config for serving ``service``. The control path is on for a loopback
    ``host``, or when a ``control_token`` is given; ``control`` overrides that.
    ``direct=False`` sends every request through the ASGI app (``_direct.py`` says what
    the direct path is; the answers are the same)."""
    limits = limits or ServerLimits()
    if control is None:
        control = is_loopback_host(host) or control_token is not None
    config = uvicorn.Config(
        create_app(service, limits=limits, control=control, control_token=control_token),
        host=host, port=port, log_level=log_level, lifespan="on", ws="none",
        http=protocol_class(limits, service.region, service if direct else None),
        # Off: an access line is one more copy of every target (redacted below if a user
        # turns it on through uvicorn's own logging config).
        access_log=False,
        # The service answers with its own headers; uvicorn's Server/Date would only add noise.
        server_header=False, date_header=False,
        # float seconds work (asyncio.wait_for); uvicorn only annotates them as int
        timeout_graceful_shutdown=cast(int, limits.shutdown_timeout),
        backlog=min(2048, limits.max_connections * 2),
    )
    for name in ("uvicorn.access", "uvicorn.error"):
        if _REDACT not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(_REDACT)
    return config


class VmsServer(uvicorn.Server):
    """uvicorn's Server, stopped the same way by SIGINT and SIGTERM (CI, Docker and systemd
    send SIGTERM), without re-raising the signal afterwards: the caller still has the
    recording to write. A second signal stops waiting for requests in flight.
    ``received`` lists the signals that came."""

    received: list[int]

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        self.received = []
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.received.append(sig)
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True


class ThreadedServer:
    """Serve ``service`` on ``host:port`` (a free port by default) in a daemon thread."""

    def __init__(self, service: ReferenceService | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, limits: ServerLimits | None = None,
                 control_token: str | None = None, direct: bool = True) -> None:
        self.service = service if service is not None else ReferenceService()
        self.host = host
        self.port = port or free_port(host)
        self.limits = limits or ServerLimits()
        self._server = VmsServer(uvicorn_config(self.service, self.host, self.port,
                                                limits=self.limits,
                                                control_token=control_token,
                                                direct=direct))
        # uvicorn installs signal handlers only from the main thread, so Ctrl-C keeps
        # belonging to the program that started this server.
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ThreadedServer:
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._server.run, name="vmsspec-server",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"vmsspec server did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop serving; requests in flight get ``limits.shutdown_timeout`` to finish."""
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout if timeout is not None
                          else self.limits.shutdown_timeout + self.limits.linger + 5)
        self._thread = None

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
