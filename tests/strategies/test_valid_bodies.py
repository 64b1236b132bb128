"""valid_bodies / labelled_bodies: accepted by the contract and the JSON Schema, and varied."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import Phase, find, given, settings

from tests.strategies.fail_items import has_defect
from vmsspec import DOCUMENTED, EXAMPLE_COMPATIBLE, load_schema, rules, validate_request
from vmsspec import strategies as vst
from vmsspec.contract import SDK_COMPATIBLE
from vmsspec.contract._coerce import coerce
from vmsspec.contract._python_rules import PHONE_PATTERN
from vmsspec.contract._validator import _apply_patches

# find() hands back what it found through Hypothesis's failure path, which reprs the
# whole example; a body with thousands of phones then triggers this warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# find()'s default budget (2000 examples), without shrinking: only whether something
# comes up is asked.
_SEARCH = settings(database=None, max_examples=2000, phases=(Phase.generate,))

# find() runs Hypothesis's explain phase, which re-runs the predicate hundreds of
# times to describe which parts of a failing example matter; a minimal example is all
# these tests look at.
_FIND = settings(database=None, max_examples=2000, phases=(Phase.generate, Phase.shrink))


def find_(strategy: Any, condition: Any) -> Any:
    return find(strategy, condition, settings=_FIND)


SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(load_schema("request"))
REQUIRED = {"Name", "Resource", "NumberPoolNo", "StartTime", "EndTime", "Concurrency"}
OPTIONAL = [r.parameter for r in rules() if r.id.endswith(":type") and "." not in r.parameter
            and "[" not in r.parameter and r.parameter not in REQUIRED | {"body"}]


@given(vst.valid_bodies())
def test_valid_bodies_pass_the_validator(body: dict[str, Any]) -> None:
    """Default size distribution: up to 10,000 phones, checked by jsonschema-rs + Python rules."""
    expectation = validate_request(body)
    assert expectation.ok, expectation.violations


# Python's jsonschema needs ~1.5 s for a 10,000-phone body; the cap keeps this test
# fast, and every value-level choice (the thing a second validator cross-checks) is
# the same with or without it.
@given(vst.valid_bodies(max_phones=300))
def test_valid_bodies_pass_the_reference_json_schema_validator(body: dict[str, Any]) -> None:
    errors = [e.message for e in SCHEMA_VALIDATOR.iter_errors(body)]
    assert errors == []
    assert validate_request(body).ok


@given(vst.labelled_bodies(max_phones=50))
def test_labelled_bodies_carry_the_contract_expectation(
    pair: tuple[dict[str, Any], Any]
) -> None:
    body, expectation = pair
    assert expectation == validate_request(body)
    assert expectation.ok
    assert expectation.status == (400 if body.get("DryRun") is True else 200)
    assert expectation.dry_run is (body.get("DryRun") is True)
    for item in expectation.fail_list:
        assert body["PhoneList"][item.index]["Phone"] == item.phone
        # not the contract's word again: the listed phone really has that defect
        assert has_defect(body, item.index, item.type), item


@pytest.mark.parametrize("outcome", ["INVALID_PHONE_FORMAT", "REDUPLICATED_ITEM",
                                     "PARAM_NOT_JSON", "TTS_EMPTY_CONTENT"])
def test_every_fail_list_outcome_comes_up(outcome: str) -> None:
    """Searched for, within find()'s default budget: a single 100-example run is mostly
    mutations of a few base examples, too few to show four outcomes every time."""
    body, expectation = find(
        vst.labelled_bodies(max_phones=20),
        lambda pair: outcome in {f.type for f in pair[1].fail_list},
        settings=_SEARCH,
    )
    assert expectation == validate_request(body)
    assert expectation.ok  # a FailList outcome never rejects the request
    listed = [f for f in expectation.fail_list if f.type == outcome]
    assert all(has_defect(body, f.index, outcome) for f in listed), listed


def test_fail_items_false_gives_clean_phone_lists() -> None:
    @given(vst.labelled_bodies(max_phones=20, fail_items=False))
    def run(pair: tuple[dict[str, Any], Any]) -> None:
        assert pair[1].fail_list == ()

    run()


def _windows(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body.get("ForbidTimeList", ()))


# (what, optional parameters pinned in, predicate): each must come out of valid_bodies.
FEATURES: list[tuple[str, list[str], Callable[[dict[str, Any]], bool]]] = [
    *((f"RingAgainTimes {v}", ["RingAgainTimes"], lambda b, v=v: b["RingAgainTimes"] == v)
      for v in (0, 5)),
    *((f"RingAgainInterval {v}", ["RingAgainInterval"],
       lambda b, v=v: b["RingAgainInterval"] == v) for v in (5, 1440)),
    *((f"Type {v}", ["Type"], lambda b, v=v: b["Type"] == v) for v in (0, 1, 2, 3)),
    ("SelectNumberType 0", ["SelectNumberType"], lambda b: b["SelectNumberType"] == 0),
    ("SelectNumberType 1 with NumberList", ["SelectNumberType"],
     lambda b: b["SelectNumberType"] == 1 and len(b["NumberList"]) >= 1),
    ("Concurrency at int32 max", [], lambda b: b["Concurrency"] == 2**31 - 1),
    ("non-ASCII Name", [], lambda b: not b["Name"].isascii()),
    ("astral-plane Name", [], lambda b: any(ord(c) > 0xFFFF for c in b["Name"])),
    ("Name at maxLength", [], lambda b: len(b["Name"]) == 256),
    ("StartTime == EndTime", [], lambda b: b["StartTime"] == b["EndTime"]),
    ("leap day", [], lambda b: "-02-29 " in b["StartTime"]),
    ("year 0001", [], lambda b: b["StartTime"].startswith("0001-")),
    ("window with Weekdays", ["ForbidTimeList"],
     lambda b: any("Weekdays" in w for w in _windows(b))),
    ("window without Weekdays", ["ForbidTimeList"],
     lambda b: any("Weekdays" not in w for w in _windows(b))),
    ("whole-day window", ["ForbidTimeList"],
     lambda b: any("00:00-23:59" in w["Times"] for w in _windows(b))),
    ("empty ForbidTimeList", ["ForbidTimeList"], lambda b: b["ForbidTimeList"] == []),
    ("callback URL at maxLength", ["AudioPostUrl"], lambda b: len(b["AudioPostUrl"]) == 512),
    ("fixed-line and +86 phones", ["PhoneList"],
     lambda b: {p["Phone"][:1] for p in b["PhoneList"]} >= {"0", "+"}),
    ("empty PhoneList", ["PhoneList"], lambda b: b["PhoneList"] == []),
    *((f"{name} present", [], lambda b, n=name: n in b) for name in OPTIONAL),
]


@pytest.mark.parametrize(("what", "always", "predicate"), FEATURES,
                         ids=[f[0] for f in FEATURES])
def test_valid_bodies_cover_the_contract(
    what: str, always: list[str], predicate: Callable[[dict[str, Any]], bool]
) -> None:
    """Every parameter, boundaries, enum values, unicode, shapes: searched for with find()
    (its default budget), since one 100-example run is mostly mutations of a few base
    examples and cannot show all of these every time."""
    body = find(vst.valid_bodies(max_phones=30, always=always), predicate, settings=_SEARCH)
    assert validate_request(body).ok


def test_optional_parameters_are_also_absent() -> None:
    # The first example Hypothesis tries has every draw at zero: no optional parameter.
    assert set(find(vst.valid_bodies(), lambda b: True, settings=_SEARCH)) == REQUIRED


def test_always_and_never_pin_optional_parameters() -> None:
    @given(vst.valid_bodies(max_phones=5, always=["SmsConfig"], never=["PhoneList", "Type"]))
    def run(body: dict[str, Any]) -> None:
        assert "SmsConfig" in body
        assert "PhoneList" not in body and "Type" not in body

    run()
    with pytest.raises(ValueError, match="required"):
        vst.valid_bodies(never=["Name"])
    with pytest.raises(ValueError, match="unknown"):
        vst.valid_bodies(always=["Nmae"])


def test_the_size_distribution_is_skewed_small_and_reaches_the_maximum() -> None:
    sizes = [vst.skewed_size(u, 1, 10_000) for u in range(10_000)]
    assert sizes == sorted(sizes)  # monotone: shrinking the draw shrinks the list
    assert sizes[0] == 1 and sizes[-1] == 10_000
    assert sizes[len(sizes) // 2] <= 10
    assert sum(s == 10_000 for s in sizes) == 100  # 1%
    assert 300 < sum(sizes) / len(sizes) < 500
    assert [vst.skewed_size(u, 0, 3) for u in (0, 9_999)] == [0, 3]


def test_phone_list_sizes_follow_max_phones() -> None:
    sizes: set[int] = set()

    @given(vst.valid_bodies(max_phones=20, always=["PhoneList"], fail_items=False))
    def run(body: dict[str, Any]) -> None:
        sizes.add(len(body["PhoneList"]))

    run()
    assert max(sizes) <= 20 and 1 in sizes
    # The maximum itself is rare under Hypothesis's preference for small draws, but there.
    longest = find_(vst.valid_bodies(max_phones=20, always=["PhoneList"], fail_items=False),
                    lambda b: len(b["PhoneList"]) == 20)
    assert validate_request(longest).ok


def test_a_changed_bound_changes_what_is_generated() -> None:
    patched = dataclasses.replace(
        DOCUMENTED, name="patched",
        schema_patches=(("/properties/RingAgainTimes/maximum", 3),
                        ("/properties/PhoneList/maxItems", 4)),
    )
    seen: set[int] = set()

    @given(vst.valid_bodies(patched, always=["RingAgainTimes", "PhoneList"]))
    def run(body: dict[str, Any]) -> None:
        seen.add(body["RingAgainTimes"])
        assert len(body["PhoneList"]) <= 4
        assert validate_request(body, patched).ok

    run()
    assert max(seen) == 3


def test_a_pattern_with_no_structured_builder_is_refused() -> None:
    patched = dataclasses.replace(
        DOCUMENTED, name="patched",
        schema_patches=(("/$defs/CallerNumber/pattern", "^[0-9]{6}$"),),
    )
    with pytest.raises(vst.UnsupportedSchema, match="no structured generator"):
        vst.valid_bodies(patched)


_PATCHED = _apply_patches(load_schema("request"), EXAMPLE_COMPATIBLE.schema_patches)
_LENIENT_VALIDATOR = jsonschema.Draft202012Validator(_PATCHED)


@given(vst.valid_bodies("example-compatible", max_phones=30))
def test_example_compatible_bodies_pass_after_its_coercions(body: dict[str, Any]) -> None:
    assert validate_request(body, "example-compatible").ok
    coerced = coerce(copy.deepcopy(body), EXAMPLE_COMPATIBLE.coercions)
    assert _LENIENT_VALIDATOR.is_valid(coerced)


LENIENT_FORMS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "digit string": lambda b: isinstance(b.get("Concurrency"), str),
    "packed array": lambda b: any(n.startswith("[") for n in b.get("NumberList", ())),
    "opaque phone": lambda b: any(PHONE_PATTERN.fullmatch(p["Phone"]) is None
                                  for p in b.get("PhoneList", ())),
    "Weekdays 0": lambda b: any(0 in w.get("Weekdays", ()) for w in _windows(b)),
}


@pytest.mark.parametrize("form", LENIENT_FORMS)
def test_example_compatible_bodies_use_its_lenient_forms(form: str) -> None:
    body = find(vst.valid_bodies("example-compatible", max_phones=30), LENIENT_FORMS[form],
                settings=_SEARCH)
    assert validate_request(body, "example-compatible").ok
    assert not validate_request(body).ok or form == "opaque phone"


def test_shrinking_gives_a_minimal_readable_body() -> None:
    body = find_(vst.valid_bodies(), lambda b: len(b.get("PhoneList", ())) >= 3)
    assert set(body) == REQUIRED | {"PhoneList"}
    assert len(body["PhoneList"]) == 3
    assert body["Name"] == "a"  # seed 0: the simple values
    assert validate_request(body).ok



SDK_FORMS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "PhoneParam object": lambda b: any(isinstance(p.get("PhoneParam"), dict)
                                       for p in b.get("PhoneList") or ()),
    "SmsParam null": lambda b: any("SmsParam" in p and p["SmsParam"] is None
                                   for p in b.get("PhoneList") or ()),
    "top-level null": lambda b: None in b.values(),
    "SelectNumberRule 0": lambda b: b.get("SelectNumberRule") == 0,
}


@pytest.mark.parametrize("form", SDK_FORMS)
def test_sdk_compatible_bodies_use_the_sdks_wire_shape(form: str) -> None:
    body = find(vst.valid_bodies("sdk-compatible", max_phones=30), SDK_FORMS[form],
                settings=_SEARCH)
    assert validate_request(body, "sdk-compatible").ok
    assert not validate_request(body).ok  # each form is one documented refuses


@given(vst.labelled_bodies("sdk-compatible", max_phones=30))
def test_sdk_compatible_bodies_pass_with_the_fail_list_of_their_seed_shape(
        pair: tuple[dict[str, Any], Any]) -> None:
    body, expectation = pair
    assert expectation.ok and not expectation.dry_run
    seed_shaped = coerce(copy.deepcopy(body), SDK_COMPATIBLE.coercions)
    assert validate_request(seed_shaped).fail_list == expectation.fail_list
