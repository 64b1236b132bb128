"""`vmsspec serve` under bad traffic (issue 12): each finding of the issue, with its fix.

Loopback only, every server on a free port, every wait bounded. What takes more than a
few seconds is marked ``slow``; the CLI-level findings (SIGTERM, the record file, exit
codes) are in tests/cli/test_serve_cli.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

import vmsspec
from tests.server.rawhttp import (
    API,
    closed_within,
    connect,
    envelope_code,
    read_response,
    signed_request,
)
from vmsspec.adapters.asgi import CONTROL_TOKEN_HEADER, create_app, is_loopback_host
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.adapters.server import ServerLimits, ThreadedServer, uvicorn_config
from vmsspec.service import (
    TEST_ACCESS_KEY,
    TEST_SECRET_KEY,
    HttpRequest,
    HttpResponse,
    Recorder,
    ReferenceService,
)

AUTH = VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY)
CREATE = {"Action": "CreateTask", "Version": "2022-01-01"}
FAST = ServerLimits(read_timeout=0.5, idle_timeout=0.5, shutdown_timeout=1.0, linger=0.5)


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(ReferenceService(max_body_bytes=64 * 1024), limits=FAST) as running:
        yield running


def health(server: ThreadedServer, timeout: float = 5.0) -> int:
    return httpx.get(f"{server.url}/_vmsspec/health", timeout=timeout).status_code


# -- a single request stalls the others (the 28 MB body) -------------------------------


class BlockingService(ReferenceService):
    """Holds large requests inside handle() until released: if handle ran on the event
    loop, nothing else would be answered meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()
        self.threads: list[str] = []

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.threads.append(threading.current_thread().name)
        if len(request.body) >= 64 * 1024:
            self.entered.set()
            self.release.wait(10)
        return super().handle(request)


def test_a_large_body_is_handled_off_the_event_loop_and_others_are_answered() -> None:
    service = BlockingService()
    with ThreadedServer(service) as server:
        big = threading.Thread(target=lambda: httpx.post(
            server.url + API, content=b"{" + b" " * 200_000 + b"}", timeout=20))
        big.start()
        assert service.entered.wait(10)
        try:
            # the large request is inside handle(); the loop still answers everyone else
            assert health(server) == 200
            small = httpx.post(server.url + API, content=b"{}", auth=AUTH, timeout=5)
            assert small.status_code == 400
        finally:
            service.release.set()
            big.join(20)
    assert service.threads[0].startswith("vmsspec-handle")  # the large one: a worker
    assert service.threads[1] == "vmsspec-server"           # small ones: the loop itself


# -- bounded memory -------------------------------------------------------------------


def test_the_recorder_keeps_the_newest_exchanges_and_counts_them_all() -> None:
    recorder = Recorder(max_body=10, limit=3)
    for n in range(5):
        request = HttpRequest.build("POST", "/", {}, b"x" * (5 + n * 10))
        recorder.record(request, status=400, code="InvalidParameter", signature=None,
                        signature_reason="", violations=(("c", "p", "r"),) if n else (),
                        fault=None)
    kept = recorder.exchanges
    assert [e.number for e in kept] == [3, 4, 5]
    assert (recorder.total, recorder.nonconformant) == (5, 4)
    assert all(len(e.body) == 10 for e in kept)
    assert [e.body_size for e in kept] == [25, 35, 45]
    assert kept[0].body_sha256 == hashlib.sha256(b"x" * 25).hexdigest()
    assert [e.number for e in recorder.iter_exchanges(since=3, limit=1)] == [4]
    with pytest.raises(AssertionError, match=r"4 of 5 requests(.|\n)*1 more no longer kept"):
        recorder.assert_all_conformant()


def test_the_recorder_keeps_bodies_within_its_budget_oldest_dropped_first() -> None:
    recorder = Recorder(max_body=100, limit=10, body_budget=250)
    bodies = [bytes([65 + n]) * 100 for n in range(5)]
    for body in bodies:
        recorder.record(HttpRequest.build("POST", "/", [("A", "1\n2"), ("B", "")], body),
                        status=200, code=None, signature=None, signature_reason="",
                        violations=(), fault=None)
    kept = recorder.exchanges
    assert [len(e.body) for e in kept] == [0, 0, 0, 100, 100]
    assert [e.body_size for e in kept] == [100] * 5
    assert kept[0].body_sha256 == hashlib.sha256(bodies[0]).hexdigest()
    assert kept[4].body_sha256 is None and kept[4].body == bodies[4]
    assert kept[0].headers == (("A", "1\n2"), ("B", ""))  # a value with a line break too


def test_record_nothing_but_still_count() -> None:
    recorder = Recorder(limit=0)
    recorder.record(HttpRequest.build("POST", "/", {}, b"{}"), status=200, code=None,
                    signature="MissingSignature", signature_reason="", violations=(),
                    fault=None)
    assert recorder.exchanges == () and (recorder.total, recorder.nonconformant) == (1, 1)


def test_exchanges_page_and_stream_as_ndjson(server: ThreadedServer) -> None:
    with httpx.Client(base_url=server.url, auth=AUTH) as client:
        for _ in range(5):
            client.post("/", params=CREATE, content=b"{}")
        url = "/_vmsspec/exchanges"
        assert [e["number"] for e in client.get(url, auth=None).json()] == [1, 2, 3, 4, 5]
        page = client.get(url, params={"since": 2, "limit": 2}, auth=None)
        assert [e["number"] for e in page.json()] == [3, 4]
        streamed = client.get(url, params={"since": 3}, headers={
            "Accept": "application/x-ndjson"}, auth=None)
        assert streamed.headers["content-type"] == "application/x-ndjson"
        assert streamed.headers["transfer-encoding"] == "chunked"
        lines = streamed.text.splitlines()
        assert [json.loads(line)["number"] for line in lines] == [4, 5]
        assert client.get(url, params={"format": "ndjson", "since": 9}, auth=None).text == ""
        bad = client.get(url, params={"limit": "-1"}, auth=None)
        assert bad.status_code == 400 and "limit" in bad.json()["error"]


def test_a_long_recording_streams_in_many_chunks() -> None:
    service = ReferenceService()
    request = HttpRequest.build("POST", "/", {"Authorization": "HMAC-SHA256 Signature=ab"})
    for _ in range(1000):
        service.recorder.record(request, status=401, code="SignatureDoesNotMatch",
                                signature="SignatureDoesNotMatch", signature_reason="",
                                violations=(), fault=None)
    with ThreadedServer(service) as server, httpx.stream(
            "GET", f"{server.url}/_vmsspec/exchanges?format=ndjson") as response:
        chunks = list(response.iter_raw())
    lines = b"".join(chunks).splitlines()
    assert len(lines) == 1000 and len(chunks) >= 5  # batches, the loop free in between
    assert all(json.loads(line)["headers"] == [["Authorization", "HMAC-SHA256 Signature="
                                                                  "<redacted>"]]
               for line in lines)


def test_a_body_past_the_record_body_limit_is_cut_with_its_size_and_hash() -> None:
    service = ReferenceService()
    service.recorder = Recorder(max_body=100)
    body = json.dumps({"Name": "x" * 5000}).encode()
    with ThreadedServer(service) as server:
        httpx.post(server.url + API, content=body, auth=AUTH, timeout=5)
        exchange = httpx.get(f"{server.url}/_vmsspec/exchanges").json()[0]
    assert len(exchange["body"]) == 100 and exchange["body_size"] == len(body)
    assert exchange["body_sha256"] == hashlib.sha256(body).hexdigest()


# -- refused from the headers; slowloris; huge headers; connection cap -----------------


def test_a_declared_oversized_body_is_refused_before_it_is_sent(server: ThreadedServer) -> None:
    with connect(server.url) as sock:
        sock.sendall(signed_request(server.url, b"")
                     .replace(b"Content-Length: 0", b"Content-Length: 104857600"))
        status, headers, body = read_response(sock)  # not a byte of the body was sent
        assert (status, envelope_code(body)) == (400, "QuotaExceeded")
        assert headers["connection"] == "close"
        assert closed_within(sock, 5)
    assert health(server) == 200


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
        server: ThreadedServer) -> None:
    with connect(server.url) as sock:
        sock.sendall(f"POST {API} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     .encode())
        chunk = b"%x\r\n%s\r\n" % (32 * 1024, b" " * 32 * 1024)
        for _ in range(3):  # 96 KiB of a body that would never end; the limit is 64 KiB
            sock.sendall(chunk)
        status, _, body = read_response(sock)
        assert (status, envelope_code(body)) == (400, "QuotaExceeded")
        assert closed_within(sock, 5)  # and it stops reading: closed, not drained forever
    exchange = server.service.exchanges[-1]
    assert exchange.code == "QuotaExceeded" and exchange.body_size == 0


def test_an_httpx_client_sees_the_envelope_for_an_oversized_upload(
        server: ThreadedServer) -> None:
    # the lingering close: the server does not reset the connection under the client
    response = httpx.post(server.url + API, content=b"{" + b" " * 5_000_000 + b"}",
                          auth=AUTH, timeout=10)
    assert response.status_code == 400
    assert response.json()["ResponseMetadata"]["Error"]["Code"] == "QuotaExceeded"


def test_slowloris_headers_and_silent_connections_are_closed(server: ThreadedServer) -> None:
    with connect(server.url) as silent, connect(server.url) as slow:
        slow.sendall(b"POST / HTTP/1.1\r\n")
        deadline = time.monotonic() + 3
        closed = False
        while time.monotonic() < deadline and not closed:
            try:
                slow.sendall(b"X-A: b\r\n")  # a header a while, never the blank line
            except OSError:
                closed = True
            time.sleep(0.1)
        assert closed or closed_within(slow, 3)
        assert closed_within(silent, 3)
    assert health(server) == 200


def test_a_stalled_body_is_closed(server: ThreadedServer) -> None:
    with connect(server.url) as sock:
        sock.sendall(b"POST " + API.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 1000\r\n\r\n{")
        assert closed_within(sock, 5)


def test_huge_headers_are_refused_with_an_envelope(server: ThreadedServer) -> None:
    with connect(server.url) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        status, _, body = read_response(sock)
    assert (status, envelope_code(body)) == (400, "QuotaExceeded")
    assert "headers" in json.loads(body)["ResponseMetadata"]["Error"]["Message"]


def test_connections_past_the_cap_get_a_throttling_envelope() -> None:
    limits = dataclasses.replace(FAST, max_connections=2, idle_timeout=5)
    with ThreadedServer(limits=limits) as server, connect(server.url) as a, \
            connect(server.url) as b, connect(server.url) as c:
        time.sleep(0.2)  # the server has accepted all three
        c.sendall(signed_request(server.url))
        status, headers, body = read_response(c)
        assert (status, envelope_code(body)) == (429, "Throttling")
        assert headers["connection"] == "close"
        a.close()
        b.close()
        time.sleep(0.2)
        assert health(server) == 200


# -- half-closed clients, forced drops and delays --------------------------------------


def test_a_half_closed_client_gets_its_answer_and_the_record_says_delivered(
        server: ThreadedServer) -> None:
    with connect(server.url) as sock:
        sock.sendall(signed_request(server.url))
        sock.shutdown(socket.SHUT_WR)
        status, _, body = read_response(sock)
    assert status == 200 and "TaskOpenId" in json.loads(body)["Result"]
    deadline = time.monotonic() + 5
    while server.service.exchanges[-1].delivered is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.service.exchanges[-1].delivered is True


def test_a_client_gone_before_the_answer_is_recorded_as_not_delivered(
        server: ThreadedServer) -> None:
    server.service.respond_next(delay=0.3)
    with connect(server.url) as sock:
        sock.sendall(signed_request(server.url))
        time.sleep(0.1)
        # gone for good: a reset (a plain close looks like a half-close, which is served)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    deadline = time.monotonic() + 5
    while (not server.service.exchanges or server.service.exchanges[-1].delivered is None) \
            and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.service.exchanges[-1].delivered is False


def test_a_forced_drop_closes_the_connection_with_no_response_bytes() -> None:
    with ThreadedServer() as server:
        server.service.respond_next(drop=True, count=2)
        with connect(server.url) as sock:
            sock.sendall(signed_request(server.url))
            sock.settimeout(5)
            try:
                received = sock.recv(65536)
            except ConnectionResetError:
                received = b""
        assert received == b""
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(server.url + API, content=b"{}", auth=AUTH, timeout=5)
        assert [e.delivered for e in server.service.exchanges] == [False, False]
        assert health(server) == 200  # the control path is not the API: never dropped


def test_a_delayed_answer_does_not_hold_up_other_connections(server: ThreadedServer) -> None:
    server.service.respond_next(delay=2.0)
    done = threading.Event()

    def slow() -> None:
        httpx.post(server.url + API, content=vmsspec.example_bytes(), auth=AUTH, timeout=10)
        done.set()

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.service.exchanges and time.monotonic() < deadline:
        time.sleep(0.01)
    # handled and now waiting out its delay: others are answered meanwhile
    assert health(server) == 200 and not done.is_set()
    thread.join(10)
    assert done.is_set()


# -- the control path -----------------------------------------------------------------


def test_the_control_path_refuses_a_foreign_host_and_form_posts(server: ThreadedServer) -> None:
    url = f"{server.url}/_vmsspec/"
    rebound = httpx.get(url + "exchanges", headers={"Host": "evil.example"})
    assert rebound.status_code == 421 and "loopback" in rebound.json()["error"]
    form = httpx.post(url + "reset", content=b"keep_recording=1",
                      headers={"Content-Type": "text/plain"})
    assert form.status_code == 415
    assert httpx.get(url + "health", headers={"Host": "localhost:1"}).status_code == 200
    assert httpx.get(url + "health", headers={"Host": "[::1]:1"}).status_code == 200


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.1:8960", True), ("127.9.9.9", True), ("localhost", True),
    ("LOCALHOST.:80", True), ("[::1]:8960", True), ("::1", True), ("0.0.0.0", False),
    ("evil.example", False), ("localhost.evil.example", False), ("", False),
    ("192.168.1.2:80", False), ("[::ffff:1.2.3.4]", False),
])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.anyio
async def test_the_control_path_is_off_on_a_non_loopback_bind_without_a_token() -> None:
    service = ReferenceService()
    app = uvicorn_config(service, "0.0.0.0", 1).app  # built, never bound
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        off = await client.get("/_vmsspec/exchanges")
        assert off.status_code == 403 and "--control-token" in off.json()["error"]
        api = await client.post(API, content=b"{}")
        assert api.status_code == 401  # the API itself is served as ever


@pytest.mark.anyio
async def test_a_control_token_is_required_when_given() -> None:
    app = create_app(ReferenceService(), control_token="s3cret-token")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://10.1.2.3") as client:
        assert (await client.get("/_vmsspec/health")).status_code == 403
        wrong = await client.get("/_vmsspec/health", headers={CONTROL_TOKEN_HEADER: "nope"})
        assert wrong.status_code == 403 and "s3cret" not in wrong.text
        ok = await client.get("/_vmsspec/health", headers={CONTROL_TOKEN_HEADER: "s3cret-token"})
        assert ok.status_code == 200


def test_reset_can_keep_the_recording(server: ThreadedServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        client.post(API, content=vmsspec.example_bytes(), auth=AUTH)
        assert server.service.tasks
        kept = client.post("/_vmsspec/reset", json={"keep_recording": True})
        assert kept.json() == {"ok": True}
        assert not server.service.tasks
        assert len(client.get("/_vmsspec/exchanges").json()) == 1
        bad = client.post("/_vmsspec/reset", json={"keep_recording": 1})
        assert bad.status_code == 400
        unknown = client.post("/_vmsspec/reset", json={"keep": True})
        assert unknown.status_code == 400 and "keep" in unknown.json()["error"]
        client.post("/_vmsspec/reset", json={})
        assert client.get("/_vmsspec/exchanges").json() == []


# -- logs -----------------------------------------------------------------------------


def test_uvicorn_log_lines_carry_no_presigned_signature() -> None:
    uvicorn_config(ReferenceService(), "127.0.0.1", 1)  # installs the redaction
    target = "/?Action=CreateTask&X-Signature=abcdef0123&X-Security-Token=tok"
    access = logging.getLogger("uvicorn.access")
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    access.addHandler(handler)
    level, access.level = access.level, logging.INFO
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "POST", target, "1.1", 200)
    finally:
        access.removeHandler(handler)
        access.level = level
    assert len(lines) == 1 and "abcdef0123" not in lines[0] and "=tok" not in lines[0]
    assert "X-Signature=<redacted>" in lines[0]


def test_shutdown_waits_only_a_bounded_time_for_a_stalled_upload() -> None:
    limits = dataclasses.replace(FAST, read_timeout=30, shutdown_timeout=0.5)
    server = ThreadedServer(limits=limits).start()
    with connect(server.url) as sock:
        sock.sendall(b"POST " + API.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 1000\r\n\r\n{")
        time.sleep(0.1)
        start = time.monotonic()
        server.stop()
        assert time.monotonic() - start < 10
        assert server._thread is None
