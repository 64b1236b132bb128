"""Real-port mode: the ASGI app under uvicorn, in a background thread or in the foreground.

``ThreadedServer`` is moto's ThreadedMotoServer for vmsspec: it serves the same
ReferenceService instance the in-process mock uses, so both modes share state.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from ..service import ReferenceService
from .asgi import create_app

__all__ = ["ThreadedServer", "free_port", "uvicorn_config"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def uvicorn_config(service: ReferenceService, host: str, port: int,
                   log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        create_app(service), host=host, port=port, log_level=log_level,
        access_log=False, lifespan="on",
        # The service answers with its own headers; uvicorn's Server/Date would only add noise.
        server_header=False, date_header=False,
    )


class ThreadedServer:
    """Serve ``service`` on ``host:port`` (a free port by default) in a daemon thread."""

    def __init__(self, service: ReferenceService | None = None, *, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.service = service if service is not None else ReferenceService()
        self.host = host
        self.port = port or free_port(host)
        self._server = uvicorn.Server(uvicorn_config(self.service, self.host, self.port))
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

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        self._thread = None

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
