"""The direct path of `vmsspec serve` (adapters/_direct.py) answers what the ASGI app answers.

Two servers on one service model each, one with the direct path and one without, get
the same raw requests; their answers must be the same bytes but for the ids that differ
by design (RequestId, X-Tt-Logid, TaskOpenId), and their recordings the same verdicts.
A fake transport then shows which requests take the direct path and which the app.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from uvicorn.server import ServerState

import vmsspec
from tests.server.rawhttp import API, connect, signed_request
from vmsspec.adapters.server import ThreadedServer, uvicorn_config
from vmsspec.service import ReferenceService

_IDS = re.compile(rb'(RequestId":"|x-tt-logid: |TaskOpenId":")[0-9A-Za-z]+')


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[ThreadedServer, ThreadedServer]]:
    with ThreadedServer(direct=True) as direct, ThreadedServer(direct=False) as via_app:
        yield direct, via_app


def _exchange(url: str, raw: bytes, answers: int = 1) -> bytes:
    """Send ``raw`` on a fresh connection; read until ``answers`` whole answers came or
    the server closed the connection."""
    with connect(url) as sock:
        sock.sendall(raw)
        sock.settimeout(5)
        data = b""
        while data.count(b"HTTP/1.1 ") < answers or not _complete(data):
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
        return data


def _complete(data: bytes) -> bool:
    head, sep, rest = data.rpartition(b"\r\n\r\n")
    if not sep:
        return False
    match = re.search(rb"content-length: (\d+)", head.rsplit(b"HTTP/1.1 ", 1)[-1])
    return match is not None and len(rest) >= int(match.group(1))


def _masked(data: bytes) -> bytes:
    return _IDS.sub(rb"\1<id>", data)


def _cases(url: str) -> dict[str, tuple[bytes, int]]:
    good = signed_request(url)
    doc = json.loads(vmsspec.example_bytes())
    bad_body = json.dumps({**doc, "RingAgainTimes": 9}).encode()
    host = url.removeprefix("http://")
    return {
        "signed": (good, 1),
        "invalid body": (signed_request(url, bad_body), 1),
        "wrong signature": (good.replace(b"Signature=", b"Signature=0"), 1),
        "unsigned": (f"POST {API} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
                     f"\r\nContent-Length: 2\r\n\r\n{{}}".encode(), 1),
        "GET": (f"GET {API} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), 1),
        "wrong path": (f"POST /x{API[1:]} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0"
                       f"\r\n\r\n".encode(), 1),
        "HTTP/1.0": (good.replace(b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1), 1),
        "Connection: close": (signed_request(url, extra="Connection: close\r\n"), 1),
        "two pipelined": (good + good, 2),
        "no Host": (f"POST {API} HTTP/1.1\r\nContent-Length: 0\r\n\r\n".encode(), 1),
    }


@pytest.mark.parametrize("case", list(_cases("http://127.0.0.1:1")))
def test_the_direct_path_answers_the_bytes_the_asgi_app_answers(
        servers: tuple[ThreadedServer, ThreadedServer], case: str) -> None:
    answers: list[bytes] = []
    verdicts: list[list[tuple[Any, ...]]] = []
    for server in servers:
        server.service.reset()
        raw, count = _cases(server.url)[case]
        answers.append(_masked(_exchange(server.url, raw, count)))
        deadline = time.monotonic() + 5
        while (len(server.service.exchanges) < count
               or any(e.delivered is None for e in server.service.exchanges)) \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        verdicts.append([(e.status, e.code, e.signature, e.violations, e.validated,
                          e.delivered) for e in server.service.exchanges])
    assert answers[0].count(b"HTTP/1.1 ") == count
    assert answers[0] == answers[1]
    assert verdicts[0] == verdicts[1] and len(verdicts[0]) == count


@pytest.mark.parametrize("forced", [
    {"code": "Throttling"}, {"gateway_502": True}, {"fail_items": [(0, "NO_PERMISSION")]},
    {"delay": 0.2},
])
def test_forced_answers_are_the_same_on_both_paths(
        servers: tuple[ThreadedServer, ThreadedServer], forced: dict[str, Any]) -> None:
    answers = []
    for server in servers:
        server.service.reset()
        server.service.respond_next(**forced)
        started = time.monotonic()
        answers.append(_masked(_exchange(server.url, signed_request(server.url))))
        if "delay" in forced:
            assert time.monotonic() - started >= forced["delay"]
    assert answers[0] == answers[1] and answers[0].startswith(b"HTTP/1.1 ")


def test_a_request_pipelined_behind_a_delayed_answer_waits_its_turn(
        servers: tuple[ThreadedServer, ThreadedServer]) -> None:
    direct = servers[0]
    direct.service.reset()
    direct.service.respond_next("Throttling", delay=0.3)
    raw = signed_request(direct.url)
    data = _exchange(direct.url, raw + raw, answers=2)
    first, second = data.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"429") and second.startswith(b"200")
    assert [e.delivered for e in direct.service.exchanges] == [True, True]


def test_a_client_gone_during_a_delayed_direct_answer_is_recorded_as_not_delivered(
        servers: tuple[ThreadedServer, ThreadedServer]) -> None:
    direct = servers[0]
    direct.service.reset()
    direct.service.respond_next(delay=0.3)
    sock = connect(direct.url)
    sock.sendall(signed_request(direct.url))
    deadline = time.monotonic() + 5
    while not direct.service.exchanges and time.monotonic() < deadline:
        time.sleep(0.01)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # a reset: the server sees the connection lost before it answers
    deadline = time.monotonic() + 5
    while direct.service.exchanges[-1].delivered is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert direct.service.exchanges[-1].delivered is False


# -- which requests take the direct path: a protocol on a fake transport ---------------


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5555), "sockname": ("127.0.0.1", 8000)}.get(
            name, default)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        pass


async def _feed(raw: bytes, direct: bool = True) -> tuple[bool, bytes]:
    """(answered within data_received with no task, the answer) for one raw request."""
    config = uvicorn_config(ReferenceService(), "127.0.0.1", 8000, direct=direct)
    config.lifespan = "off"
    config.load()
    protocol_class: Any = config.http_protocol_class
    state = ServerState()
    protocol = protocol_class(config=config, server_state=state, app_state={})
    transport = _Transport()
    protocol.connection_made(transport)
    protocol.data_received(raw)
    synchronous = bool(transport.written) and not state.tasks
    for _ in range(200):
        if transport.written and not state.tasks:
            break
        await asyncio.sleep(0.005)
    protocol.connection_lost(None)
    return synchronous, b"".join(transport.written)


URL = "http://127.0.0.1:8000"


@pytest.mark.parametrize(("name", "raw", "direct"), [
    ("signed API call", signed_request(URL), True),
    ("GET on the API", f"GET {API} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(), True),
    ("control path", b"GET /_vmsspec/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", False),
    ("control path, escaped", b"GET /%5Fvmsspec/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
     False),
    ("chunked body", b"POST " + API.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", False),
    ("Expect: 100-continue", signed_request(URL, extra="Expect: 100-continue\r\n"), False),
    ("body past the thread threshold",
     signed_request(URL, b'{"Name": "' + b"x" * 70_000 + b'"}'), False),
])
def test_which_requests_take_the_direct_path(name: str, raw: bytes, direct: bool) -> None:
    synchronous, answer = asyncio.run(_feed(raw))
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    assert synchronous is direct, name


def test_direct_false_sends_every_request_to_the_app() -> None:
    synchronous, answer = asyncio.run(_feed(signed_request(URL), direct=False))
    assert answer.startswith(b"HTTP/1.1 200 ") and not synchronous
