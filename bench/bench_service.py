"""Reference-service benchmark: the in-process respx mock and ``vmsspec serve``.

Run: python bench/bench_service.py [--rounds N] [--seconds S] [--windows W]
     [--client httpx|stdlib] [--no-variants] [--only in-process|server] [--json]

Goals from issue 4:
- in-process: a small signed CreateTask request (the bundled example body) through
  ``service_router(ReferenceService())`` -- verify the signature, validate, respond --
  median at most 1.3x a bare respx round trip. The bare route answers a canned
  ``httpx.Response`` (the service's own answer, captured once) to the same request from
  the same ``httpx.Client``; the goal compares with the bare round trip *with* signing
  (same ``VolcSignatureAuth``), so that only the service's work differs. Reported too:
  the bare round trip without signing; a bare route that binds its Response to the
  request as the adapter does (respx then skips its clone, one Response built instead
  of two); and a ``return_value`` route (respx clones one fixed Response per call).
- real port: ``python -m vmsspec serve --port 0`` in its own process answers at least
  500 requests/s to one keep-alive ``httpx.Client`` on 127.0.0.1 sending signed CreateTask
  requests one after another. Bare uvicorn (a trivial ASGI app, same uvicorn settings) is
  measured the same way, side by side; so are the uvicorn ``http=``/``loop=`` variants
  whose modules (httptools, uvloop) are importable. ``--client stdlib`` drives the servers
  with ``http.client`` (each request signed with ``sign_request``) instead, to show how
  much of the figure is the client's own cost. req/s is requests over timed seconds,
  median of the windows; "1/median" is the rate at the median latency, which a busy
  neighbour process disturbs less.

Every timed answer must be 200 (asserted). The service keeps a task per request and
answers ExceedTaskNumLimit past 50 running tasks, so it is reset outside the timed region
(in-process: ``service.reset()``; real port: ``POST /_vmsspec/reset``, not timed).
Each server runs in a child process (no shared GIL) that is killed on exit, error or not.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

HOST = "127.0.0.1"
API = "/?Action=CreateTask&Version=2022-01-01"
HEADERS = {"Content-Type": "application/json"}
RESET_EVERY = 40  # below the service's 50 running tasks
MAX_REQUESTS_PER_WINDOW = 200_000
START_TIMEOUT = 20.0

GOAL_RATIO = 1.3
GOAL_RPS = 500.0


# -- in-process ------------------------------------------------------------------------


def bench_in_process(rounds: int, block: int) -> dict[str, Any]:
    import respx

    import vmsspec
    from vmsspec.adapters.httpx_auth import VolcSignatureAuth
    from vmsspec.adapters.respx_mock import DEFAULT_HOST, service_router
    from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService

    url = f"https://{DEFAULT_HOST}{API}"
    body = vmsspec.example_bytes()
    service = ReferenceService()
    signed = httpx.Client(auth=VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY))
    unsigned = httpx.Client()

    with service_router(service):
        canned = signed.post(url, content=body, headers=HEADERS)
    assert canned.status_code == 200, canned.text
    canned_headers, canned_body = list(canned.headers.multi_items()), canned.content

    def bare_router() -> respx.MockRouter:
        router = respx.mock(assert_all_called=False)
        router.route(host=DEFAULT_HOST).mock(
            side_effect=lambda request: httpx.Response(200, headers=canned_headers,
                                                       content=canned_body))
        return router

    def bound_router() -> respx.MockRouter:
        # Built the way the adapter builds its answer: bound to the request, not cloned.
        router = respx.mock(assert_all_called=False)
        router.route(host=DEFAULT_HOST).mock(
            side_effect=lambda request: httpx.Response(200, headers=canned_headers,
                                                       content=canned_body, request=request))
        return router

    def return_value_router() -> respx.MockRouter:
        router = respx.mock(assert_all_called=False)
        router.route(host=DEFAULT_HOST).mock(
            return_value=httpx.Response(200, headers=canned_headers, content=canned_body))
        return router

    cases: dict[str, tuple[Callable[[], respx.MockRouter], httpx.Client]] = {
        "service (signed)": (lambda: service_router(service), signed),
        "bare respx, signed": (bare_router, signed),
        "bare respx, unsigned": (bare_router, unsigned),
        "bare respx, signed, bound Response": (bound_router, signed),
        "bare respx, signed, return_value": (return_value_router, signed),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    blocks = max(1, rounds // block)
    # Blocks of each case in turn, so that a load change on the machine hits all cases.
    for i in range(blocks + 1):
        for name, (make_router, client) in cases.items():
            with make_router():
                for n in range(block):
                    if n % RESET_EVERY == 0:  # outside the timed region: no ExceedTaskNumLimit
                        service.reset()
                    start = time.perf_counter()
                    response = client.post(url, content=body, headers=HEADERS)
                    elapsed = time.perf_counter() - start
                    assert response.status_code == 200, response.text
                    if i:  # the first block of each case warms up
                        samples[name].append(elapsed)
    signed.close()
    unsigned.close()
    result: dict[str, Any] = {
        name: {"median_us": statistics.median(s) * 1e6, "min_us": min(s) * 1e6,
               "calls": len(s)}
        for name, s in samples.items()
    }
    base = result["bare respx, signed"]["median_us"]
    result["ratio"] = result["service (signed)"]["median_us"] / base
    service_us = result["service (signed)"]["median_us"]
    result["ratio_vs_unsigned"] = service_us / result["bare respx, unsigned"]["median_us"]
    result["ratio_vs_bound"] = (
        service_us / result["bare respx, signed, bound Response"]["median_us"])
    result["ratio_vs_return_value"] = (
        service_us / result["bare respx, signed, return_value"]["median_us"])
    return result


# -- real port: server children ----------------------------------------------------------


def _trivial_app() -> Any:
    canned = (b'{"ResponseMetadata":{"RequestId":"20250101000000000001ABCDEF012345",'
              b'"Action":"CreateTask","Version":"2022-01-01","Service":"vms",'
              b'"Region":"cn-beijing"},"Result":{"TaskOpenId":"1abcdef01","FailList":[]}}')
    headers = [(b"content-type", b"application/json; charset=utf-8")]

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
        await send({"type": "http.response.body", "body": canned})

    return app


def run_child(app_name: str, http: str, loop: str) -> int:
    """Child process: serve ``app_name`` on a free loopback port, URL on the first line."""
    import uvicorn

    if app_name == "vmsspec":
        from vmsspec.adapters.server import uvicorn_config
        from vmsspec.service import ReferenceService

        config = uvicorn_config(ReferenceService(), HOST, 0)
    else:  # the same uvicorn settings as vmsspec's
        config = uvicorn.Config(_trivial_app(), host=HOST, port=0, log_level="warning",
                                access_log=False, lifespan="on", server_header=False,
                                date_header=False)
    config.http, config.loop = http, loop
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
    # listener's proto says TCP; with proto 0, Nagle + delayed ACK cost ~40 ms a request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    print(f"serving at http://{HOST}:{sock.getsockname()[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: even if we are killed


@contextlib.contextmanager
def server_process(argv: list[str]) -> Iterator[str]:
    """Start ``argv``, yield the URL from its first stdout line, kill it on the way out."""
    # stderr to a file, not a pipe: a chatty server never blocks on it
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                preexec_fn=_die_with_parent)

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
            yield match.group(0)
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


class StdlibClient:
    """One keep-alive ``http.client.HTTPConnection``, each request signed with sign_request."""

    def __init__(self, url: str) -> None:
        import http.client

        from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY
        from vmsspec.signing import sign_request

        self.host = url.removeprefix("http://")
        hostname, port = self.host.rsplit(":", 1)
        self.conn = http.client.HTTPConnection(hostname, int(port), timeout=10)
        self._sign = lambda body: sign_request(
            "POST", "/", {"Action": "CreateTask", "Version": "2022-01-01"},
            [("Host", self.host), ("Content-Type", "application/json")], body,
            access_key=TEST_ACCESS_KEY, secret_key=TEST_SECRET_KEY, region="cn-beijing",
            service="vms").headers

    def reset(self) -> None:
        self.conn.request("POST", "/_vmsspec/reset", b"{}", HEADERS)  # JSON: issue 12
        response = self.conn.getresponse()
        response.read()
        assert response.status == 200

    def create_task(self, body: bytes) -> tuple[int, bytes]:
        self.conn.request("POST", API, body, self._sign(body))
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


class HttpxClient:
    """One keep-alive ``httpx.Client`` with ``VolcSignatureAuth``."""

    def __init__(self, url: str) -> None:
        from vmsspec.adapters.httpx_auth import VolcSignatureAuth
        from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY

        self.url = url
        self.client = httpx.Client(auth=VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY),
                                   timeout=10)

    def reset(self) -> None:
        self.client.post(f"{self.url}/_vmsspec/reset", auth=None,
                         json={}).raise_for_status()  # control POSTs are JSON (issue 12)

    def create_task(self, body: bytes) -> tuple[int, bytes]:
        response = self.client.post(self.url + API, content=body, headers=HEADERS)
        return response.status_code, response.content

    def close(self) -> None:
        self.client.close()


CLIENTS = {"httpx": HttpxClient, "stdlib": StdlibClient}


def measure_rps(client: HttpxClient | StdlibClient, body: bytes,
                seconds: float) -> dict[str, Any]:
    """Sequential signed CreateTask requests for ``seconds`` of timed work."""
    busy = 0.0
    latencies: list[float] = []
    end = time.perf_counter() + seconds * 3  # wall-clock bound, resets included
    while (busy < seconds and len(latencies) < MAX_REQUESTS_PER_WINDOW
           and time.perf_counter() < end):
        if len(latencies) % RESET_EVERY == 0:  # not timed
            client.reset()
        start = time.perf_counter()
        status, answer = client.create_task(body)
        elapsed = time.perf_counter() - start
        assert status == 200, answer
        busy += elapsed
        latencies.append(elapsed)
    return {"rps": len(latencies) / busy, "median_latency_us":
            statistics.median(latencies) * 1e6, "requests": len(latencies)}


def server_variants(include_variants: bool) -> dict[str, list[str]]:
    me = [sys.executable, os.path.abspath(__file__), "--child"]
    variants = {
        "vmsspec serve": [sys.executable, "-m", "vmsspec", "serve", "--port", "0"],
        "bare uvicorn (h11, asyncio)": [*me, "bare", "h11", "asyncio"],
    }
    if not include_variants:
        return variants
    variants["vmsspec app (h11, asyncio)"] = [*me, "vmsspec", "h11", "asyncio"]
    have_httptools = importlib.util.find_spec("httptools") is not None
    have_uvloop = importlib.util.find_spec("uvloop") is not None
    if have_httptools:
        variants["vmsspec app (httptools, asyncio)"] = [*me, "vmsspec", "httptools", "asyncio"]
        variants["bare uvicorn (httptools, asyncio)"] = [*me, "bare", "httptools", "asyncio"]
    if have_uvloop:
        variants["vmsspec app (h11, uvloop)"] = [*me, "vmsspec", "h11", "uvloop"]
    if have_httptools and have_uvloop:
        variants["vmsspec app (httptools, uvloop)"] = [*me, "vmsspec", "httptools", "uvloop"]
        variants["bare uvicorn (httptools, uvloop)"] = [*me, "bare", "httptools", "uvloop"]
    return variants


def bench_servers(rounds: int, seconds: float, include_variants: bool,
                  client_name: str) -> dict[str, Any]:
    import vmsspec

    body = vmsspec.example_bytes()
    windows: dict[str, list[dict[str, Any]]] = {}
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(server_process(argv))
                for name, argv in server_variants(include_variants).items()}
        clients = {name: CLIENTS[client_name](url) for name, url in urls.items()}
        for client in clients.values():
            stack.callback(client.close)
        for client in clients.values():  # warm up: connection, imports, compiled schemas
            measure_rps(client, body, 0.2)
        for _ in range(rounds):  # servers in turn, so a load change hits them all
            for name, client in clients.items():
                windows.setdefault(name, []).append(measure_rps(client, body, seconds))
    return {name: {"rps": statistics.median(w["rps"] for w in ws),
                   "median_latency_us": statistics.median(w["median_latency_us"] for w in ws),
                   "requests": sum(w["requests"] for w in ws), "windows": len(ws)}
            for name, ws in windows.items()}


def resolved_auto() -> str:
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http}, {loop}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3000,
                        help="timed in-process calls per case (default 3000)")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="timed seconds per server per window (default 2)")
    parser.add_argument("--windows", type=int, default=5,
                        help="windows per server, servers in turn (default 5)")
    parser.add_argument("--client", choices=tuple(CLIENTS), default="httpx",
                        help="the real-port client (default httpx, the goal's)")
    parser.add_argument("--no-variants", action="store_true",
                        help="only `vmsspec serve` and bare uvicorn (h11, asyncio)")
    parser.add_argument("--only", choices=("in-process", "server"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("APP", "HTTP", "LOOP"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(*args.child)
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    results: dict[str, Any] = {"vmsspec serve uses": resolved_auto(), "client": args.client}
    missed = []
    if args.only != "server":
        results["in-process"] = bench_in_process(args.rounds, block=100)
        if results["in-process"]["ratio"] > GOAL_RATIO:
            missed.append("in-process ratio")
    if args.only != "in-process":
        results["server"] = bench_servers(args.windows, args.seconds, not args.no_variants,
                                          args.client)
        if results["server"]["vmsspec serve"]["rps"] < GOAL_RPS:
            missed.append("vmsspec serve requests/s")

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        if "in-process" in results:
            r = results["in-process"]
            print("in-process (respx), one signed CreateTask call, same httpx.Client:")
            for name, c in r.items():
                if isinstance(c, dict):
                    print(f"  {name:36} median {c['median_us']:7.0f} us"
                          f"  min {c['min_us']:7.0f} us  n={c['calls']}")
            print(f"  service / bare signed          = {r['ratio']:.3f}x"
                  f"  (goal <= {GOAL_RATIO}x)")
            print(f"  service / bare unsigned        = {r['ratio_vs_unsigned']:.3f}x")
            print(f"  service / bare, bound Response = {r['ratio_vs_bound']:.3f}x")
            print(f"  service / bare, return_value   = {r['ratio_vs_return_value']:.3f}x")
        if "server" in results:
            print(f"real port, one keep-alive {args.client} client, signed CreateTask, one at a"
                  f" time (`vmsspec serve` = uvicorn {results['vmsspec serve uses']}):")
            print(f"  {'':36} {'req/s':>6}  {'median latency':>14}  {'1/median':>8}")
            for name, c in results["server"].items():
                goal = f"  (goal >= {GOAL_RPS:.0f}/s)" if name == "vmsspec serve" else ""
                print(f"  {name:36} {c['rps']:6.0f}  {c['median_latency_us']:11.0f} us"
                      f"  {1e6 / c['median_latency_us']:8.0f}  n={c['requests']}{goal}")
    if missed:
        print(f"goal missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
