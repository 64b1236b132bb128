"""The sans-IO reference service: gateway order, contract outcomes, state, faults, records."""

from __future__ import annotations

import json
import re
from datetime import timedelta, timezone
from typing import Any

import pytest

import vmsspec
from tests.service.helpers import HOST, NOW, answer, signed
from vmsspec.service import TEST_SECRET_KEY, HttpRequest, NonConformantRequests, ReferenceService


def error_of(doc: dict[str, Any]) -> str:
    return str(doc["ResponseMetadata"]["Error"]["Code"])


def test_valid_request_creates_a_task_with_the_expected_fail_list(
        service: ReferenceService) -> None:
    status, doc = answer(service, signed(vmsspec.example_bytes()))
    assert status == 200
    assert vmsspec.check_response(200, doc) == []
    expected = vmsspec.validate_request(vmsspec.example_bytes())
    assert doc["Result"]["FailList"] == [f.as_dict() for f in expected.fail_list]
    task_id = doc["Result"]["TaskOpenId"]
    assert list(service.tasks) == [task_id]
    assert doc["ResponseMetadata"]["Region"] == "cn-beijing"


def test_request_ids_have_the_vendor_shape_and_are_unique(service: ReferenceService) -> None:
    ids = [answer(service, signed(b"{}"))[1]["ResponseMetadata"]["RequestId"]
           for _ in range(200)]
    assert len(set(ids)) == 200
    for request_id in ids:
        assert re.fullmatch(r"20250527114634[0-9A-F]{18}", request_id)


def test_request_ids_carry_the_utc_time_whatever_the_clock_zone() -> None:
    beijing = timezone(timedelta(hours=8))
    for clock_zone in (timezone.utc, beijing):
        service = ReferenceService(clock=lambda: NOW.astimezone(clock_zone))
        ids = [service._request_id(service.clock()) for _ in range(2)]
        assert all(i.startswith(NOW.strftime("%Y%m%d%H%M%S")) for i in ids), ids


@pytest.mark.parametrize("target", [
    "/?Action=CreateTasks&Version=2022-01-01",
    "/?Action=CreateTask&Version=2021-01-01",
    "/?Version=2022-01-01",
    "/other?Action=CreateTask&Version=2022-01-01",
])
def test_routing_comes_first(service: ReferenceService, target: str) -> None:
    status, doc = answer(service, HttpRequest.build("POST", target, {"Host": HOST}, b"not json"))
    assert (status, error_of(doc)) == (404, "InvalidActionOrVersion")
    assert vmsspec.check_response(status, doc) == []


def test_authentication_comes_before_the_body(service: ReferenceService) -> None:
    request = HttpRequest.build("POST", "/?Action=CreateTask&Version=2022-01-01",
                                {"Host": "x"}, b"{not json")
    status, doc = answer(service, request)
    assert (status, error_of(doc)) == (401, "MissingAuthenticationToken")
    assert error_of(answer(service, signed(b"{}", access_key="AKnobody"))[1]) == (
        "InvalidAccessKey")
    late = signed(b"{}", now=NOW - timedelta(minutes=16))
    assert error_of(answer(service, late)[1]) == "InvalidTimestamp"


def test_a_tampered_body_is_signature_does_not_match(service: ReferenceService) -> None:
    request = signed(vmsspec.example_bytes())
    tampered = HttpRequest(request.method, request.target, request.headers,
                           request.body.replace(b"13800138000", b"13800138001", 1))
    status, doc = answer(service, tampered)
    assert (status, error_of(doc)) == (401, "SignatureDoesNotMatch")


@pytest.mark.parametrize("raw, code, message", [
    (b"{not json", "InvalidParameter", "The specified parameter body is invalid."),
    (b"\xff\xfe", "InvalidParameter", "The specified parameter body is invalid."),
    (b"[1, 2]", "InvalidParameter", "The specified parameter body is invalid."),
    (b"[" * 5000 + b"]" * 5000, "InvalidParameter", "The specified parameter body is invalid."),
    (b'{"Name":' + b"[" * 400 + b"]" * 400 + b"}", "InvalidParameter",
     "The specified parameter body is invalid."),
    (b"", "MissingRequestInfo", "The request is missing body."),
], ids=["syntax", "utf8", "array", "too-deep-to-parse", "too-deep-to-validate", "empty"])
def test_unusable_bodies_get_a_specific_envelope(service: ReferenceService, raw: bytes,
                                                 code: str, message: str) -> None:
    status, doc = answer(service, signed(raw))
    assert status == 400
    assert doc["ResponseMetadata"]["Error"]["Code"] == code
    assert doc["ResponseMetadata"]["Error"]["Message"] == message
    assert vmsspec.check_response(status, doc) == []


def test_oversized_body_is_quota_exceeded() -> None:
    service = ReferenceService(clock=lambda: NOW, max_body_bytes=1000)
    status, doc = answer(service, signed(b"{" + b" " * 2000 + b"}"))
    assert (status, error_of(doc)) == (400, "QuotaExceeded")


def test_contract_violation_is_answered_with_an_acceptable_pair(
        service: ReferenceService, full_body: dict[str, Any]) -> None:
    del full_body["Name"]
    full_body["RingAgainTimes"] = 9
    status, doc = answer(service, signed(full_body))
    expected = vmsspec.validate_request(full_body)
    error = doc["ResponseMetadata"]["Error"]
    parameter = re.search(r"parameter (\S+) is", error["Message"]).group(1)  # type: ignore[union-attr]
    assert expected.accepts(status, error["Code"], parameter)
    assert service.tasks == {}


def test_client_token_makes_create_idempotent(service: ReferenceService,
                                              full_body: dict[str, Any]) -> None:
    full_body["ClientToken"] = "tok-1"
    first = answer(service, signed(full_body))[1]["Result"]["TaskOpenId"]
    again = answer(service, signed(full_body))[1]["Result"]["TaskOpenId"]
    assert first == again
    assert len(service.tasks) == 1
    full_body["Name"] = "another"
    status, doc = answer(service, signed(full_body))
    assert (status, error_of(doc)) == (400, "IdempotentParameterMismatch")
    assert len(service.tasks) == 1


@pytest.mark.parametrize("stop_first", [False, True])
def test_a_client_token_repeat_is_judged_by_its_parameters_not_its_bytes(
        service: ReferenceService, full_body: dict[str, Any], stop_first: bool) -> None:
    # The same bytes skip the fingerprint; other bytes with the same parameters (key
    # order, spacing) are the same call; a stopped task keeps only its fingerprint.
    full_body["ClientToken"] = "tok-2"
    first = answer(service, signed(json.dumps(full_body).encode()))[1]["Result"]["TaskOpenId"]
    if stop_first:
        stop = signed(json.dumps({"TaskOpenId": first}).encode(), action="StopTask")
        assert answer(service, stop)[0] == 200
        assert service.tasks[first].body is None and service.tasks[first].sent is None
    reordered = json.dumps(dict(reversed(list(full_body.items()))), indent=2).encode()
    for body in (json.dumps(full_body).encode(), reordered):
        status, doc = answer(service, signed(body))
        assert (status, doc["Result"]["TaskOpenId"]) == (200, first)
    changed = json.dumps({**full_body, "Name": "another"}).encode()
    status, doc = answer(service, signed(changed))
    assert (status, error_of(doc)) == (400, "IdempotentParameterMismatch")
    assert len(service.tasks) == 1


def test_dry_run_validates_fully_and_creates_nothing(service: ReferenceService,
                                                     full_body: dict[str, Any]) -> None:
    full_body["DryRun"] = True
    status, doc = answer(service, signed(full_body))
    assert (status, error_of(doc)) == (400, "DryRunOperation")
    full_body["RingAgainTimes"] = 99
    assert error_of(answer(service, signed(full_body))[1]) == "InvalidParameter"
    assert service.tasks == {}


def test_running_task_limit_and_stop_frees_a_slot(full_body: dict[str, Any]) -> None:
    service = ReferenceService(clock=lambda: NOW, max_active_tasks=3)
    full_body.pop("ClientToken")
    ids = [answer(service, signed(full_body))[1]["Result"]["TaskOpenId"] for _ in range(3)]
    status, doc = answer(service, signed(full_body))
    assert (status, error_of(doc)) == (400, "ExceedTaskNumLimit")
    status, doc = answer(service, signed({"TaskOpenId": ids[0]}, action="StopTask"))
    assert status == 200 and doc["Result"]["State"] == "stopped"
    assert answer(service, signed(full_body))[0] == 200


def test_stop_pause_resume(service: ReferenceService, full_body: dict[str, Any]) -> None:
    task_id = answer(service, signed(full_body))[1]["Result"]["TaskOpenId"]
    for action, state in [("PauseTask", "paused"), ("ResumeTask", "running"),
                          ("StopTask", "stopped")]:
        status, doc = answer(service, signed({"TaskOpenId": task_id}, action=action))
        assert (status, doc["Result"]["State"]) == (200, state)
        assert service.tasks[task_id].state == state
    status, doc = answer(service, signed({"TaskOpenId": task_id}, action="ResumeTask"))
    assert (status, error_of(doc)) == (400, "OperationDenied")
    assert error_of(answer(service, signed({}, action="StopTask"))[1]) == "MissingParameter"
    assert error_of(answer(service, signed({"TaskOpenId": "nope"}, action="StopTask"))[1]) == (
        "InvalidParameter")


@pytest.mark.parametrize("kind, status, code", [
    ("internal-error", 500, "InternalError"), ("throttle", 429, "Throttling")])
def test_injected_faults_answer_the_next_calls(service: ReferenceService, kind: str,
                                               status: int, code: str,
                                               full_body: dict[str, Any]) -> None:
    service.faults.inject(kind, 2)
    for _ in range(2):
        got_status, doc = answer(service, signed(full_body))
        assert (got_status, error_of(doc)) == (status, code)
        assert vmsspec.check_response(got_status, doc) == []
    assert answer(service, signed(full_body))[0] == 200
    assert [e.fault for e in service.exchanges] == [kind, kind, None]
    service.assert_all_conformant()  # the requests were fine; the faults were ours


def test_latency_fault_is_returned_for_the_adapter_to_apply(service: ReferenceService) -> None:
    service.faults.inject("latency", 1, latency=0.25)
    assert service.handle(signed(vmsspec.example_bytes())).delay == 0.25
    assert service.handle(signed(vmsspec.example_bytes())).delay == 0.0


def test_fault_arguments_are_checked(service: ReferenceService) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        service.faults.inject("explode")
    with pytest.raises(ValueError, match="count"):
        service.faults.inject("throttle", 0)


def test_assert_all_conformant_lists_each_bad_request_without_secrets(
        service: ReferenceService, full_body: dict[str, Any]) -> None:
    answer(service, signed(full_body))
    full_body["Concurrency"] = 0
    answer(service, signed(full_body))
    request = signed(b"{}")
    answer(service, HttpRequest(request.method, request.target, request.headers, b"{ }"))
    with pytest.raises(NonConformantRequests) as info:
        service.assert_all_conformant()
    text = str(info.value)
    assert "2 of 3 requests" in text
    assert "InvalidParameter Concurrency (rule Concurrency:minimum)" in text
    assert "SignatureDoesNotMatch" in text
    everything = text + json.dumps([e.as_dict() for e in service.exchanges]) + repr(
        service.exchanges) + repr(request)
    assert TEST_SECRET_KEY not in everything
    for _, value in request.headers:
        if value.startswith("HMAC-SHA256"):
            signature = value.rsplit("Signature=", 1)[1]
            assert signature not in everything


def test_reset_forgets_everything(service: ReferenceService, full_body: dict[str, Any]) -> None:
    answer(service, signed(full_body))
    service.faults.inject("throttle")
    service.reset()
    assert (service.tasks, service.exchanges, len(service.faults)) == ({}, (), 0)


def test_example_compatible_profile_accepts_the_seed_example() -> None:
    documented = ReferenceService(clock=lambda: NOW)
    lenient = ReferenceService(clock=lambda: NOW, profile="example-compatible")
    seed = vmsspec.example_bytes("seed-request")
    assert answer(documented, signed(seed))[0] == 400
    status, doc = answer(lenient, signed(seed))
    assert status == 200 and doc["Result"]["FailList"] == []


def test_routing_and_size_refusals_are_recorded_as_not_conformant() -> None:
    service = ReferenceService(clock=lambda: NOW, max_body_bytes=100)
    answer(service, HttpRequest.build("POST", "/?Action=Nope&Version=2022-01-01", {"Host": HOST},
                                      b"{}"))
    answer(service, signed(b"{" + b" " * 200 + b"}"))
    assert [(e.conformant, e.violations[0][2]) for e in service.exchanges] == [
        (False, "query:route"), (False, "body:size")]


def test_an_internal_bug_is_an_internal_error_envelope_and_logged(
        service: ReferenceService, full_body: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setitem(service._actions, "CreateTask", broken)
    request = signed(full_body)
    status, doc = answer(service, request)
    assert (status, error_of(doc)) == (500, "InternalError")
    assert vmsspec.check_response(status, doc) == []
    assert "a bug" in caplog.text
    assert TEST_SECRET_KEY not in caplog.text
    signature = dict(request.headers)["Authorization"].rsplit("Signature=", 1)[1]
    assert signature not in caplog.text
