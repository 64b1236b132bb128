"""Every rule in the catalog, broken alone, gives exactly its own outcome."""

from __future__ import annotations

import copy

import jsonschema
import pytest

import vmsspec
from tests.breakers import FULL_BODY, break_rule
from vmsspec.contract import Rule, rules, validate_request

CATALOG = rules()


def test_full_body_is_valid_with_empty_fail_list() -> None:
    expectation = validate_request(FULL_BODY)
    assert expectation.ok, expectation.violations
    assert expectation.fail_list == ()


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [r.id for r in CATALOG]
    assert len(ids) == len(set(ids))
    for rule in CATALOG:
        pattern, _, check = rule.id.rpartition(":")
        assert pattern and check, rule.id
        assert rule.source and rule.source != "unspecified", rule.id
        assert rule.code in vmsspec.ERROR_CODES or rule.outcome == "fail-item", rule.id


def test_every_rule_has_a_breaking_case() -> None:
    """Fails when a rule is added (to the schema or in Python) with no way to break it."""
    missing = []
    for rule in CATALOG:
        try:
            break_rule(rule)
        except NotImplementedError:
            missing.append(rule.id)
    assert missing == []


@pytest.mark.parametrize("rule", CATALOG, ids=[r.id for r in CATALOG])
def test_breaking_one_rule_gives_exactly_that_outcome(rule: Rule) -> None:
    body = break_rule(rule)
    expectation = validate_request(body)
    if rule.outcome == "reject":
        assert [(v.rule, v.code) for v in expectation.violations] == [(rule.id, rule.code)]
        (violation,) = expectation.violations
        assert expectation.status == vmsspec.ERROR_CODES[rule.code].status
        assert violation.message == vmsspec.ERROR_CODES[rule.code].format(violation.parameter)
        assert expectation.acceptable == {(rule.code, violation.parameter)}
    else:
        assert expectation.ok, expectation.violations
        assert [(f.rule, f.type) for f in expectation.fail_list] == [(rule.id, rule.code)]


@pytest.mark.parametrize(
    "rule", [r for r in CATALOG if r.origin == "schema"], ids=lambda r: r.id
)
def test_reference_jsonschema_agrees_the_broken_body_is_invalid(rule: Rule) -> None:
    """The fast validator (jsonschema-rs) against the reference implementation."""
    schema = vmsspec.load_schema("request")
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(FULL_BODY)
    assert not validator.is_valid(break_rule(rule))


def test_a_changed_bound_moves_the_breaking_value() -> None:
    (rule,) = [r for r in CATALOG if r.id == "RingAgainTimes:maximum"]
    assert rule.value == 5
    assert break_rule(rule)["RingAgainTimes"] == 6


def test_parameters_are_dotted_with_numeric_indices() -> None:
    body = copy.deepcopy(FULL_BODY)
    body["PhoneList"][1]["Ext"] = "x" * 256
    (violation,) = validate_request(body).violations
    assert violation.parameter == "PhoneList.1.Ext"
    assert violation.rule == "PhoneList[].Ext:maxLength"
    assert violation.message == "The specified parameter PhoneList.1.Ext is invalid."


def test_missing_parameter_message() -> None:
    body = copy.deepcopy(FULL_BODY)
    del body["Concurrency"]
    (violation,) = validate_request(body).violations
    assert (violation.code, violation.message) == (
        "MissingParameter", "The required parameter Concurrency is missing.")


def test_business_codes_for_documented_limits() -> None:
    body = copy.deepcopy(FULL_BODY)
    body["PhoneList"] = [{"Phone": f"138{i:08d}", "TtsContent": "t"} for i in range(10_001)]
    body["NumberList"] = [f"133{i:08d}" for i in range(1_001)]
    expectation = validate_request(body)
    assert {(v.code, v.parameter) for v in expectation.violations} == {
        ("PhoneListExceedLimit", "PhoneList"), ("SelectNumberOverLimit", "NumberList")}
    body["PhoneList"] = body["PhoneList"][:10_000]
    body["NumberList"] = body["NumberList"][:1_000]
    assert validate_request(body).ok


def test_several_defects_are_all_collected_and_each_is_acceptable() -> None:
    body = copy.deepcopy(FULL_BODY)
    del body["Name"]
    body["RingAgainTimes"] = 9
    body["ForbidTimeList"][0]["Times"] = ["25:00-26:00"]
    expectation = validate_request(body)
    assert expectation.acceptable == {
        ("MissingParameter", "Name"),
        ("InvalidParameter", "RingAgainTimes"),
        ("ForbidTimeParseFail", "ForbidTimeList.0.Times.0"),
    }
    assert expectation.accepts(400, "InvalidParameter", "RingAgainTimes")
    assert expectation.accepts(400, "MissingParameter")
    assert not expectation.accepts(400, "InvalidParameter", "Name")
    assert not expectation.accepts(200, None)


def test_a_wrong_type_is_one_violation_not_also_its_enum() -> None:
    body = copy.deepcopy(FULL_BODY)
    body["Type"] = "3"
    assert [v.rule for v in validate_request(body).violations] == ["Type:type"]
