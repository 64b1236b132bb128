"""Erratum 11: requests shaped as the hand-written Go and Java VMS clients send them.

Under ``sdk-compatible`` they pass and mean what the SDK means; under ``documented`` they
are answered as the errata text says, rule by rule. The bodies come from
``tests/contract/go_client.py``, which transcribes the SDKs' structs and encoders.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import orjson
import pytest

import vmsspec
from tests.contract.go_client import go_create_task, go_marshal, java_create_task
from tests.service.helpers import NOW, answer, signed
from vmsspec.contract import SDK_COMPATIBLE, validate_request

START = datetime(2025, 6, 1, 9, 0, 0)
END = datetime(2025, 6, 1, 18, 0, 0)

# What a Go caller writes, after the vendor's own example (example/vms/demo_notify_test.go,
# TestCreateTask): the required fields set, SelectNumberRule, Type and SelectNumberType not.
GO_CALL: dict[str, Any] = {
    "Name": "kaede1", "Resource": "1c9c65e4ea50417b8dfe234963350218",
    "StartTime": START, "EndTime": END, "Concurrency": 2, "Start": True,
    "MaxRingDuration": 20, "RingAgainInterval": 5, "RingAgainTimes": 0, "Unique": False,
    "NumberPoolNo": "NP162160143010909069", "SelectNumberType": 0, "Type": 0,
    "PhoneList": [{"Phone": "13800138000"},
                  {"Phone": "13900139000", "PhoneParam": {"code": "1234"}, "Ext": "a<b>&c"}],
}

# The same request in the seed's shape: what the Go request means.
SEED_SHAPED: dict[str, Any] = {
    "Name": "kaede1", "Resource": "1c9c65e4ea50417b8dfe234963350218",
    "StartTime": "2025-06-01 09:00:00", "EndTime": "2025-06-01 18:00:00", "Concurrency": 2,
    "Start": True, "MaxRingDuration": 20, "RingAgainInterval": 5, "Unique": False,
    "NumberPoolNo": "NP162160143010909069", "SelectNumberType": 0, "Type": 0,
    "PhoneList": [{"Phone": "13800138000", "TtsContent": "", "Ext": ""},
                  {"Phone": "13900139000", "PhoneParamJson": '{"code":"1234"}',
                   "TtsContent": "", "Ext": "a<b>&c"}],
}


def go_body() -> bytes:
    return go_create_task(**GO_CALL)


def test_the_go_encoder_transcription_writes_what_encoding_json_writes() -> None:
    """Spot checks of the encoder rules go_client.py follows (values from Go's docs)."""
    assert go_marshal({"b": 1, "a": "<&>"}) == '{"a":"\\u003c\\u0026\\u003e","b":1}'
    assert go_marshal("é\u2028\x01\n") == '"é\\u2028\\u0001\\n"'
    raw = go_body().decode()
    assert raw.startswith('{"Name":"kaede1","PhoneList":[{"Phone":"13800138000",'
                          '"PhoneParam":null,"TtsContent":"","Ext":"","SmsParam":null}')
    assert '"Ext":"a\\u003cb\\u003e\\u0026c"' in raw
    assert '"StartTime":"2025-06-01 09:00:00"' in raw
    # always sent, zero valued; RingAgainTimes 0 is omitempty and left out
    assert '"SelectNumberRule":0,"Type":0}' in raw
    assert "RingAgainTimes" not in raw
    assert " " not in raw.replace("2025-06-01 ", "2025-06-01T")  # compact


def test_the_go_clients_request_passes_under_sdk_compatible_and_means_the_seed_shape() -> None:
    go = validate_request(go_body(), "sdk-compatible")
    assert go.ok and go.status == 200, go.violations
    seed = validate_request(SEED_SHAPED)
    assert seed.ok
    assert go.fail_list == seed.fail_list == ()


def test_the_go_clients_request_under_documented_is_refused_as_the_errata_say() -> None:
    expectation = validate_request(go_body())
    assert expectation.status == 400
    assert {(v.code, v.parameter, v.rule) for v in expectation.violations} == {
        ("InvalidParameter", "PhoneList.0.PhoneParam", "PhoneList[]:additionalProperties"),
        ("InvalidParameter", "PhoneList.0.SmsParam", "PhoneList[]:additionalProperties"),
        ("InvalidParameter", "PhoneList.1.PhoneParam", "PhoneList[]:additionalProperties"),
        ("InvalidParameter", "PhoneList.1.SmsParam", "PhoneList[]:additionalProperties"),
        ("InvalidParameter", "SelectNumberRule", "SelectNumberRule:const"),
    }
    assert expectation.accepts(400, "InvalidParameter", "SelectNumberRule")
    assert not expectation.accepts(200, None)


def test_the_reference_service_answers_the_go_request_by_its_profile() -> None:
    strict = vmsspec.ReferenceService(clock=lambda: NOW)
    status, body = answer(strict, signed(go_body()))
    assert status == 400
    error = body["ResponseMetadata"]["Error"]
    assert error["Code"] == "InvalidParameter"
    assert error["Message"] in {v.message for v in validate_request(go_body()).violations}
    lenient = vmsspec.ReferenceService(profile="sdk-compatible", clock=lambda: NOW)
    status, body = answer(lenient, signed(go_body()))
    assert status == 200, body
    assert body["Result"]["FailList"] == []


@pytest.mark.parametrize(("field", "value", "documented_rule"), [
    ("Resource", "", "Resource:minLength"),
    ("Name", "", "Name:minLength"),
    ("NumberPoolNo", "", "NumberPoolNo:minLength"),
    ("Concurrency", 0, "Concurrency:minimum"),
])
def test_a_go_zero_value_of_a_required_field_is_missing_under_sdk_compatible(
    field: str, value: object, documented_rule: str,
) -> None:
    body = go_create_task(**{**GO_CALL, field: value})
    assert json.loads(body)[field] == value  # the Go client does send it
    (documented,) = [v for v in validate_request(body).violations if v.parameter == field]
    assert (documented.code, documented.rule) == ("InvalidParameter", documented_rule)
    sdk = validate_request(body, "sdk-compatible")
    assert [(v.code, v.parameter) for v in sdk.violations] == [("MissingParameter", field)]


def test_unset_times_are_null_from_go_and_missing_under_sdk_compatible() -> None:
    call = {k: v for k, v in GO_CALL.items() if k != "EndTime"}
    body = go_create_task(**call)
    assert b'"EndTime":null' in body
    assert [(v.code, v.rule) for v in validate_request(body).violations
            if v.parameter == "EndTime"] == [("InvalidParameter", "EndTime:type")]
    sdk = validate_request(body, "sdk-compatible")
    assert [(v.code, v.parameter) for v in sdk.violations] == [("MissingParameter", "EndTime")]


def test_phone_param_objects_drive_the_fail_list_as_their_json_strings_do() -> None:
    phones = [{"Phone": "13800138000", "PhoneParam": {"code": "1"}},
              {"Phone": "13800138000", "SmsParam": {"sms": "2"}},
              {"Phone": "12345678"},
              {"Phone": "13900139000"}]
    call = {**GO_CALL, "PhoneList": phones, "Unique": True, "Type": 3}
    sdk = validate_request(go_create_task(**call), "sdk-compatible")
    assert sdk.ok
    assert [(f.index, f.type) for f in sdk.fail_list] == [
        (0, "TTS_EMPTY_CONTENT"), (1, "REDUPLICATED_ITEM"), (2, "INVALID_PHONE_FORMAT"),
        (3, "TTS_EMPTY_CONTENT")]
    seed = copy.deepcopy(SEED_SHAPED)
    seed.update(Unique=True, Type=3, PhoneList=[
        {"Phone": "13800138000", "PhoneParamJson": '{"code":"1"}', "TtsContent": ""},
        {"Phone": "13800138000", "SmsParamJson": '{"sms":"2"}', "TtsContent": ""},
        {"Phone": "12345678"}, {"Phone": "13900139000", "TtsContent": ""}])
    assert validate_request(seed).fail_list == sdk.fail_list


def test_what_no_sdk_sends_is_still_refused_under_sdk_compatible() -> None:
    base = orjson.loads(go_body())
    both = copy.deepcopy(base)
    both["PhoneList"][0]["PhoneParamJson"] = "{}"
    both["PhoneList"][0]["PhoneParam"] = {"a": 1}
    text = copy.deepcopy(base)
    text["PhoneList"][0]["PhoneParam"] = "{}"
    for body in (both, text):
        expectation = validate_request(body, "sdk-compatible")
        assert [(v.code, v.parameter) for v in expectation.violations] == [
            ("InvalidParameter", "PhoneList.0.PhoneParam")]
    other = {**base, "SelectNumberRule": 4, "Type": None}
    assert [(v.parameter, v.rule) for v in validate_request(other, "sdk-compatible").violations
            ] == [("SelectNumberRule", "SelectNumberRule:const")]


def test_sdk_compatible_leaves_the_callers_body_alone() -> None:
    body = orjson.loads(go_body())
    before = copy.deepcopy(body)
    assert validate_request(body, SDK_COMPATIBLE).ok
    assert body == before


def test_the_java_clients_request_passes_under_both_profiles_without_phone_params() -> None:
    call = {k: v for k, v in GO_CALL.items()
            if k not in ("Start", "MaxRingDuration", "RingAgainInterval", "RingAgainTimes",
                         "Unique", "SelectNumberType", "Type")}
    call["PhoneList"] = [{"Phone": "13800138000"}]
    plain = java_create_task(**call, CallRecordPostUrl="https://example.com/cdr")
    assert b'"MaxRingDuration":20' in plain and b"null" not in plain
    assert validate_request(plain).ok and validate_request(plain, "sdk-compatible").ok
    call["PhoneList"] = [{"Phone": "13800138000", "PhoneParam": {"code": "1"}}]
    with_params = java_create_task(**call)
    assert [v.parameter for v in validate_request(with_params).violations] == [
        "PhoneList.0.PhoneParam"]
    assert validate_request(with_params, "sdk-compatible").ok


def test_errata_11_to_13_say_what_every_profile_does() -> None:
    by_number = {e.number: e for e in vmsspec.ERRATA}
    assert set(by_number) == set(range(1, 14))
    for number in (11, 12, 13):
        erratum = by_number[number]
        assert erratum.rules
        assert set(erratum.handling()) == set(vmsspec.PROFILES)
    assert "PhoneList[]:additionalProperties" in by_number[11].rules
    assert "SelectNumberRule:const" in by_number[11].rules
    assert by_number[11].sdk_compatible != by_number[11].documented
