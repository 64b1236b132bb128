"""Forced answers in the sans-IO service: every documented answer on demand (issue 9 item 5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import vmsspec
from tests.service.helpers import HOST, NOW, answer, signed
from vmsspec import ERROR_CODES
from vmsspec.service import GATEWAY_502_PAGE, MAX_PENDING, HttpRequest, ReferenceService


def error_of(doc: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = doc["ResponseMetadata"]["Error"]
    return error


PARAMETER = {code: "Concurrency" for code, entry in ERROR_CODES.items()
             if entry.names_parameter and entry.default_parameter is None}


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_catalog_code_is_answered_with_its_status_message_and_code_n(
        service: ReferenceService, code: str) -> None:
    entry = ERROR_CODES[code]
    service.respond_next(code, parameter=PARAMETER.get(code))
    status, doc = answer(service, signed(vmsspec.example_bytes()))
    assert status == entry.status
    error = error_of(doc)
    assert error["Code"] == code
    assert error["Message"] == entry.format(PARAMETER.get(code))
    assert error.get("CodeN") == entry.code_n
    assert "%s" not in error["Message"] and "  " not in error["Message"]
    assert vmsspec.check_response(status, doc) == []
    assert service.tasks == {}  # a forced error creates nothing
    assert service.exchanges[-1].fault == code
    # consumed: the next call is handled as usual
    assert answer(service, signed(vmsspec.example_bytes()))[0] == 200


def test_invalid_parameter_names_the_given_parameter(service: ReferenceService) -> None:
    service.respond_next("InvalidParameter", parameter="PhoneList.0.Phone")
    status, doc = answer(service, signed(vmsspec.example_bytes()))
    assert (status, error_of(doc)["Message"]) == (
        400, "The specified parameter PhoneList.0.Phone is invalid.")


def test_http_200_carrying_an_error(service: ReferenceService) -> None:
    service.respond_next("OperationDenied", status=200)
    status, doc = answer(service, signed(vmsspec.example_bytes()))
    assert status == 200 and "Result" not in doc
    assert error_of(doc)["Code"] == "OperationDenied"
    assert service.tasks == {}


def test_gateway_502_is_an_html_page_not_an_envelope(service: ReferenceService) -> None:
    service.respond_next(gateway_502=True)
    response = service.handle(signed(vmsspec.example_bytes()))
    assert response.status == 502
    assert dict(response.headers)["Content-Type"] == "text/html"
    assert response.body == GATEWAY_502_PAGE
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.body)
    assert service.tasks == {}


def test_drop_and_delay_are_left_to_the_adapter(service: ReferenceService) -> None:
    service.respond_next(drop=True, delay=0.5)
    response = service.handle(signed(vmsspec.example_bytes()))
    assert (response.drop, response.delay, response.body) == (True, 0.5, b"")
    assert service.tasks == {}
    service.respond_next(delay=0.25)  # alone: handled as usual, later
    response = service.handle(signed(vmsspec.example_bytes()))
    assert (response.status, response.delay, response.drop) == (200, 0.25, False)
    assert len(service.tasks) == 1
    assert [e.fault for e in service.exchanges] == ["drop", "delay"]


def test_fail_items_are_forced_into_a_success(service: ReferenceService,
                                              full_body: dict[str, Any]) -> None:
    phones = full_body["PhoneList"]
    service.respond_next(fail_items=[(0, "NO_PERMISSION"), (len(phones) + 3, "DECRYPTION_ERROR")])
    status, doc = answer(service, signed(full_body))
    assert status == 200 and vmsspec.check_response(200, doc) == []
    computed = {f.index: f.type for f in vmsspec.validate_request(full_body).fail_list}
    got = {item["Index"]: item for item in doc["Result"]["FailList"]}
    assert got[0]["Type"] == "NO_PERMISSION" and got[0]["Phone"] == phones[0]["Phone"]
    assert got[len(phones) + 3]["Phone"] == ""  # past the PhoneList: no phone to name
    for index, kind in computed.items():
        if index != 0:
            assert got[index]["Type"] == kind  # the computed entries stay
    assert list(got) == sorted(got)
    assert doc["Result"]["TaskOpenId"] in service.tasks
    assert service.exchanges[-1].fail_types == tuple(i["Type"] for i in doc["Result"]["FailList"])


def test_fail_items_wait_for_a_create_task_call(service: ReferenceService,
                                                full_body: dict[str, Any]) -> None:
    task_id = answer(service, signed(full_body))[1]["Result"]["TaskOpenId"]
    service.respond_next(fail_items=[(0, "NO_PERMISSION")])
    assert answer(service, signed({"TaskOpenId": task_id}, action="PauseTask"))[0] == 200
    assert len(service.faults) == 1
    full_body["ClientToken"] = "another"
    assert answer(service, signed(full_body))[1]["Result"]["FailList"][0]["Type"] == (
        "NO_PERMISSION")


def test_a_refused_request_is_refused_even_with_forced_fail_items(
        service: ReferenceService, full_body: dict[str, Any]) -> None:
    service.respond_next(fail_items=[(0, "NO_PERMISSION")])
    full_body["Concurrency"] = 0
    status, doc = answer(service, signed(full_body))
    assert (status, error_of(doc)["Code"]) == (400, "InvalidParameter")


def test_count_answers_the_next_n_calls(service: ReferenceService) -> None:
    service.respond_next("Throttling", count=3)
    statuses = [answer(service, signed(vmsspec.example_bytes()))[0] for _ in range(4)]
    assert statuses == [429, 429, 429, 200]


def test_when_a_predicate_or_fields_match_the_body(service: ReferenceService,
                                                   full_body: dict[str, Any]) -> None:
    service.respond_next("AccessDenied", when=lambda body: body.get("Name") == "deny-me")
    service.respond_next("LackPolicy", when={"Name": "no-policy", "Start": True}, count=2)
    full_body.pop("ClientToken", None)
    full_body["Start"] = True
    names = ["ok", "deny-me", "no-policy", "deny-me", "no-policy", "no-policy"]
    outcomes = []
    for name in names:
        status, doc = answer(service, signed({**full_body, "Name": name}))
        outcomes.append(error_of(doc)["Code"] if status != 200 else status)
    assert outcomes == [200, "AccessDenied", "LackPolicy", 200, "LackPolicy", 200]


def test_field_equality_is_json_equality(service: ReferenceService,
                                         full_body: dict[str, Any]) -> None:
    service.respond_next("AccessDenied", when={"Start": 1})  # 1 is not true
    assert answer(service, signed({**full_body, "Start": True}))[0] == 200
    assert len(service.faults) == 1


def test_a_body_that_does_not_parse_matches_no_condition_but_an_unconditional_answer(
        service: ReferenceService) -> None:
    service.respond_next("AccessDenied", when={"Name": "x"})
    assert answer(service, signed(b"{not json"))[1]["ResponseMetadata"]["Error"]["Code"] == (
        "InvalidParameter")
    service.respond_next("QuotaExceeded")
    assert error_of(answer(service, signed(b"{not json"))[1])["Code"] == "QuotaExceeded"


@pytest.mark.parametrize("request_", [
    HttpRequest.build("GET", "/favicon.ico", {"Host": HOST}),
    HttpRequest.build("POST", "/?Action=CreateTasks&Version=2022-01-01", {"Host": HOST}, b"{}"),
    HttpRequest.build("GET", "/?Action=CreateTask&Version=2022-01-01", {"Host": HOST}),
    HttpRequest.build("POST", "/?Action=CreateTask&Version=2022-01-01", {}, b"{}"),
], ids=["favicon", "wrong-action", "get", "no-host"])
def test_a_call_that_did_not_reach_the_api_leaves_it_pending(
        service: ReferenceService, request_: HttpRequest) -> None:
    service.respond_next("InternalError")
    status = service.handle(request_).status
    assert status in (400, 404) and len(service.faults) == 1
    assert service.exchanges[-1].fault is None
    assert answer(service, signed(vmsspec.example_bytes()))[0] == 500


UNSIGNED = HttpRequest.build("POST", "/?Action=CreateTask&Version=2022-01-01", {"Host": HOST},
                             vmsspec.example_bytes())


@pytest.mark.parametrize("request_", [UNSIGNED, signed(vmsspec.example_bytes(),
                                                       secret_key="wrong")],
                         ids=["unsigned", "bad-signature"])
def test_an_unauthenticated_call_takes_only_an_unconditional_answer(
        service: ReferenceService, request_: HttpRequest, spied: list[str]) -> None:
    name = json.loads(vmsspec.example_bytes())["Name"]
    service.respond_next("AccessDenied", when={"Name": name})  # would match if it were read
    service.respond_next(fail_items=[(0, "NO_PERMISSION")])
    service.respond_next("InternalError")
    status, doc = answer(service, request_)
    assert (status, doc["ResponseMetadata"]["Error"]["Code"]) == (500, "InternalError")
    exchange = service.exchanges[-1]
    assert exchange.fault == "InternalError" and exchange.signature is not None
    assert not exchange.validated and spied == []  # its body was still never parsed
    assert len(service.faults) == 2
    assert service.handle(request_).status == 401  # the conditional ones wait


@pytest.fixture
def spied(service: ReferenceService, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names each parse of a body, to show a request was (or was not) worked on."""
    from vmsspec.service import _service

    calls: list[str] = []
    real_parse = _service.parse_body

    def parse(raw: bytes) -> Any:
        calls.append("parse")
        return real_parse(raw)

    monkeypatch.setattr(_service, "parse_body", parse)
    return calls


def test_the_queue_is_bounded(service: ReferenceService) -> None:
    service.respond_next("Throttling", count=MAX_PENDING)
    with pytest.raises(ValueError, match="too many forced answers pending"):
        service.respond_next("Throttling")
    service.reset()
    assert len(service.faults) == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"code": "NoSuchCode"}, "unknown error code"),
    ({"code": "InvalidParameter"}, "give parameter="),
    ({"code": "AccessDenied", "parameter": "Name"}, "names no parameter"),
    ({"parameter": "Name"}, "goes with code"),
    ({"status": 200}, "overrides the status of a code"),
    ({"code": "AccessDenied", "status": 99}, "status must be"),
    ({"code": "AccessDenied", "drop": True}, "choose one of"),
    ({"gateway_502": True, "fail_items": [(0, "NO_PERMISSION")]}, "choose one of"),
    ({"delay": -1}, "delay must be"), ({"delay": float("nan")}, "delay must be"),
    ({"delay": 61}, "delay must be"),
    ({"fail_items": [(0, "BOGUS")]}, "unknown FailList Type"),
    ({"fail_items": [(-1, "NO_PERMISSION")]}, "index"),
    ({"fail_items": [(0, "NO_PERMISSION"), (0, "DECRYPTION_ERROR")]}, "at most one"),
    ({"code": "AccessDenied", "count": 0}, "count must be"),
    ({"code": "AccessDenied", "count": True}, "count must be"),
    ({"code": "AccessDenied", "when": 3}, "when must be"),
])
def test_respond_next_refuses_misuse_with_one_line(service: ReferenceService,
                                                   kwargs: dict[str, Any], message: str) -> None:
    code = kwargs.pop("code", None)
    with pytest.raises(ValueError, match=message) as info:
        service.respond_next(code, **kwargs)
    assert "\n" not in str(info.value)
    assert len(service.faults) == 0


@pytest.mark.parametrize("doc, message", [
    ({"code": "AccessDenied", "count": 1.9}, "count must be"),
    ({"code": "AccessDenied", "count": True}, "count must be"),
    ({"code": "AccessDenied", "count": "2"}, "count must be"),
    ({"code": "AccessDenied", "colour": "red"}, "unknown field"),
    ({"kind": "throttle", "code": "AccessDenied"}, "unknown field"),
    ({"kind": "throttle", "count": 1.0}, "count must be"),
    ({"kind": "boom"}, "unknown fault kind"),
    ({"drop": "yes"}, "drop must be true or false"),
    ({"code": 7}, "code must be a string"),
    ({"code": "AccessDenied", "when": []}, "when must be a non-empty object"),
    ({"code": "AccessDenied", "when": {}}, "when must be a non-empty object"),
    ({"fail_items": {"0": "NO_PERMISSION"}}, "fail_items must be a list"),
    ({"fail_items": [[0]]}, "a fail item is"),
    ([], "JSON object"), (None, "JSON object"),
])
def test_force_from_json_is_strict(service: ReferenceService, doc: object,
                                   message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        service.force_from_json(doc)
    assert "\n" not in str(info.value)
    assert len(service.faults) == 0


def test_force_from_json_takes_the_fields_of_respond_next(service: ReferenceService,
                                                          full_body: dict[str, Any]) -> None:
    assert service.force_from_json({"code": "InvalidParameter", "parameter": "Name",
                                    "when": {"Name": "x"}, "count": 2}) == 2
    assert service.force_from_json({"fail_items": [[1, "TTS_PARAM_EMPTY"]]}) == 3
    assert service.force_from_json({"kind": "latency", "latency": 0.1}) == 4
    full_body.pop("ClientToken", None)
    status, doc = answer(service, signed({**full_body, "Name": "x"}))
    assert (status, error_of(doc)["Message"]) == (400, "The specified parameter Name is invalid.")
    status, doc = answer(service, signed(full_body))
    assert {i["Index"]: i["Type"] for i in doc["Result"]["FailList"]}[1] == "TTS_PARAM_EMPTY"
    assert service.handle(signed(full_body)).delay == 0.1


def test_faults_inject_is_mapped_onto_forced_answers(service: ReferenceService) -> None:
    service.faults.inject("throttle", 1)
    service.faults.inject("internal-error", 1, latency=0.2)
    assert len(service.faults) == 2
    first = service.handle(signed(vmsspec.example_bytes()))
    second = service.handle(signed(vmsspec.example_bytes()))
    assert (first.status, second.status, second.delay) == (429, 500, 0.2)
    assert [e.fault for e in service.exchanges] == ["throttle", "internal-error"]


def test_reset_keeps_the_recording_when_asked(service: ReferenceService,
                                              full_body: dict[str, Any]) -> None:
    answer(service, signed(full_body))
    service.respond_next("AccessDenied")
    service.reset(keep_recording=True)
    assert (service.tasks, len(service.faults), len(service.exchanges)) == ({}, 0, 1)
    service.reset()
    assert service.exchanges == ()


def test_region_is_echoed_from_the_first_accepted(full_body: dict[str, Any]) -> None:
    service = ReferenceService(clock=lambda: NOW, regions=("cn-north-1", "cn-beijing"))
    assert answer(service, signed(full_body))[1]["ResponseMetadata"]["Region"] == "cn-north-1"
