"""Server children for the real-port benches: `vmsspec serve`, bare uvicorn, their CPU time.

``python bench/_servers.py APP HTTP LOOP`` serves APP (``bare``: a trivial ASGI app with
vmsspec's uvicorn settings; ``vmsspec``: the reference service through
``uvicorn_config``; ``vmsspec-canned``: the same whose ``handle`` answers every request
with its first answer, so only the HTTP side costs; ``vmsspec-timed``: the same whose
``handle`` writes its own mean thread CPU time to the file VMSSPEC_BENCH_HANDLE_TIMES
every 2,000 calls) on a free loopback port and prints its URL on the first line.
:func:`server_process` starts such a command (or ``python -m vmsspec serve --port 0``),
yields the URL and the process id, and always stops it; the child also dies with its
parent (PR_SET_PDEATHSIG), so nothing outlives a killed bench.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
START_TIMEOUT = 20.0
ROOT = Path(__file__).resolve().parent.parent
# The answer the bare app sends: the service's own shape and about its size.
CANNED = (b'{"ResponseMetadata":{"RequestId":"20250101000000000001ABCDEF012345",'
          b'"Action":"CreateTask","Version":"2022-01-01","Service":"vms",'
          b'"Region":"cn-beijing"},"Result":{"TaskOpenId":"1abcdef01","FailList":[]}}')


def trivial_app() -> Any:
    headers = [(b"content-type", b"application/json; charset=utf-8"),
               (b"content-length", str(len(CANNED)).encode())]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        while True:  # drain the body, as the service does
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": CANNED})

    return app


def _canned(handle: Any) -> Any:
    first: list[Any] = []

    def canned(request: Any) -> Any:
        if not first:
            first.append(handle(request))
        return first[0]

    return canned


def _timed(handle: Any) -> Any:
    path = os.environ["VMSSPEC_BENCH_HANDLE_TIMES"]
    spent, calls = [0.0], [0]

    def timed(request: Any) -> Any:
        start = time.thread_time()
        answer = handle(request)
        spent[0] += time.thread_time() - start
        calls[0] += 1
        if calls[0] == 2000:
            with open(path, "a", encoding="ascii") as out:
                out.write(f"{spent[0] / calls[0]}\n")
            spent[0], calls[0] = 0.0, 0
        return answer

    return timed


def run_child(app_name: str, http: str, loop: str) -> int:
    import uvicorn

    if app_name.startswith("vmsspec"):
        from vmsspec.adapters.server import uvicorn_config
        from vmsspec.service import ReferenceService

        service = ReferenceService()
        if app_name == "vmsspec-canned":
            service.handle = _canned(service.handle)  # type: ignore[method-assign]
        elif app_name == "vmsspec-timed":
            service.handle = _timed(service.handle)  # type: ignore[method-assign]
        config = uvicorn_config(service, HOST, 0)
    else:  # the same uvicorn settings as vmsspec's
        config = uvicorn.Config(trivial_app(), host=HOST, port=0, log_level="warning",
                                access_log=False, lifespan="on", server_header=False,
                                date_header=False)
    if http != "default":
        config.http = http
    config.loop = loop
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
    # listener's proto says TCP; with proto 0, Nagle + delayed ACK cost ~40 ms a request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    print(f"serving at http://{HOST}:{sock.getsockname()[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def child_argv(app_name: str, http: str = "httptools", loop: str = "asyncio") -> list[str]:
    return [sys.executable, os.path.abspath(__file__), app_name, http, loop]


def serve_argv() -> list[str]:
    return [sys.executable, "-m", "vmsspec", "serve", "--port", "0"]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: even if we are killed


@contextlib.contextmanager
def server_process(argv: list[str]) -> Iterator[tuple[str, int]]:
    """Start ``argv``; yield (URL from its first stdout line, pid); stop it on the way out."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: never blocks the child
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=ROOT, preexec_fn=_die_with_parent)

        def failed(why: str) -> RuntimeError:
            errors.seek(0)
            tail = errors.read()[-2000:].decode(errors="replace")
            return RuntimeError(f"{' '.join(argv)}: {why}\n{tail}")

        try:
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
            line = proc.stdout.readline().decode() if ready else ""
            match = re.search(r"http://[\w.]+:(\d+)", line)
            if match is None:
                raise failed(f"no URL on the first line: {line!r}")
            deadline = time.monotonic() + START_TIMEOUT
            while True:  # `vmsspec serve` prints its URL before uvicorn listens
                try:
                    with socket.create_connection((HOST, int(match.group(1))), 1):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise failed("the server did not start") from None
                    time.sleep(0.02)
            yield match.group(0), proc.pid
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)  # uvicorn's clean stop
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
            if proc.stdout is not None:
                proc.stdout.close()


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU time of process ``pid`` (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        # The command name may hold spaces: fields are counted after its closing ")".
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / _TICK, int(fields[12]) / _TICK


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), from /proc."""
    return sum(cpu_times(pid))


if __name__ == "__main__":
    sys.exit(run_child(*sys.argv[1:4]))
