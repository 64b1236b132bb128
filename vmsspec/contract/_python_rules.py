"""Rules JSON Schema cannot state: calendar dates, time ranges, per-phone outcomes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from itertools import repeat
from operator import is_not, itemgetter
from typing import Any

import orjson

from .._errors import error_code
from .._schemas import load_schema
from ._model import FailItem, Rule

__all__ = [
    "FAIL_ITEM_RULES",
    "PHONE_PATTERN",
    "REJECT_RULES",
    "RejectRule",
    "fail_list",
    "no_reject_findings",
    "number_key",
    "repeated_phones",
]

Finding = tuple[Sequence[str | int], str]
"""(concrete parameter path, detail) of one defect."""

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class RejectRule:
    rule: Rule
    check: Callable[[Mapping[str, Any]], list[Finding]]
    """Returns the findings (a list, not a generator: this runs on every request). It
    runs on any object body, schema-valid or not, so it checks the shapes it relies on;
    a finding on a parameter the schema already reported is dropped."""


def _reject(rule_id: str, code: str, source: str, description: str,
            errata: tuple[int, ...] = ()) -> Callable[
                [Callable[[Mapping[str, Any]], list[Finding]]], RejectRule]:
    error_code(code)

    def wrap(check: Callable[[Mapping[str, Any]], list[Finding]]) -> RejectRule:
        parameter = rule_id.split(":", 1)[0]
        rule = Rule(rule_id, parameter, code, "reject", source, description, "python", errata)
        return RejectRule(rule, check)

    return wrap


def _parse_datetime(value: Any) -> datetime | None:
    return _parse_datetime_text(value) if isinstance(value, str) else None


_DATETIME = re.compile(load_schema("request")["$defs"]["DateTime"]["pattern"])


# strptime costs ~9 µs a call and each value is parsed by two rules; a client sends
# the same few timestamps again and again.
@lru_cache(maxsize=4096)
def _parse_datetime_text(value: str) -> datetime | None:
    # strptime also takes "2025-6-1 9:00:00": only the documented shape is a time here,
    # so a malformed StartTime is one violation (its pattern), not also EndTime's order.
    if _DATETIME.fullmatch(value) is None:
        return None
    try:
        return datetime.strptime(value, DATETIME_FORMAT)
    except ValueError:
        return None


def _calendar(name: str) -> RejectRule:
    @_reject(f"{name}:calendar", "InvalidParameter",
             "seed table (a date and time, yyyy-MM-dd HH:mm:ss): it must exist on the calendar",
             f"{name} is a real calendar date and time (no 2025-02-30, no 24:00:00)")
    def check(body: Mapping[str, Any]) -> list[Finding]:
        value = body.get(name)
        if isinstance(value, str) and _parse_datetime_text(value) is None:
            return [((name,), f"{value!r} is not a real date and time")]
        return []

    return check


START_CALENDAR = _calendar("StartTime")
END_CALENDAR = _calendar("EndTime")


@_reject("EndTime:not-before-start", "InvalidParameter",
         "seed table (task start and end); equal times are accepted because the seed's own "
         "example sends StartTime == EndTime (erratum 7)",
         "EndTime is not earlier than StartTime", errata=(7,))
def _end_not_before_start(body: Mapping[str, Any]) -> list[Finding]:
    start, end = _parse_datetime(body.get("StartTime")), _parse_datetime(body.get("EndTime"))
    if start is not None and end is not None and end < start:
        return [(("EndTime",), f"{body['EndTime']!r} is before StartTime {body['StartTime']!r}")]
    return []


# The window shape is the schema's; this rule adds only that it is a real range.
_WINDOW = re.compile(
    load_schema("request")["$defs"]["ForbidTime"]["properties"]["Times"]["items"]["pattern"]
)


@lru_cache(maxsize=4096)
def _backwards(window: str) -> bool:
    # A value that breaks the pattern is the schema rule's to report. Zero-padded
    # HH:mm strings compare as text exactly as the times they spell. Cached: a client
    # sends the same few windows on every request (the regex was most of this rule).
    return _WINDOW.fullmatch(window) is not None and window[:5] >= window[6:]


@_reject("ForbidTimeList[].Times[]:range", "ForbidTimeParseFail",
         "vendor page (HH:mm-HH:mm windows); a window must start before it ends: one that "
         "crosses midnight is two windows (vmsspec reading)",
         "each no-call window starts before it ends")
def _forbid_time_range(body: Mapping[str, Any]) -> list[Finding]:
    windows = body.get("ForbidTimeList")
    findings: list[Finding] = []
    if not isinstance(windows, list):
        return findings
    for i, window in enumerate(windows):
        times = window.get("Times") if isinstance(window, dict) else None
        if not isinstance(times, list):
            continue
        for j, value in enumerate(times):
            if isinstance(value, str) and _backwards(value):
                findings.append((("ForbidTimeList", i, "Times", j),
                                 f"{value!r} does not start before it ends"))
    return findings


REJECT_RULES: tuple[RejectRule, ...] = (
    START_CALENDAR, END_CALENDAR, _end_not_before_start, _forbid_time_range,
)


def no_reject_findings(body: Mapping[str, Any]) -> bool:
    """Whether every rule of REJECT_RULES finds nothing in ``body``: their exact tests in
    one call (the hot path: a valid request), each time parsed once."""
    start, end = body.get("StartTime"), body.get("EndTime")
    started = ended = None
    if isinstance(start, str):
        started = _parse_datetime_text(start)
        if started is None:
            return False
    if isinstance(end, str):
        ended = _parse_datetime_text(end)
        if ended is None:
            return False
    if started is not None and ended is not None and ended < started:
        return False
    return not _forbid_time_range.check(body)

# Mainland China numbers, the only ones VMS calls: an 11-digit mobile number
# (optionally with the 86 country code) or a fixed line with its 0-prefixed area code
# (10 to 12 digits in all). The seed's examples "12345678" and "qOUFbQIX0Oo" fail
# this (erratum 10); the example-compatible profile switches the rule off.
PHONE_PATTERN = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}|0[1-9][0-9]{8,10}")

FORMAT = Rule(
    "PhoneList[].Phone:format", "PhoneList[].Phone", "INVALID_PHONE_FORMAT", "fail-item",
    "vms page (INVALID_PHONE_FORMAT); the number plan is a vmsspec reading: a mainland mobile "
    "number (optional 86) or a 0-prefixed fixed line", "the phone is a mainland China number",
    "python", (10,),
)
DUPLICATE = Rule(
    "PhoneList[].Phone:unique", "PhoneList[].Phone", "REDUPLICATED_ITEM", "fail-item",
    "seed table (Unique: 号码去重, de-duplicate numbers) and return example "
    "(REDUPLICATED_ITEM, 重复项目); a mobile number with and without its 86 / +86 country "
    "code is one number: a vmsspec reading",
    "with Unique true, a phone whose number was seen earlier in the list (13800138000, "
    "8613800138000 and +8613800138000 are one number) is reported at its later index",
    "python",
)

# The number a phone dials, for Unique: a mainland mobile number loses its country code.
# Unique exists so that nobody is called twice, and these forms ring the same line. Fixed
# lines take no country code in PHONE_PATTERN, and any other string is compared as written.
_COUNTRY_CODE = re.compile(r"\+?86(1[3-9][0-9]{9})")


def number_key(phone: str) -> str:
    """``+8613800138000`` and ``8613800138000`` -> ``13800138000``; others unchanged."""
    if phone[:1] not in ("+", "8"):
        return phone
    match = _COUNTRY_CODE.fullmatch(phone)
    return match.group(1) if match else phone
PHONE_PARAM_JSON = Rule(
    "PhoneList[].PhoneParamJson:json-object", "PhoneList[].PhoneParamJson", "PARAM_NOT_JSON",
    "fail-item", "seed example (a string holding a JSON object) and vms page (PARAM_NOT_JSON)",
    "PhoneParamJson holds a JSON object", "python",
)
SMS_PARAM_JSON = Rule(
    "PhoneList[].SmsParamJson:json-object", "PhoneList[].SmsParamJson", "PARAM_NOT_JSON",
    "fail-item", "seed example (a string holding a JSON object) and vms page (PARAM_NOT_JSON)",
    "SmsParamJson holds a JSON object", "python",
)
TTS_CONTENT = Rule(
    "PhoneList[].TtsContent:required-when-Type-3", "PhoneList[].TtsContent", "TTS_EMPTY_CONTENT",
    "fail-item", "seed description (Type 3 is TTS) and vms page (TTS_EMPTY_CONTENT)",
    "with Type 3 every phone carries non-empty TtsContent", "python",
)

# Checked in this order; a phone gets at most one FailList entry, for the first failure.
FAIL_ITEM_RULES: tuple[Rule, ...] = (FORMAT, DUPLICATE, PHONE_PARAM_JSON, SMS_PARAM_JSON,
                                     TTS_CONTENT)

# Desc texts: the seed gives only 重复项目; the others are vmsspec's wording.
_DESC = {
    "INVALID_PHONE_FORMAT": "号码格式错误",
    "REDUPLICATED_ITEM": "重复项目",
    "PARAM_NOT_JSON": "参数不是JSON",
    "TTS_EMPTY_CONTENT": "TTS内容为空",
}


def _any_malformed(phones: list[str]) -> bool:
    # One regex pass over all phones joined by newlines (~0.3 ms for 10,000) tells
    # whether any is malformed; only then is each phone matched on its own (~3.5 ms).
    # (A positive match of the whole text, one phone and its newline repeated, is a third
    # cheaper than searching for a line that does not match.)
    joined = "\n".join(phones)
    return (joined.count("\n") != len(phones) - 1
            or _ALL_PHONES.fullmatch(joined + "\n") is None)


_ALL_PHONES = re.compile(rf"(?:(?:{PHONE_PATTERN.pattern})\n)*")


_is_present = partial(is_not, None)


def _all_json_objects(items: list[dict[str, Any]], field: str) -> bool:
    """Whether every item's ``field``, where present, holds a JSON object.

    The exact test (orjson itself), run over the whole list with no Python frame per
    item: ~2x cheaper than one ``_not_json_object`` call per phone, which only runs when
    this finds a bad value.
    """
    texts: list[Any]
    try:
        texts = list(map(itemgetter(field), items))  # every phone has it: the hot case
    except KeyError:
        texts = list(filter(_is_present, map(dict.get, items, repeat(field))))
    try:
        return set(map(type, map(orjson.loads, texts))) <= {dict}
    except (orjson.JSONDecodeError, TypeError):
        return False


def _may_carry_country_code(phones: list[str]) -> bool:
    """Whether any phone starts with "+" or "8" (one join and three searches, no loop)."""
    joined = "\n" + "\n".join(phones)
    return "\n+" in joined or "\n8" in joined


def _not_json_object(text: str | None) -> bool:
    if text is None:
        return False
    try:
        return not isinstance(orjson.loads(text), dict)
    except orjson.JSONDecodeError:
        return True


def repeated_phones(body: Mapping[str, Any], disabled: frozenset[str],
                    phones_are_keys: bool) -> list[FailItem]:
    """fail_list for a schema-valid ``body`` whose phones are known to fail no other
    FailList rule: the entries rule PhoneList[].Phone:unique gives (with Unique on, each
    phone whose number was seen earlier). ``phones_are_keys``: no phone carries a
    country code, so each phone is its own de-duplication key."""
    items: list[dict[str, Any]] | None = body.get("PhoneList")
    if body.get("Unique") is not True or DUPLICATE.id in disabled or not items or len(items) < 2:
        return []
    if len(items) > 16:  # a long list: one set() shows there is no repeat, no loop
        if phones_are_keys:
            if len(set(map(itemgetter("Phone"), items))) == len(items):
                return []
        else:
            phones = list(map(itemgetter("Phone"), items))
            if _may_carry_country_code(phones):
                phones = list(map(number_key, phones))
            if len(set(phones)) == len(phones):
                return []
    seen: set[str] = set()
    found: list[FailItem] = []
    for index, item in enumerate(items):
        phone = item["Phone"]
        key = phone if phones_are_keys else number_key(phone)
        if key in seen:
            found.append(FailItem(index, phone, DUPLICATE.code, DUPLICATE.id,
                                  _DESC[DUPLICATE.code]))
        else:
            seen.add(key)
    return found


def fail_list(body: Mapping[str, Any], disabled: frozenset[str]) -> list[FailItem]:
    """The FailList the contract expects for a schema-valid body.

    One pass over the phones; each takes the first rule it fails, in
    FAIL_ITEM_RULES order: one entry per phone. The costly per-phone checks are
    skipped outright when a whole-list test shows no phone can fail them (10,000
    phones a request is the documented limit).
    """
    items: list[dict[str, Any]] | None = body.get("PhoneList")
    if not items:
        return []
    if len(items) <= 16:
        return _short_fail_list(items, body, disabled)
    phones = list(map(itemgetter("Phone"), items))
    # A whole-list regex pass pays off only on long lists; short ones are matched one by one.
    check_format = FORMAT.id not in disabled and (len(phones) <= 16 or _any_malformed(phones))
    keys = phones
    if body.get("Unique") is True and _may_carry_country_code(phones):
        keys = [number_key(p) for p in phones]
    check_repeats = (body.get("Unique") is True and DUPLICATE.id not in disabled
                     and len(set(keys)) != len(keys))
    # On a long list, each per-phone check below runs only when a whole-list test says
    # some phone may fail it; when none may, the loop is skipped (a clean 10,000-phone
    # list is the hot case). A short list is cheaper checked phone by phone.
    long_list = len(items) > 16
    check_phone_json = PHONE_PARAM_JSON.id not in disabled and (
        not long_list or not _all_json_objects(items, "PhoneParamJson"))
    check_sms_json = SMS_PARAM_JSON.id not in disabled and (
        not long_list or not _all_json_objects(items, "SmsParamJson"))
    check_tts = body.get("Type") == 3 and TTS_CONTENT.id not in disabled and (
        not long_list or not all(map(dict.get, items, repeat("TtsContent"))))
    if not (check_format or check_repeats or check_phone_json or check_sms_json or check_tts):
        return []
    is_phone = PHONE_PATTERN.fullmatch
    seen: set[str] = set()
    found: list[FailItem] = []
    for index, item in enumerate(items):
        phone = phones[index]
        rule: Rule | None
        if check_format and is_phone(phone) is None:
            rule = FORMAT
        elif check_repeats and keys[index] in seen:
            rule = DUPLICATE
        elif check_phone_json and _not_json_object(item.get("PhoneParamJson")):
            rule = PHONE_PARAM_JSON
        elif check_sms_json and _not_json_object(item.get("SmsParamJson")):
            rule = SMS_PARAM_JSON
        elif check_tts and not item.get("TtsContent"):
            rule = TTS_CONTENT
        else:
            rule = None
        if check_repeats:
            # A malformed phone in `seen` is harmless: its repeats fail the format first.
            seen.add(keys[index])
        if rule is not None:
            found.append(FailItem(index, phone, rule.code, rule.id, _DESC[rule.code]))
    return found


def _short_fail_list(items: list[dict[str, Any]], body: Mapping[str, Any],
                     disabled: frozenset[str]) -> list[FailItem]:
    """fail_list's loop for a short list (most requests): no whole-list pre-tests, which
    only pay off on long lists, and nothing computed twice. Same rules, same order."""
    unique = body.get("Unique") is True
    check_format = FORMAT.id not in disabled
    check_repeats = unique and DUPLICATE.id not in disabled
    check_phone_json = PHONE_PARAM_JSON.id not in disabled
    check_sms_json = SMS_PARAM_JSON.id not in disabled
    check_tts = body.get("Type") == 3 and TTS_CONTENT.id not in disabled
    is_phone = PHONE_PATTERN.fullmatch
    seen: set[str] = set()
    found: list[FailItem] = []
    for index, item in enumerate(items):
        phone = item["Phone"]
        rule: Rule | None = None
        key = number_key(phone) if check_repeats else phone
        if check_format and is_phone(phone) is None:
            rule = FORMAT
        elif check_repeats and key in seen:
            rule = DUPLICATE
        elif check_phone_json and _not_json_object(item.get("PhoneParamJson")):
            rule = PHONE_PARAM_JSON
        elif check_sms_json and "SmsParamJson" in item and _not_json_object(
                item["SmsParamJson"]):
            rule = SMS_PARAM_JSON
        elif check_tts and not item.get("TtsContent"):
            rule = TTS_CONTENT
        if check_repeats:
            seen.add(key)
        if rule is not None:
            found.append(FailItem(index, phone, rule.code, rule.id, _DESC[rule.code]))
    return found
