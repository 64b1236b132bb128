from __future__ import annotations

import copy

import orjson
import pytest

from tests.breakers import FULL_BODY
from vmsspec.contract import (
    DOCUMENTED,
    RequestValidator,
    UnusableBody,
    get_profile,
    request_validator,
    rules,
    validate_request,
)


def test_disable_switches_one_rule_off() -> None:
    body = copy.deepcopy(FULL_BODY)
    del body["Resource"]
    assert not validate_request(body).ok
    assert validate_request(body, disable=["Resource:required"]).ok
    assert validate_request(body, DOCUMENTED.disable(["Resource:required"])).ok


def test_unknown_rule_or_profile_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown rule id.*Nope:required"):
        validate_request(FULL_BODY, disable=["Nope:required"])
    with pytest.raises(ValueError, match="unknown profile 'lenient'"):
        validate_request(FULL_BODY, "lenient")


def test_profile_patch_changes_the_catalog_bound() -> None:
    def weekday_minimum(profile: str) -> object:
        (rule,) = [r for r in rules(profile) if r.id == "ForbidTimeList[].Weekdays[]:minimum"]
        return rule.value

    assert weekday_minimum("documented") == 1
    assert weekday_minimum("example-compatible") == 0
    assert "PhoneList[].Phone:format" in get_profile("example-compatible").disabled


@pytest.mark.parametrize("raw, reason", [
    (b"{", "not valid JSON"),
    (b"\xff\xfe{}", "not valid UTF-8"),
    (b"[" * 2000 + b"]" * 2000, "nested too deeply"),  # past orjson's limit
    (b'{"Name":' + b"[" * 400 + b"]" * 400 + b"}", "nested too deeply"),  # past the validator's
    (b"", "not valid JSON"),
], ids=["truncated", "bad-utf8", "too-deep-to-parse", "too-deep-to-validate", "empty"])
def test_unusable_bodies_raise_with_a_one_line_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(UnusableBody, match=reason) as info:
        validate_request(raw)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("value", [[1], 3, None, True])
def test_a_body_that_is_not_an_object_is_invalid_parameter_body(value: object) -> None:
    expectation = validate_request(value)
    assert [(v.code, v.parameter, v.rule) for v in expectation.violations] == [
        ("InvalidParameter", "body", "body:type")]


def test_unknown_parameter_is_reported_and_can_be_allowed() -> None:
    body = {**FULL_BODY, "Concurency": 3}
    (violation,) = validate_request(body).violations
    assert (violation.parameter, violation.rule) == ("Concurency", "body:additionalProperties")
    assert validate_request(body, disable=["body:additionalProperties"]).ok


def test_dry_run_is_part_of_the_expectation() -> None:
    expectation = validate_request({**FULL_BODY, "DryRun": True})
    assert expectation.ok and expectation.dry_run
    assert expectation.status == 400
    assert expectation.accepts(400, "DryRunOperation")
    assert not expectation.accepts(200, None)
    broken = validate_request({**FULL_BODY, "DryRun": True, "Concurrency": 0})
    assert not broken.ok and broken.status == 400
    assert broken.accepts(400, "InvalidParameter", "Concurrency")


def test_a_malformed_start_time_is_one_violation_not_also_the_order() -> None:
    expectation = validate_request({**FULL_BODY, "StartTime": "2025-6-30 9:00:00"})
    assert [v.rule for v in expectation.violations] == ["StartTime:pattern"]


def test_a_compiled_validator_is_reused_and_answers_like_validate_request() -> None:
    body = copy.deepcopy(FULL_BODY)
    del body["Resource"]
    strict = request_validator("documented")
    lenient = request_validator("documented", disable=["Resource:required"])
    assert request_validator(DOCUMENTED) is strict  # compiled once per profile
    assert lenient is not strict and lenient.profile.disabled == {"Resource:required"}
    assert strict(body) == validate_request(body)
    assert not strict(body).ok and lenient(body).ok
    assert strict(orjson.dumps(body)) == strict(body)  # raw bytes are parsed first
    assert repr(lenient) == "RequestValidator(profile='documented')"
    with pytest.raises(ValueError, match=r"unknown rule id.*Nope:required"):
        RequestValidator(disable=["Nope:required"])
