"""invalid_bodies and fail_list_bodies: one rule broken per body, labelled with the
contract's own verdict; rejected cases and FailList cases never mixed."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

import jsonschema
import pytest
from hypothesis import Phase, find, given, settings

import vmsspec
from tests.strategies.fail_items import has_defect
from vmsspec import DOCUMENTED, Profile, load_schema, rules, validate_request
from vmsspec import strategies as vst
from vmsspec.contract._paths import BODY, join, parameter_pattern

# find() hands back what it found through Hypothesis's failure path, which reprs the
# whole example; a body with thousands of phones then triggers this warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# find() runs Hypothesis's explain phase, which re-runs the predicate hundreds of
# times to describe which parts of a failing example matter; a minimal example is all
# these tests look at.
_FIND = settings(database=None, max_examples=2000, phases=(Phase.generate, Phase.shrink))


def find_(strategy: Any, condition: Any) -> Any:
    return find(strategy, condition, settings=_FIND)


SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(load_schema("request"))


def keyword_of(rule_id: str) -> str:
    """The JSON Schema keyword a schema rule's id ends in.

    An id is ``<parameter pattern>:<keyword>``; a rule the schema names itself (x-rule)
    starts its check with the keyword: ``NumberList:minItems-when-SelectNumberType-1``.
    """
    return rule_id.rpartition(":")[2].split("-when-", 1)[0]


def pattern_of(parameter: str) -> str:
    """The pattern of a concrete parameter: ``PhoneList.3.Phone`` -> ``PhoneList[].Phone``."""
    return parameter_pattern(int(p) if p.isdigit() else p for p in parameter.split("."))


def check_label(case: vst.InvalidBody | vst.FailListBody,
                profile: str | Profile = "documented") -> None:
    """The label is what the contract says, and it names the one broken rule."""
    expectation = validate_request(case.body, profile)
    assert expectation == case.expectation
    if isinstance(case, vst.InvalidBody):
        assert case.rule.outcome == "reject"
        assert 400 <= case.status < 500
        assert [v.rule for v in expectation.violations] == [case.rule_id]
        assert case.status == vmsspec.ERROR_CODES[case.code].status == expectation.status
        assert case.code == case.rule.code
        assert expectation.accepts(case.status, case.code, case.parameter)
        assert expectation.acceptable == {(case.code, case.parameter)}
        # The named parameter is one the rule is about (an unknown property: a child of it).
        pattern = pattern_of(case.parameter)
        if keyword_of(case.rule_id) == "additionalProperties":
            pattern = pattern.rpartition(".")[0] or BODY
        assert pattern == case.rule.parameter
    else:
        assert isinstance(case, vst.FailListBody) and case.rule.outcome == "fail-item"
        assert expectation.ok and not expectation.dry_run
        assert case.status == 200 == expectation.status
        assert case.fail_list == expectation.fail_list
        assert {f.type for f in expectation.fail_list} == {case.code} == {case.rule.code}
        assert {f.rule for f in expectation.fail_list} == {case.rule_id}
        first = expectation.fail_list[0]
        assert case.parameter == f"PhoneList.{first.index}.{case.rule.parameter.split('.')[-1]}"
        for item in expectation.fail_list:
            assert case.body["PhoneList"][item.index]["Phone"] == item.phone
            assert has_defect(case.body, item.index, case.code), item


@given(vst.invalid_bodies(max_phones=50))
def test_every_invalid_body_gets_its_labelled_outcome(case: vst.InvalidBody) -> None:
    check_label(case)


@given(vst.fail_list_bodies(max_phones=50))
def test_every_fail_list_body_gets_its_labelled_fail_list(case: vst.FailListBody) -> None:
    check_label(case)


@pytest.mark.parametrize("profile", ["example-compatible", "sdk-compatible"])
def test_every_broken_body_gets_its_labelled_outcome_under_lenient_profiles(
        profile: str) -> None:
    @given(vst.invalid_bodies(profile, max_phones=50) | vst.fail_list_bodies(
        profile, max_phones=50))
    def run(case: vst.InvalidBody | vst.FailListBody) -> None:
        check_label(case, profile)

    run()


def test_each_strategy_refuses_the_other_kind_of_rule() -> None:
    with pytest.raises(ValueError, match="FailList rule: use fail_list_bodies"):
        vst.invalid_bodies(rules=["PhoneList[].Phone:unique"])
    with pytest.raises(ValueError, match="rejecting rule: use invalid_bodies"):
        vst.fail_list_bodies(rules=["Name:required"])


# PhoneList:maxItems bodies hold 10,001 phones: Python's jsonschema needs seconds for
# one, so the cross-check leaves that rule to the test above.
_CROSS_CHECKED = [r.id for r in rules()
                  if r.id != "PhoneList:maxItems" and r.outcome == "reject"]


def reference_errors(body: Any) -> set[tuple[str, str]]:
    """(keyword, parameter pattern) of every error python-jsonschema reports for ``body``,
    in the catalog's naming: a ``required`` error names the missing property."""
    out: set[tuple[str, str]] = set()
    for error in SCHEMA_VALIDATOR.iter_errors(body):
        pattern = parameter_pattern(error.absolute_path)
        if error.validator == "required":
            out.update(("required", join(pattern, name)) for name in error.validator_value
                       if name not in error.instance)
        else:
            out.add((str(error.validator), pattern))
    return out


@given(vst.invalid_bodies(rules=_CROSS_CHECKED, max_phones=50))
def test_the_reference_json_schema_validator_agrees(case: vst.InvalidBody) -> None:
    """Schema rules are broken for python-jsonschema too; the other rules are not schema's.

    A second opinion on the label: the reference validator, which shares no code with
    the contract core, finds the rule's keyword at the rule's parameter, and errors at
    no other parameter (a wrong type may break the same parameter's enum too).
    """
    schema_valid = SCHEMA_VALIDATOR.is_valid(case.body)
    assert schema_valid is (case.rule.origin == "python")
    errors = reference_errors(case.body)
    if case.rule.origin == "python":
        assert errors == set()
    else:
        assert (keyword_of(case.rule_id), case.rule.parameter) in errors
        assert {pattern for _, pattern in errors} == {case.rule.parameter}


_UNREACHABLE = vst.unreachable_rules()
_BY_PARAMETER: dict[str, list[str]] = defaultdict(list)
for _rule in rules():
    if _rule.id not in _UNREACHABLE:
        _BY_PARAMETER[_rule.parameter].append(_rule.id)


def test_the_coverage_groups_hold_every_reachable_rule() -> None:
    """Under the documented profile every rule is reachable, so the coverage test below
    covers the whole catalog; a rule the strategy cannot break fails here."""
    grouped = {rid for ids in _BY_PARAMETER.values() for rid in ids}
    assert grouped == {r.id for r in rules()}
    assert max(len(ids) for ids in _BY_PARAMETER.values()) <= 6


# find()'s own default budget (2000 examples), without its shrink phase: only whether
# the rule comes up is asked here, not the minimal body that breaks it.
_SEARCH = settings(database=None, max_examples=2000, phases=(Phase.generate,))


def strategy_for(rule_ids: list[str]) -> Any:
    """invalid_bodies for the rejecting rules among ``rule_ids``, fail_list_bodies for the
    others (a parameter may have both, e.g. PhoneList[].Phone)."""
    by_outcome: dict[str, list[str]] = defaultdict(list)
    catalog = {r.id: r for r in rules()}
    for rid in rule_ids:
        by_outcome[catalog[rid].outcome].append(rid)
    parts = [vst.invalid_bodies(rules=ids, max_phones=20) if outcome == "reject"
             else vst.fail_list_bodies(rules=ids, max_phones=20)
             for outcome, ids in by_outcome.items()]
    return parts[0] if len(parts) == 1 else parts[0] | parts[1]


@pytest.mark.parametrize("parameter", sorted(_BY_PARAMETER))
def test_each_rule_is_produced_within_the_default_example_budget(parameter: str) -> None:
    """find() draws from the strategy for the parameter's rules until each one comes up.

    Per parameter, not over the whole catalog: 115 rules and one rule per body, and
    Hypothesis spends most of a run on mutations of a few base examples, so a single
    run sees only a part of the catalog. Nothing is forced: each rule must come out of
    invalid_bodies(rules=<its parameter's rules>) by itself, within find's budget.
    """
    strategy = strategy_for(_BY_PARAMETER[parameter])
    for rule_id in _BY_PARAMETER[parameter]:
        case = find(strategy, lambda c, rid=rule_id: c.rule_id == rid, settings=_SEARCH)
        check_label(case)


def test_unreachable_rules_are_listed_with_the_reason() -> None:
    assert vst.unreachable_rules() == {}
    off = vst.unreachable_rules("example-compatible")
    assert list(off) == ["PhoneList[].Phone:format"]
    assert "example-compatible" in off["PhoneList[].Phone:format"]
    custom = dataclasses.replace(DOCUMENTED, name="custom").disable(["Name:maxLength"])
    assert list(vst.unreachable_rules(custom)) == ["Name:maxLength"]
    with pytest.raises(ValueError, match="cannot be broken"):
        vst.invalid_bodies(custom, rules=["Name:maxLength"])
    with pytest.raises(ValueError, match="cannot be broken"):
        vst.fail_list_bodies("example-compatible", rules=["PhoneList[].Phone:format"])
    sdk = vst.unreachable_rules("sdk-compatible")
    assert list(sdk) == ["Name:minLength", "NumberPoolNo:minLength", "Resource:minLength"]
    assert "erratum 11" in sdk["Resource:minLength"]
    with pytest.raises(ValueError, match="unknown rule"):
        vst.invalid_bodies(rules=["Nope:maximum"])


def test_shrinking_keeps_the_rule_and_moves_to_the_boundary() -> None:
    case = find_(vst.invalid_bodies(rules=["RingAgainTimes:maximum"], max_phones=5),
                lambda c: "SmsConfig" in c.body)
    assert case.rule_id == "RingAgainTimes:maximum"
    assert case.body["RingAgainTimes"] == 6  # maximum + 1: the edge of the broken region
    assert (case.code, case.parameter) == ("InvalidParameter", "RingAgainTimes")
    check_label(case)


def test_shrinking_across_rules_keeps_each_example_consistent() -> None:
    """The rule is drawn first, so the shrinker may move to another rule; every
    candidate it tries is still a body that breaks exactly its own labelled rule."""
    some = [r.id for r in rules() if r.parameter.startswith(("ForbidTimeList", "RingAgain"))]
    case = find_(vst.invalid_bodies(rules=some, max_phones=5),
                lambda c: c.code == "ForbidTimeParseFail")
    assert case.rule_id.startswith("ForbidTimeList[].Times[]:")
    check_label(case)


def test_breaking_follows_a_changed_bound() -> None:
    patched = dataclasses.replace(DOCUMENTED, name="patched", schema_patches=(
        ("/properties/RingAgainTimes/maximum", 3),))
    case = find_(vst.invalid_bodies(patched, rules=["RingAgainTimes:maximum"], max_phones=5),
                lambda c: True)
    assert case.body["RingAgainTimes"] == 4
    check_label(case, patched)


def test_rule_objects_are_accepted_too() -> None:
    (rule,) = [r for r in rules() if r.id == "EndTime:not-before-start"]

    @given(vst.invalid_bodies(rules=[rule], max_phones=5))
    def run(case: vst.InvalidBody) -> None:
        assert case.body["EndTime"] < case.body["StartTime"]
        check_label(case)

    run()
