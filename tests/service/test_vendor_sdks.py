"""The vendor's own Python clients against `vmsspec serve`'s real-port mode.

Neither official SDK goes through httpx (the older uses requests, the newer urllib3),
so they are pointed at a ThreadedServer on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import vmsspec
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


@pytest.mark.newsdk
def test_newer_sdk_creates_a_task_and_retries_faults(server: ThreadedServer) -> None:
    """Opt-in: `pip install volcengine-python-sdk`, then `pytest -m newsdk`."""
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
    server.service.faults.inject("throttle", 2)
    response = api.create_task(request)
    assert response.task_open_id in server.service.tasks
    assert [e.status for e in server.service.exchanges] == [429, 429, 200]
    server.service.assert_all_conformant()
    body["RingAgainTimes"] = 9
    request.ring_again_times = 9
    with pytest.raises(sdk.rest.ApiException, match="InvalidParameter"):
        api.create_task(request)


def _snake(name: str) -> str:
    out = ""
    for ch in name:
        out += ("_" + ch.lower()) if ch.isupper() and out else ch.lower()
    return out
