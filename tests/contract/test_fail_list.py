"""Per-phone outcomes: the call succeeds and the phone is listed in Result.FailList."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.breakers import FULL_BODY
from vmsspec.contract import validate_request
from vmsspec.contract._python_rules import PHONE_PATTERN


def body_with(phones: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body = copy.deepcopy(FULL_BODY)
    body["PhoneList"] = phones
    body.update(extra)
    return body


def outcomes(body: dict[str, Any], **kw: Any) -> list[tuple[int, str]]:
    expectation = validate_request(body, **kw)
    assert expectation.ok, expectation.violations
    return [(f.index, f.type) for f in expectation.fail_list]


def test_repeated_phone_is_reported_on_each_later_occurrence() -> None:
    phones = [{"Phone": p, "TtsContent": "t"} for p in
              ["13800000001", "13800000002", "13800000001", "13800000001"]]
    assert outcomes(body_with(phones, Unique=True)) == [(2, "REDUPLICATED_ITEM"),
                                                        (3, "REDUPLICATED_ITEM")]
    assert outcomes(body_with(phones, Unique=False)) == []
    del_unique = body_with(phones)
    del del_unique["Unique"]
    assert outcomes(del_unique) == []


@pytest.mark.parametrize("phone", ["13800138000", "8613800138000", "+8613800138000",
                                   "01012345678", "0755123456"])
def test_mainland_numbers_are_accepted(phone: str) -> None:
    assert outcomes(body_with([{"Phone": phone, "TtsContent": "t"}])) == []


@pytest.mark.parametrize("phone", ["12345678", "qOUFbQIX0Oo", "", "1380013800", "23800138000",
                                   "138001380001", "１３８００１３８０００", "13800138000\n"])
def test_other_phone_strings_are_invalid_format(phone: str) -> None:
    assert outcomes(body_with([{"Phone": phone, "TtsContent": "t"}])) == [
        (0, "INVALID_PHONE_FORMAT")]


def test_format_rule_can_be_switched_off() -> None:
    body = body_with([{"Phone": "qOUFbQIX0Oo", "TtsContent": "t"}])
    assert outcomes(body, disable=["PhoneList[].Phone:format"]) == []


def test_invalid_format_phones_do_not_count_as_seen() -> None:
    phones = [{"Phone": "123", "TtsContent": "t"}, {"Phone": "123", "TtsContent": "t"}]
    assert outcomes(body_with(phones, Unique=True)) == [(0, "INVALID_PHONE_FORMAT"),
                                                        (1, "INVALID_PHONE_FORMAT")]


@pytest.mark.parametrize("text", ["[]", "1", "\"s\"", "{", "", "null"])
def test_param_json_must_hold_an_object(text: str) -> None:
    for key in ("PhoneParamJson", "SmsParamJson"):
        phones = [{"Phone": "13800138000", "TtsContent": "t", key: text}]
        assert outcomes(body_with(phones)) == [(0, "PARAM_NOT_JSON")]


def test_tts_content_is_needed_only_for_type_3() -> None:
    phones = [{"Phone": "13800138000"}, {"Phone": "13800138001", "TtsContent": ""},
              {"Phone": "13800138002", "TtsContent": "hi"}]
    assert outcomes(body_with(phones, Type=3)) == [(0, "TTS_EMPTY_CONTENT"),
                                                   (1, "TTS_EMPTY_CONTENT")]
    assert outcomes(body_with(phones, Type=1)) == []


def test_one_entry_per_phone_first_rule_wins() -> None:
    phones = [{"Phone": "13800138000", "TtsContent": "t"},
              {"Phone": "13800138000", "PhoneParamJson": "nope"},
              {"Phone": "bad", "PhoneParamJson": "nope"}]
    assert outcomes(body_with(phones, Type=3, Unique=True)) == [
        (1, "REDUPLICATED_ITEM"), (2, "INVALID_PHONE_FORMAT")]


def test_fail_list_is_empty_when_the_request_is_rejected() -> None:
    body = body_with([{"Phone": "bad"}])
    del body["Name"]
    expectation = validate_request(body)
    assert not expectation.ok
    assert expectation.fail_list == ()


# -- the one-pass implementation against the rules read one phone at a time ----------

_FAIL_RULE_IDS = ["PhoneList[].Phone:format", "PhoneList[].Phone:unique",
                  "PhoneList[].PhoneParamJson:json-object",
                  "PhoneList[].SmsParamJson:json-object",
                  "PhoneList[].TtsContent:required-when-Type-3"]
_PHONES = ["13800138000", "13900139000", "8613800138000", "+8613800138000", "0755123456",
           "123", "bad", ""]


def _dialled(phone: str) -> str:
    """The README's Unique reading: a mobile number with its 86 / +86 is the same number."""
    national = phone.removeprefix("+").removeprefix("86")
    if national != phone and len(national) == 11 and national.startswith("1"):
        return national
    return phone
_JSON_TEXTS = [None, "{}", '{"a":1}', "[]", "{", "null"]


def _first_failure(items: list[dict[str, Any]], index: int, unique: bool, type_: int,
                   disabled: set[str]) -> str | None:
    """The documented rules, applied naively to the phone at ``index``."""
    def well_formed(phone: str) -> bool:
        return "PhoneList[].Phone:format" in disabled or bool(PHONE_PATTERN.fullmatch(phone))

    def not_object(text: str | None) -> bool:
        if text is None:
            return False
        try:
            return not isinstance(json.loads(text), dict)
        except ValueError:
            return True

    item = items[index]
    if not well_formed(item["Phone"]):
        return "INVALID_PHONE_FORMAT"
    earlier = [_dialled(i["Phone"]) for i in items[:index] if well_formed(i["Phone"])]
    if (unique and "PhoneList[].Phone:unique" not in disabled
            and _dialled(item["Phone"]) in earlier):
        return "REDUPLICATED_ITEM"
    for key in ("PhoneParamJson", "SmsParamJson"):
        if f"PhoneList[].{key}:json-object" not in disabled and not_object(item.get(key)):
            return "PARAM_NOT_JSON"
    if (type_ == 3 and "PhoneList[].TtsContent:required-when-Type-3" not in disabled
            and not item.get("TtsContent")):
        return "TTS_EMPTY_CONTENT"
    return None


_items = st.lists(
    st.fixed_dictionaries(
        {"Phone": st.sampled_from(_PHONES)},
        optional={"PhoneParamJson": st.sampled_from(_JSON_TEXTS[1:]),
                  "SmsParamJson": st.sampled_from(_JSON_TEXTS[1:]),
                  "TtsContent": st.sampled_from(["", "hello"])}),
    min_size=1, max_size=12)


@given(items=_items, unique=st.booleans(), type_=st.sampled_from([0, 1, 3]),
       disabled=st.sets(st.sampled_from(_FAIL_RULE_IDS)))
def test_fail_list_matches_the_rules_applied_phone_by_phone(
        items: list[dict[str, Any]], unique: bool, type_: int, disabled: set[str]) -> None:
    expected = [(i, code) for i in range(len(items))
                if (code := _first_failure(items, i, unique, type_, disabled)) is not None]
    body = body_with(items, Unique=unique, Type=type_)
    assert outcomes(body, disable=sorted(disabled)) == expected


def test_unique_treats_a_mobile_number_with_its_country_code_as_the_same_number() -> None:
    phones = [{"Phone": "13800138000"}, {"Phone": "8613800138000"},
              {"Phone": "+8613800138000"}, {"Phone": "+8613900139000"},
              {"Phone": "13900139000"}, {"Phone": "01012345678"}, {"Phone": "861012345678"}]
    body = body_with(phones, Type=0, Unique=False)
    assert outcomes(body) == [(6, "INVALID_PHONE_FORMAT")]  # no Unique: no repeats
    assert outcomes({**body, "Unique": True}) == [
        (1, "REDUPLICATED_ITEM"), (2, "REDUPLICATED_ITEM"), (4, "REDUPLICATED_ITEM"),
        (6, "INVALID_PHONE_FORMAT")]  # a fixed line takes no country code
    # opaque phones (format rule off) are compared as written
    opaque = body_with([{"Phone": "86abc"}, {"Phone": "abc"}], Type=0, Unique=True)
    assert outcomes(opaque, disable=["PhoneList[].Phone:format"]) == []
