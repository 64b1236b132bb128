"""The same service behind respx (in-process) and uvicorn (real port), sharing state."""

from __future__ import annotations

import asyncio
import inspect
import json
import time
import types
from typing import Any

import httpx
import pytest
import respx

import vmsspec
from tests.service.helpers import CREATE, HOST
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.adapters.respx_mock import mock_vms, service_router
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService

AUTH = VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY)
API = f"https://{HOST}/"


def test_httpx_client_against_the_in_process_mock() -> None:
    with mock_vms() as vms, httpx.Client(auth=AUTH) as client:
        response = client.post(API, params=CREATE, content=vmsspec.example_bytes(),
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        assert vmsspec.check_response(200, response.json()) == []
        assert len(vms.tasks) == 1
        vms.assert_all_conformant()


def test_in_process_mock_refuses_other_hosts() -> None:
    with mock_vms(), httpx.Client() as client, pytest.raises(respx.models.AllMockedAssertionError):
        client.get("https://example.com/")


def test_the_router_side_effect_carries_its_own_signature() -> None:
    # respx reads the side effect's argspec on every call; the precomputed signature
    # must be the one inspect computes, so respx passes it no ``route`` argument
    effect = service_router(ReferenceService()).routes[0].side_effect
    assert isinstance(effect, types.FunctionType) and "__signature__" in vars(effect)
    plain = types.FunctionType(effect.__code__, effect.__globals__, closure=effect.__closure__)
    plain.__annotations__ = effect.__annotations__
    assert inspect.signature(effect) == inspect.signature(plain)
    assert inspect.getfullargspec(effect) == inspect.getfullargspec(plain)
    assert list(inspect.signature(plain).parameters) == ["request"]


def test_async_client_against_the_mock() -> None:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(auth=AUTH) as client:
            return await client.post(API, params=CREATE, content=vmsspec.example_bytes())

    with mock_vms() as vms:
        response = asyncio.run(call())
    assert response.status_code == 200
    assert len(vms.tasks) == 1


def test_real_port_and_in_process_modes_share_one_service() -> None:
    service = ReferenceService()
    with ThreadedServer(service) as server, service_router(service), \
            httpx.Client(auth=AUTH) as mocked:
        body = json.loads(vmsspec.example_bytes())
        body["ClientToken"] = "shared"
        first = mocked.post(API, params=CREATE, json=body).json()["Result"]["TaskOpenId"]
        with httpx.Client(auth=AUTH, base_url=server.url) as real:
            second = real.post("/", params=CREATE, json=body).json()["Result"]["TaskOpenId"]
        assert first == second
        assert len(service.tasks) == 1


@pytest.fixture
def server() -> Any:
    with ThreadedServer() as running:
        yield running


def control(server: ThreadedServer, method: str, name: str, **kw: Any) -> Any:
    response = httpx.request(method, f"{server.url}/_vmsspec/{name}", **kw)
    return response.status_code, response.json()


def test_control_path_faults_exchanges_reset(server: ThreadedServer) -> None:
    assert control(server, "POST", "faults", json={"kind": "throttle", "count": 1}) == (
        200, {"ok": True, "pending": 1})
    with httpx.Client(auth=AUTH, base_url=server.url) as client:
        first = client.post("/", params=CREATE, content=vmsspec.example_bytes())
        second = client.post("/", params=CREATE, content=vmsspec.example_bytes())
    assert (first.status_code, second.status_code) == (429, 200)
    _, exchanges = control(server, "GET", "exchanges")
    assert [e["status"] for e in exchanges] == [429, 200]
    assert all(e["conformant"] for e in exchanges)
    auth_headers = [v for e in exchanges for k, v in e["headers"] if k == "authorization"]
    assert auth_headers and all(v.endswith("Signature=<redacted>") for v in auth_headers)
    assert control(server, "GET", "tasks")[1][0]["State"] == "running"
    assert control(server, "POST", "reset", json={}) == (200, {"ok": True})
    assert control(server, "GET", "exchanges") == (200, [])


@pytest.mark.parametrize("spec, message", [
    ({"kind": "boom"}, "unknown fault kind"), ({"kind": "throttle", "count": "x"}, "count must"),
    ([1], "JSON object"),
])
def test_control_path_rejects_bad_fault_specs(server: ThreadedServer, spec: Any,
                                              message: str) -> None:
    status, doc = control(server, "POST", "faults", json=spec)
    assert status == 400 and message in doc["error"]


def test_latency_fault_delays_the_answer_on_the_real_port(server: ThreadedServer) -> None:
    control(server, "POST", "faults", json={"kind": "latency", "latency": 0.3})
    with httpx.Client(auth=AUTH, base_url=server.url) as client:
        start = time.perf_counter()
        response = client.post("/", params=CREATE, content=vmsspec.example_bytes())
        assert time.perf_counter() - start >= 0.3
    assert response.status_code == 200


def test_oversized_body_on_the_real_port_is_an_envelope() -> None:
    service = ReferenceService(max_body_bytes=10_000)
    with ThreadedServer(service) as server, httpx.Client(auth=AUTH, base_url=server.url) as c:
        response = c.post("/", params=CREATE, content=b"{" + b" " * 50_000 + b"}")
    assert response.status_code == 400
    assert response.json()["ResponseMetadata"]["Error"]["Code"] == "QuotaExceeded"
