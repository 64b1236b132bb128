"""The vendor's own Python clients against `vmsspec serve`'s real-port mode.

Neither official SDK goes through httpx (the older uses requests, the newer urllib3),
so they are pointed at a ThreadedServer on loopback.
"""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

import vmsspec
from vmsspec import ERROR_CODES
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(ReferenceService()) as running:
        yield running


@pytest.fixture
def older_sdk(server: ThreadedServer) -> Iterator[Any]:
    vms_module = pytest.importorskip("volcengine.vms.VmsService")
    client = vms_module.VmsService()  # a process-wide singleton in the SDK
    saved = (client.service_info.host, client.service_info.scheme)
    client.service_info.host = f"{server.host}:{server.port}"
    client.service_info.scheme = "http"
    client.set_ak(TEST_ACCESS_KEY)
    client.set_sk(TEST_SECRET_KEY)
    server.service.reset()
    yield client
    client.service_info.host, client.service_info.scheme = saved


def test_older_sdk_creates_a_task(older_sdk: Any, server: ThreadedServer) -> None:
    result = older_sdk.create_task(json.loads(vmsspec.example_bytes()))
    task_id = result["Result"]["TaskOpenId"]
    assert task_id in server.service.tasks
    assert result["Result"]["FailList"][0]["Type"] == "REDUPLICATED_ITEM"
    server.service.assert_all_conformant()  # the SDK signed and shaped the request correctly


def test_older_sdk_surfaces_the_vendor_error_code(older_sdk: Any,
                                                  server: ThreadedServer) -> None:
    body = json.loads(vmsspec.example_bytes())
    body["RingAgainTimes"] = 9
    with pytest.raises(Exception, match="InvalidParameter") as info:
        older_sdk.create_task(body)
    assert "The specified parameter RingAgainTimes is invalid." in str(info.value)
    assert server.service.tasks == {}


def test_older_sdk_sees_an_injected_fault(older_sdk: Any, server: ThreadedServer) -> None:
    server.service.faults.inject("internal-error")
    with pytest.raises(Exception, match="InternalError"):
        older_sdk.create_task(json.loads(vmsspec.example_bytes()))
    # the older SDK does not retry: the next call goes through
    assert older_sdk.create_task(json.loads(vmsspec.example_bytes()))["Result"]["TaskOpenId"]


def test_older_sdk_with_a_wrong_secret_gets_signature_does_not_match(
        older_sdk: Any) -> None:
    older_sdk.set_sk("not-the-secret")
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        older_sdk.create_task(json.loads(vmsspec.example_bytes()))


# -- every forced answer, as the older SDK sees it (it raises a bare Exception carrying the
# body on any status but 200, and returns a 200's parsed envelope, Error or not: FACTS 6)

@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_older_sdk_sees_every_catalog_code(older_sdk: Any, server: ThreadedServer,
                                           code: str) -> None:
    entry = ERROR_CODES[code]
    parameter = "Name" if entry.names_parameter and not entry.default_parameter else None
    server.service.respond_next(code, parameter=parameter)
    with pytest.raises(Exception) as info:  # noqa: PT011 - the SDK raises bare Exception
        older_sdk.create_task(json.loads(vmsspec.example_bytes()))
    doc = json.loads(ast.literal_eval(str(info.value)))  # the SDK's str(bytes) of the body
    error = doc["ResponseMetadata"]["Error"]
    assert (error["Code"], error["Message"], error.get("CodeN")) == (
        code, entry.format(parameter), entry.code_n)
    assert server.service.exchanges[-1].status == entry.status
    assert server.service.tasks == {}


def test_older_sdk_returns_an_http_200_error_as_data(older_sdk: Any,
                                                     server: ThreadedServer) -> None:
    server.service.respond_next("ExceedTaskNumLimit", status=200)
    result = older_sdk.create_task(json.loads(vmsspec.example_bytes()))
    assert result["ResponseMetadata"]["Error"]["Code"] == "ExceedTaskNumLimit"
    assert "Result" not in result and server.service.tasks == {}


def test_older_sdk_gets_the_gateway_502_page(older_sdk: Any, server: ThreadedServer) -> None:
    server.service.respond_next(gateway_502=True)
    with pytest.raises(Exception, match="502 Bad Gateway"):
        older_sdk.create_task(json.loads(vmsspec.example_bytes()))


def test_older_sdk_sees_a_dropped_connection(older_sdk: Any, server: ThreadedServer) -> None:
    server.service.respond_next(drop=True)
    # requests raises ConnectionError; the SDK re-raises it as a bare Exception, so its own
    # redo.retriable(retry_exceptions=ConnectionError) never retries: one request.
    with pytest.raises(Exception, match="Remote end closed connection without response"):
        older_sdk.create_task(json.loads(vmsspec.example_bytes()))
    assert len(server.service.exchanges) == 1
    assert older_sdk.create_task(json.loads(vmsspec.example_bytes()))["Result"]["TaskOpenId"]


def test_older_sdk_waits_out_a_slow_answer(older_sdk: Any, server: ThreadedServer) -> None:
    server.service.respond_next(delay=0.4)
    start = time.perf_counter()
    result = older_sdk.create_task(json.loads(vmsspec.example_bytes()))
    assert time.perf_counter() - start >= 0.4
    assert result["Result"]["TaskOpenId"] in server.service.tasks


def test_older_sdk_sees_forced_fail_items(older_sdk: Any, server: ThreadedServer) -> None:
    server.service.respond_next(fail_items=[(0, "NO_PERMISSION"), (1, "ITEM_NOT_FOUND")])
    result = older_sdk.create_task(json.loads(vmsspec.example_bytes()))
    items = {(i["Index"], i["Type"]) for i in result["Result"]["FailList"]}
    assert {(0, "NO_PERMISSION"), (1, "ITEM_NOT_FOUND")} <= items


def test_older_sdk_forced_for_n_calls_and_matching_bodies(older_sdk: Any,
                                                          server: ThreadedServer) -> None:
    body = json.loads(vmsspec.example_bytes())
    server.service.respond_next("Throttling", count=2)
    server.service.respond_next("InvalidParameter", parameter="Name",
                                when=lambda b: b.get("Name") == "refuse-me")
    for _ in range(2):
        with pytest.raises(Exception, match="Throttling"):
            older_sdk.create_task(body)
    assert older_sdk.create_task(body)["Result"]["TaskOpenId"]
    with pytest.raises(Exception, match="The specified parameter Name is invalid"):
        older_sdk.create_task({**body, "Name": "refuse-me"})


def test_older_sdk_region_is_refused_when_not_accepted(older_sdk: Any,
                                                       server: ThreadedServer) -> None:
    service = server.service
    saved = service.regions
    service.regions = ("cn-beijing",)  # the older SDK signs for cn-north-1 (FACTS 1)
    try:
        with pytest.raises(Exception, match="SignatureDoesNotMatch") as info:
            older_sdk.create_task(json.loads(vmsspec.example_bytes()))
        assert "cn-north-1" in str(info.value)
    finally:
        service.regions = saved
    assert service.exchanges[-1].region == "cn-north-1"


def _newer_sdk(server: ThreadedServer) -> tuple[Any, Any, Any]:
    """(sdk core module, VMSApi, a CreateTaskRequest of the example body)."""
    sdk = pytest.importorskip("volcenginesdkcore")
    vms = pytest.importorskip("volcenginesdkvms")
    configuration = sdk.Configuration()
    configuration.ak, configuration.sk = TEST_ACCESS_KEY, TEST_SECRET_KEY
    configuration.region = "cn-beijing"
    configuration.host = f"{server.host}:{server.port}"
    configuration.scheme = "http"
    api = vms.VMSApi(sdk.ApiClient(configuration))
    body = json.loads(vmsspec.example_bytes())
    request = vms.CreateTaskRequest(**{_snake(k): v for k, v in body.items()
                                       if k not in ("PhoneList", "SmsConfig", "ForbidTimeList")})
    request.phone_list = [vms.PhoneListForCreateTaskInput(**{_snake(k): v for k, v in p.items()})
                          for p in body["PhoneList"]]
    server.service.reset()
    return sdk, api, request


@pytest.mark.newsdk
def test_newer_sdk_creates_a_task_and_retries_faults(server: ThreadedServer) -> None:
    """Opt-in: `pip install volcengine-python-sdk`, then `pytest -m newsdk`."""
    sdk, api, request = _newer_sdk(server)
    server.service.faults.inject("throttle", 2)
    response = api.create_task(request)
    assert response.task_open_id in server.service.tasks
    assert [e.status for e in server.service.exchanges] == [429, 429, 200]
    server.service.assert_all_conformant()
    request.ring_again_times = 9
    with pytest.raises(sdk.rest.ApiException, match="InvalidParameter"):
        api.create_task(request)


@pytest.mark.newsdk
def test_newer_sdk_sees_forced_answers(server: ThreadedServer) -> None:
    """FACTS 6: the newer SDK raises on an HTTP 200 carrying Error, and retries 502s."""
    sdk, api, request = _newer_sdk(server)
    server.service.respond_next("AccessDenied", status=200)
    with pytest.raises(sdk.rest.ApiException, match="AccessDenied"):
        api.create_task(request)
    server.service.respond_next(gateway_502=True, count=2)
    response = api.create_task(request)  # two 502 pages retried, the third call succeeds
    assert [e.status for e in server.service.exchanges][-3:] == [502, 502, 200]
    assert response.task_open_id in server.service.tasks
    server.service.respond_next(fail_items=[(0, "NO_PERMISSION")])
    items = api.create_task(request).fail_list
    assert (items[0].index, items[0].type) == (0, "NO_PERMISSION")


def _snake(name: str) -> str:
    out = ""
    for ch in name:
        out += ("_" + ch.lower()) if ch.isupper() and out else ch.lower()
    return out
