"""Every forced answer as an httpx client sees it: respx (mock_vms) and VmsTransport, sync
and async, in-process; and on the real port."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

import vmsspec
from tests.service.helpers import CREATE, HOST
from vmsspec import ERROR_CODES
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.adapters.httpx_transport import VmsTransport
from vmsspec.adapters.respx_mock import mock_vms
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import GATEWAY_502_PAGE, TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService

AUTH = VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY)
JSON = {"Content-Type": "application/json"}

Post = Callable[[bytes], httpx.Response]


@contextmanager
def client_for(mode: str, service: ReferenceService,
               timeout: float | None = 5.0) -> Iterator[Post]:
    """A function posting one body through ``mode``: respx or transport, sync or async."""
    transport = VmsTransport(service) if mode.startswith("transport") else None
    base = f"https://{HOST}"

    def sync_post(body: bytes) -> httpx.Response:
        with httpx.Client(auth=AUTH, base_url=base, transport=transport,
                          timeout=timeout) as client:
            return client.post("/", params=CREATE, content=body, headers=JSON)

    def async_post(body: bytes) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(auth=AUTH, base_url=base, transport=transport,
                                         timeout=timeout) as c:
                return await c.post("/", params=CREATE, content=body, headers=JSON)
        return asyncio.run(go())

    post = async_post if mode.endswith("async") else sync_post
    if transport is None:
        with mock_vms(service):
            yield post
    else:
        yield post


MODES = ["respx-sync", "respx-async", "transport-sync", "transport-async"]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def vms() -> ReferenceService:
    return ReferenceService()


def test_every_catalog_code(mode: str, vms: ReferenceService) -> None:
    with client_for(mode, vms) as post:
        for code, entry in ERROR_CODES.items():
            parameter = "Name" if entry.names_parameter and not entry.default_parameter else None
            vms.respond_next(code, parameter=parameter)
            response = post(vmsspec.example_bytes())
            assert response.status_code == entry.status, code
            error = response.json()["ResponseMetadata"]["Error"]
            assert (error["Code"], error["Message"]) == (code, entry.format(parameter))
        assert post(vmsspec.example_bytes()).status_code == 200
    assert len(vms.tasks) == 1


def test_http_200_with_error_and_the_502_page(mode: str, vms: ReferenceService) -> None:
    with client_for(mode, vms) as post:
        vms.respond_next("ExceedMaxConcurrency", status=200)
        response = post(vmsspec.example_bytes())
        assert response.status_code == 200
        assert response.json()["ResponseMetadata"]["Error"]["Code"] == "ExceedMaxConcurrency"
        vms.respond_next(gateway_502=True)
        response = post(vmsspec.example_bytes())
        assert (response.status_code, response.headers["content-type"]) == (502, "text/html")
        assert response.content == GATEWAY_502_PAGE
        with pytest.raises(json.JSONDecodeError):
            response.json()
    assert vms.tasks == {}


@pytest.mark.parametrize("delay", [0.0, 0.2])
def test_drop_is_a_remote_protocol_error(mode: str, vms: ReferenceService, delay: float) -> None:
    with client_for(mode, vms) as post:
        vms.respond_next(drop=True, delay=delay)
        start = time.perf_counter()
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            post(vmsspec.example_bytes())
        assert time.perf_counter() - start >= delay
        assert post(vmsspec.example_bytes()).status_code == 200
    assert [e.fault for e in vms.exchanges] == ["drop", None]


def test_fail_items_count_and_when(mode: str, vms: ReferenceService) -> None:
    body = json.loads(vmsspec.example_bytes())
    with client_for(mode, vms) as post:
        vms.respond_next(fail_items=[(1, "RESOURCE_NOT_FOUND")])
        items = post(json.dumps(body).encode()).json()["Result"]["FailList"]
        assert {(i["Index"], i["Type"]) for i in items} >= {(1, "RESOURCE_NOT_FOUND")}
        vms.respond_next("QuotaExceeded", count=2)
        vms.respond_next("AccessDenied", when={"Name": "special"})
        statuses = [post(json.dumps(body).encode()).status_code for _ in range(3)]
        assert statuses == [400, 400, 200]
        special = post(json.dumps({**body, "Name": "special"}).encode())
        assert special.json()["ResponseMetadata"]["Error"]["Code"] == "AccessDenied"


def test_a_slow_answer_waits(mode: str, vms: ReferenceService) -> None:
    with client_for(mode, vms) as post:
        vms.respond_next(delay=0.3)
        start = time.perf_counter()
        assert post(vmsspec.example_bytes()).status_code == 200
        assert time.perf_counter() - start >= 0.3


def test_a_slow_answer_past_the_read_timeout_times_out_on_time(mode: str,
                                                               vms: ReferenceService) -> None:
    """As on a socket: the client gives up at its read timeout, not at the delay."""
    with client_for(mode, vms, timeout=0.2) as post:
        vms.respond_next(delay=3.0)
        start = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            post(vmsspec.example_bytes())
        elapsed = time.perf_counter() - start
    assert 0.2 <= elapsed < 2.0, elapsed


@pytest.mark.parametrize("adapter", ["respx", "transport"])
def test_a_slow_answer_does_not_block_the_event_loop(adapter: str) -> None:
    """A ticker on the same loop keeps ticking while one call waits out its delay: a
    blocking sleep would freeze it for the whole delay."""
    service = ReferenceService()
    service.respond_next(delay=0.5)
    transport = VmsTransport(service) if adapter == "transport" else None

    async def scenario() -> tuple[list[float], float, float]:
        ticks: list[float] = []

        async def ticker() -> None:
            while True:
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.01)

        async with httpx.AsyncClient(auth=AUTH, transport=transport) as client:
            task = asyncio.create_task(ticker())
            await asyncio.sleep(0)
            start = time.perf_counter()
            response = await client.post(f"https://{HOST}/", params=CREATE,
                                         content=vmsspec.example_bytes(), headers=JSON)
            end = time.perf_counter()
            task.cancel()
        assert response.status_code == 200
        return ticks, start, end

    if transport is None:
        with mock_vms(service):
            ticks, start, end = asyncio.run(scenario())
    else:
        ticks, start, end = asyncio.run(scenario())
    assert end - start >= 0.5
    during = [t for t in ticks if start < t < end]
    # 10 ms ticks over 0.5 s: about 50; a blocked loop gives none. Generous for a loaded CI.
    assert len(during) >= 10, len(during)


def test_vms_transport_answers_every_request_and_shares_its_service() -> None:
    service = ReferenceService()
    transport = VmsTransport(service)
    assert transport.service is service
    assert VmsTransport().service is not service
    with httpx.Client(transport=transport, auth=AUTH) as client:
        ok = client.post("https://anything.example/", params=CREATE,
                         content=vmsspec.example_bytes(), headers=JSON)
        favicon = client.get("http://localhost/favicon.ico")
    assert ok.status_code == 200 and favicon.status_code == 404
    assert len(service.tasks) == 1


def test_vms_transport_reads_a_streamed_async_body() -> None:
    async def chunks() -> Any:
        yield vmsspec.example_bytes()[:10]
        yield vmsspec.example_bytes()[10:]

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=VmsTransport(), auth=None) as client:
            return await client.post(f"https://{HOST}/", params=CREATE, content=chunks())

    response = asyncio.run(go())
    # unsigned: refused by authentication, with an envelope and not a crash
    assert response.status_code == 401
    assert response.json()["ResponseMetadata"]["Error"]["Code"] == "MissingAuthenticationToken"


def test_forced_answers_on_the_real_port_over_the_control_path() -> None:
    with ThreadedServer() as server, httpx.Client(auth=AUTH, base_url=server.url) as client:
        def force(doc: dict[str, Any]) -> httpx.Response:
            return httpx.post(f"{server.url}/_vmsspec/faults", json=doc)

        def post(body: bytes = vmsspec.example_bytes()) -> httpx.Response:
            return client.post("/", params=CREATE, content=body, headers=JSON)

        assert force({"code": "LackPolicy"}).json() == {"ok": True, "pending": 1}
        assert httpx.get(f"{server.url}/favicon.ico").status_code == 404  # does not use it
        assert post().json()["ResponseMetadata"]["Error"]["Code"] == "LackPolicy"
        assert force({"drop": True}).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            post()
        force({"gateway_502": True})
        assert post().content == GATEWAY_502_PAGE
        force({"code": "AccessDenied", "when": {"Name": "x"}})
        body = json.loads(vmsspec.example_bytes())
        assert post().status_code == 200
        assert post(json.dumps({**body, "Name": "x"}).encode()).status_code == 403
        refused = force({"code": "AccessDenied", "count": 1.9})
        assert refused.status_code == 400
        assert refused.json()["error"] == "count must be an integer from 1 to 10000, not 1.9"
        assert server.service.exchanges[-1].fault == "AccessDenied"
