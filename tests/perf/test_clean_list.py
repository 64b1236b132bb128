"""The clean-list schema only ever proves what the FailList rules would find.

The validator first checks a body against the clean-list schema (``_clean_list``): the
contract's schema plus a common, certainly-clean shape for each phone. Its patterns run
inside jsonschema-rs (Rust regexes), so these tests check the compiled patterns
themselves, not a Python reading of them: every text the object pattern accepts is one
orjson parses as an object, every phone the phone pattern accepts is well formed and has
no country code. Then whole bodies: the validator gives exactly what its general path
(the clean-list schema switched off) gives, bytes in and parsed value in, under every
profile and with FailList rules switched off.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import vmsspec
from tests.perf.test_contract_fast_paths import clean_item, json_texts
from tests.perf.test_contract_fast_paths import item as odd_item
from vmsspec.contract import _python_rules as pr
from vmsspec.contract._clean_list import FLAT_OBJECT, NATIONAL_NUMBER
from vmsspec.contract._profiles import PROFILES
from vmsspec.contract._validator import RequestValidator

flat_object = jsonschema_rs.validator_for({"type": "string", "pattern": FLAT_OBJECT}).is_valid
national = jsonschema_rs.validator_for({"type": "string", "pattern": NATIONAL_NUMBER}).is_valid


def parses_as_object(text: str) -> bool:
    try:
        return isinstance(orjson.loads(text), dict)
    except orjson.JSONDecodeError:
        return False


json_scalars = (st.text(max_size=8) | st.integers() | st.floats(allow_nan=False)
                | st.booleans() | st.none())
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)


@st.composite
def object_like_texts(draw: st.DrawFn) -> str:
    """JSON object texts in many spellings, then often broken by one edit: the texts the
    pattern must judge right are the ones near its edge."""
    value = draw(st.dictionaries(st.text(max_size=6), json_values, max_size=4))
    separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]))
    text = json.dumps(value, separators=separators, ensure_ascii=draw(st.booleans()))
    text = draw(st.sampled_from(["", " ", "\r\n"])) + text + draw(st.sampled_from(["", "\n"]))
    edit = draw(st.sampled_from(["none", "insert", "delete", "replace"]))
    if edit != "none" and text:
        at = draw(st.integers(0, len(text) - 1))
        char = draw(st.sampled_from([*'{}[]",:\\ \n\x00\x1f0-1e.tu', "\ud800", "é"]))
        text = {"insert": text[:at] + char + text[at:], "delete": text[:at] + text[at + 1:],
                "replace": text[:at] + char + text[at + 1:]}[edit]
    return text


@settings(max_examples=1500, deadline=None)
@given(text=object_like_texts() | st.text(max_size=30) | json_texts)
@example('{"a":"\n"}')             # raw control character inside a string
@example('{"a":"\\ud800"}')        # escapes are never proven (lone surrogate here)
@example('{"a":1e999}')            # out of range for a double
@example('{"a":12345678901234567}')  # 17 digits: beyond what the pattern proves
@example('{"a":01}')
@example('{"a":1,}')
@example('{"k":"},{"j":1}')
@example('{}\n')
@example('\ufeff{}')               # a BOM is not JSON whitespace
@example('{"\x7f\ufffe\U0010ffff": null}')
def test_object_pattern_accepts_only_texts_orjson_parses_as_objects(text: str) -> None:
    try:
        accepted = flat_object(text)
    except UnicodeEncodeError:
        return  # a lone surrogate cannot reach Rust: the validator then takes its general path
    if accepted:
        assert parses_as_object(text)


@pytest.mark.parametrize("text", ['{"code":"1234"}', "{}", '{"code": "1234", "n": -5}',
                                  ' {\n "a" : true ,"b":null}\n', '{"名":"值"}'])
def test_object_pattern_proves_the_usual_parameter_texts(text: str) -> None:
    assert flat_object(text)  # else the fast path would never be taken for them


@settings(max_examples=1000, deadline=None)
@given(phone=st.text(alphabet="0123456789+8\n ", max_size=16)
       | st.from_regex(r"\+?[0-9]{9,14}\n?", fullmatch=True)
       | st.from_regex(pr.PHONE_PATTERN, fullmatch=True) | st.text(max_size=14))
@example("13800138000\n")
@example("12345678901")
@example("0012345678")      # a fixed line's area code does not start with 0
@example("0101234567890")   # 13 digits: one too many for a fixed line
@example("8613800138000")
@example("+8613800138000")
@example("１３８００１３８０００")  # fullwidth digits: not [0-9]
def test_phone_pattern_accepts_only_well_formed_numbers_without_country_code(
        phone: str) -> None:
    try:
        accepted = national(phone)
    except UnicodeEncodeError:
        return
    if accepted:
        assert pr.PHONE_PATTERN.fullmatch(phone) is not None
        assert pr.number_key(phone) == phone


@pytest.mark.parametrize("phone", ["13800138000", "19912345678", "0101234567", "075512345678"])
def test_phone_pattern_proves_mobile_and_fixed_line_numbers(phone: str) -> None:
    assert national(phone)


BASE = json.loads(vmsspec.example_bytes())


EDGE_PHONES = ["13800138000", "13800000000", "8613800000000", "13900139001", "8613800138000",
               "+8613800138000", "0101234567", "12000000000", "1380013800", "138001380000",
               "0012345678", "0101234567890", "13800138000\n", "12345678", ""]
EDGE_TEXTS = ['{"code":"1"}', "{}", ' {"a": [1, {"b": null}]} ', "[]", '"text"', "1", "", "{",
              '{"k":"', '"},{"j":1}', '{"a":1},{"b":2}', "null", '{"\\ud800":1}',
              '{"code": "1"}', '{"a":{"b":1}}', '{"a":"\n"}', '{"a":1.5}', '{"a":"\\u0041"}',
              '{"a":12345678901234567}', '{"a":-0}', '{"a":true,"b":false}']
edge_phones = st.sampled_from(EDGE_PHONES)
edge_texts = json_texts | st.sampled_from(EDGE_TEXTS)
_ABSENT = object()


@st.composite
def edge_item(draw: st.DrawFn) -> dict[str, Any]:
    """A clean item with one field moved to an edge (or dropped): the clean-list schema
    must then either prove the item or leave it to the general path."""
    item: dict[str, Any] = {"Phone": f"139{draw(st.integers(0, 10**8 - 1)):08d}",
                            "PhoneParamJson": '{"a":1}', "TtsContent": "hi"}
    field = draw(st.sampled_from(["Phone", "PhoneParamJson", "SmsParamJson", "TtsContent"]))
    value = draw({"Phone": edge_phones, "PhoneParamJson": edge_texts | st.just(_ABSENT),
                  "SmsParamJson": edge_texts,
                  "TtsContent": st.sampled_from(["", "x", _ABSENT])}[field])
    if value is _ABSENT:
        del item[field]
    else:
        item[field] = value
    return item


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Valid example bodies whose PhoneList is mostly clean with a few items near the
    clean-list schema's edges, and Type / Unique values around the ones it reads."""
    items = draw(st.lists(clean_item, max_size=20))
    for odd in draw(st.lists(edge_item() | odd_item, max_size=3)):
        items.insert(draw(st.integers(0, len(items))), odd)
    if items and draw(st.booleans()):  # one item again, elsewhere: a repeat for Unique
        items.insert(draw(st.integers(0, len(items))), dict(draw(st.sampled_from(items))))
    body: dict[str, Any] = {**BASE, "PhoneList": items}
    body["Type"] = draw(st.sampled_from([0, 1, 3, 3.0]))
    unique = draw(st.sampled_from([True, False, 1, None]))
    if unique is None:
        del body["Unique"]
    else:
        body["Unique"] = unique
    if draw(st.booleans()):
        body["DryRun"] = True
    if draw(st.integers(0, 9)) == 0:
        body["PhoneList"] = [*items, {"Phone": "13800138000", "Extra": 1}]  # schema-invalid
    return body


def general(validator: RequestValidator) -> RequestValidator:
    """The same validator with the clean-list schema switched off: the general path."""
    plain = RequestValidator(validator.profile)
    plain._clean_list = None
    return plain


fail_rule_ids = st.sets(st.sampled_from([r.id for r in pr.FAIL_ITEM_RULES]), max_size=2)
validators = st.builds(RequestValidator, st.sampled_from(list(PROFILES)),
                       disable=fail_rule_ids)


@settings(max_examples=300, deadline=None)
@given(body=bodies(), validator=validators)
def test_validator_answers_as_its_general_path(body: dict[str, Any],
                                               validator: RequestValidator) -> None:
    reference = general(validator)
    expected = reference(body)
    assert validator(body) == expected
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert validator(raw) == reference(raw) == expected


EDGE_VALUES: dict[str, list[Any]] = {
    "Phone": EDGE_PHONES, "PhoneParamJson": [*EDGE_TEXTS, _ABSENT], "SmsParamJson": EDGE_TEXTS,
    "TtsContent": ["", "x", _ABSENT],
}


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_edge_value_alone_in_a_clean_list(profile: str) -> None:
    # One edge at a time, among clean items, every field, Type 3 or not, Unique or not:
    # the deterministic counterpart of the property above.
    validator = RequestValidator(profile)
    reference = general(validator)
    for field, values in EDGE_VALUES.items():
        for value in values:
            edge = {"Phone": "13912345678", "PhoneParamJson": '{"a":1}', "TtsContent": "hi"}
            if value is _ABSENT:
                del edge[field]
            else:
                edge[field] = value
            # 13800000000 again, as itself or with its country code, is a repeat;
            # 20 phones take the long-list shortcuts
            for size in (3, 20):
                phones = [{"Phone": f"138{i:08d}", "TtsContent": "t"} for i in range(size)]
                for type_, unique in ((0, True), (3, False), (3.0, True)):
                    body = {**BASE, "Type": type_, "Unique": unique,
                            "PhoneList": [phones[0], edge, *phones[1:]]}
                    assert validator(body) == reference(body), (field, value, type_, unique)


def test_the_common_shapes_take_the_fast_path() -> None:
    validator = vmsspec.request_validator()
    assert validator._clean_list is not None
    body = {**BASE, "Type": 3, "PhoneList": [
        {"Phone": f"138{i:08d}", "PhoneParamJson": f'{{"code":"{i}"}}', "TtsContent": "hi"}
        for i in range(50)]}
    assert validator._clean_list[True](body)
    assert validator._clean_list[False](BASE)
    # the example's repeated phone is still reported, by the general FailList
    assert [f.index for f in validator(vmsspec.example_bytes()).fail_list] == [2]
