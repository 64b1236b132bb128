"""The contract page's own examples, read under each profile."""

from __future__ import annotations

import copy
import json

import pytest

import vmsspec
from vmsspec.contract import validate_request

SEED_REQUEST = json.loads(vmsspec.example_bytes("seed-request"))
SEED_RESPONSE = json.loads(vmsspec.example_bytes("seed-response"))


def test_seed_request_under_documented_has_exactly_the_errata_defects() -> None:
    expectation = validate_request(vmsspec.example_bytes("seed-request"))
    assert {(v.code, v.parameter, v.rule) for v in expectation.violations} == {
        # erratum 2: integers as strings
        ("InvalidParameter", "MaxRingDuration", "MaxRingDuration:type"),
        ("InvalidParameter", "RingAgainTimes", "RingAgainTimes:type"),
        # erratum 3: JSON arrays inside strings
        ("InvalidParameter", "NumberList.0", "NumberList[]:pattern"),
        ("ForbidTimeParseFail", "ForbidTimeList.0.Times.0", "ForbidTimeList[].Times[]:pattern"),
        # erratum 4: Weekdays 0
        ("InvalidParameter", "ForbidTimeList.0.Weekdays.0", "ForbidTimeList[].Weekdays[]:minimum"),
    }
    # erratum 7 (StartTime == EndTime) is accepted, erratum 10 is a FailList outcome
    assert not any(v.parameter in ("StartTime", "EndTime") for v in expectation.violations)


def test_seed_request_with_its_errata_mended_succeeds_with_the_phone_in_fail_list() -> None:
    body = copy.deepcopy(SEED_REQUEST)
    body.update(MaxRingDuration=20, RingAgainTimes=0, NumberList=["13344445555", "13255556666"])
    body["ForbidTimeList"] = [{"Weekdays": [1], "Times": ["09:00-10:00", "15:00-16:00"]}]
    expectation = validate_request(body)
    assert expectation.ok
    assert [(f.index, f.phone, f.type) for f in expectation.fail_list] == [
        (0, "qOUFbQIX0Oo", "INVALID_PHONE_FORMAT")]


def test_seed_request_passes_under_example_compatible() -> None:
    expectation = validate_request(vmsspec.example_bytes("seed-request"), "example-compatible")
    assert expectation.ok, expectation.violations
    assert expectation.fail_list == ()


def test_example_compatible_still_checks_the_decoded_values() -> None:
    body = copy.deepcopy(SEED_REQUEST)
    body["RingAgainTimes"] = "9"
    body["NumberList"] = ["[\"1\", \"13255556666\"]"]
    expectation = validate_request(body, "example-compatible")
    assert {(v.parameter, v.rule) for v in expectation.violations} == {
        ("RingAgainTimes", "RingAgainTimes:maximum"),
        ("NumberList.0", "NumberList[]:pattern"),
    }


def test_example_compatible_does_not_touch_the_callers_body() -> None:
    body = copy.deepcopy(SEED_REQUEST)
    validate_request(body, "example-compatible")
    assert body == SEED_REQUEST


def test_seed_response_is_reported_only_for_its_placeholder_type() -> None:
    findings = vmsspec.check_success_response(SEED_RESPONSE)
    assert [(f.pointer, f.rule) for f in findings] == [
        ("/Result/FailList/0/Type", "response:Result.FailList[].Type:enum")]
    mended = copy.deepcopy(SEED_RESPONSE)
    mended["Result"]["FailList"][0]["Type"] = "REDUPLICATED_ITEM"
    assert vmsspec.check_success_response(mended) == []


def test_error_envelope_shape() -> None:
    meta = {k: SEED_RESPONSE["ResponseMetadata"][k]
            for k in ("RequestId", "Action", "Version", "Service", "Region")}
    good = {"ResponseMetadata": {**meta, "Error": {"Code": "InvalidParameter", "Message": "m",
                                                   "CodeN": 1}}}
    assert vmsspec.check_response(400, good) == []
    assert vmsspec.check_response(200, good) != []  # an Error is never a success
    with_result = {**good, "Result": {}}
    assert [f.pointer for f in vmsspec.check_response(400, with_result)] == ["/"]
    no_error = {"ResponseMetadata": meta}
    assert [f.rule for f in vmsspec.check_response(500, no_error)] == [
        "error:ResponseMetadata:required"]


@pytest.mark.parametrize("erratum", vmsspec.ERRATA, ids=lambda e: str(e.number))
def test_every_erratum_names_rules_that_exist(erratum: vmsspec.Erratum) -> None:
    from vmsspec.strategies import MUTATIONS

    ids = {r.id for r in vmsspec.rules()}
    for rule_id in erratum.rules:
        if rule_id.startswith("auth:"):  # a signature check, as tampered_requests breaks it
            assert rule_id.removeprefix("auth:") in MUTATIONS
        elif not rule_id.startswith("response:"):
            assert rule_id in ids
    assert set(erratum.handling()) == set(vmsspec.PROFILES)
    assert all(erratum.handling().values()) and erratum.sources
