"""A derived schema that proves, in the one jsonschema-rs pass, that a body breaks no rule.

The FailList rules are Python (``_python_rules``): run over a 10,000-phone list they cost
more than parsing and schema-checking the body together (orjson for each PhoneParamJson,
the phone regex, one pass per field). Most lists are clean and in a common shape: mobile
numbers written without a country code, parameters as flat JSON objects. The *clean-list
schema* is the contract's own schema with that shape added to each PhoneList item's
fields (each keyword beside the field's own, or in an ``allOf`` there when the field
already has that keyword: it only ever adds constraints):

- ``Phone`` matches :data:`MOBILE` (a subset of ``PHONE_PATTERN``: rule
  PhoneList[].Phone:format cannot fire, and no phone has a country code, so each phone is
  its own de-duplication key);
- ``PhoneParamJson`` / ``SmsParamJson``, where present, match :data:`FLAT_OBJECT` (texts
  orjson parses as an object: the json-object rules cannot fire);
- with ``Type`` 3 (decided in Python, exactly as the rule does), ``TtsContent`` is present
  and not empty (rule PhoneList[].TtsContent:required-when-Type-3 cannot fire).

With every reject rule on, the body's times are proven too:

- ``StartTime`` / ``EndTime`` match :data:`CALENDAR_TIME` (real calendar dates and times:
  rules StartTime:calendar and EndTime:calendar cannot fire; and two such texts compare
  as text exactly as the times they spell, so the caller's ``EndTime >= StartTime`` on
  the strings decides rule EndTime:not-before-start);
- each ``ForbidTimeList[].Times[]`` window matches :data:`FORWARD_WINDOW` (it starts
  before it ends: rule ForbidTimeList[].Times[]:range cannot fire).

A rule switched off adds nothing. So a body valid under the clean-list schema is valid
under the contract's schema, fails no FailList rule but, with Unique, the repeats, and
no reject rule but the order of its two times: the caller checks those two. A body the
schema refuses proves nothing: the validator then takes its general path, which
decides. The fast test only ever says "certainly clean"; tests/perf/test_clean_list.py
holds both paths to the same answers.
"""
from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs

from ._python_rules import FORMAT, PHONE_PARAM_JSON, SMS_PARAM_JSON, TTS_CONTENT

__all__ = ["CALENDAR_TIME", "FLAT_OBJECT", "FORWARD_WINDOW", "MOBILE", "clean_list_validators"]

# An 11-digit mainland mobile number with no country code: the first branch of
# PHONE_PATTERN alone. (jsonschema-rs regexes are ECMA-262 and Rust: "$" is the end of
# the text only, so "13800138000\n" does not match, as it does not fullmatch in Python.)
MOBILE = r"^1[3-9][0-9]{9}$"

# A JSON object with string, integer, true, false or null members: RFC 8259's grammar
# restricted to what these texts usually hold, so every match is a JSON object orjson
# parses. Strings carry no escapes and no control character (those are where parsers
# differ: lone surrogates, "\u0000"); integers have at most 16 digits (an int64 in every
# parser); whitespace is JSON's four characters. Anything else (nested values, escapes,
# fractions) is simply not proven here and goes the general way.
_WS = r"[ \t\n\r]*"
_STRING = r'"[^"\\\x00-\x1f]*"'
_VALUE = rf"(?:{_STRING}|-?(?:0|[1-9][0-9]{{0,15}})|true|false|null)"
_MEMBER = rf"{_STRING}{_WS}:{_WS}{_VALUE}{_WS}"
FLAT_OBJECT = rf"^{_WS}\{{{_WS}(?:{_MEMBER}(?:,{_WS}{_MEMBER})*)?\}}{_WS}$"

# What datetime.strptime(value, "%Y-%m-%d %H:%M:%S") accepts (it refuses year 0, a day
# past the month's end, second 60 and 61), in the contract's zero-padded layout.
_YEAR = r"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
CALENDAR_TIME = rf"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29) {_CLOCK}$"


def _forward_windows() -> str:
    """"HH:mm-HH:mm" windows whose start is earlier than their end, as one regex.

    Without back-references a regex cannot say "the same digits again", so the windows
    are listed by where the two times first differ: a shared prefix of k digits, written
    out, then a smaller digit in the start than in the end, then any digits. Each such
    text has start < end as text, which for zero-padded times is start < end in time.
    Prefixes are those a valid time can have (the schema's pattern checks the layout):
    ~1,500 alternatives, which jsonschema-rs compiles into one automaton."""
    hours = [f"{h:02d}" for h in range(24)]
    prefixes = ["", "0", "1", "2", *hours, *(h + m for h in hours for m in "012345")]

    def clock(atoms: list[str]) -> str:
        return f"{atoms[0]}{atoms[1]}:{atoms[2]}{atoms[3]}"

    alternatives = []
    for prefix in prefixes:
        shared, free = list(prefix), ["[0-9]"] * (3 - len(prefix))
        for d in range(9):
            start = clock([*shared, str(d), *free])
            end = clock([*shared, f"[{d + 1}-9]", *free])
            alternatives.append(f"{start}-{end}")
    return "^(?:" + "|".join(alternatives) + ")$"


FORWARD_WINDOW = _forward_windows()

_ITEM_REF = "#/$defs/PhoneItem"
_WINDOWS_REF = "#/$defs/ForbidTime"
_FIELDS = ("Phone", "PhoneParamJson", "SmsParamJson", "TtsContent")
_TIMES = ("StartTime", "EndTime")


def _add(subschema: dict[str, Any], keyword: str, value: object) -> None:
    """Add one constraint to ``subschema``: beside its keywords when it has no such keyword
    yet (jsonschema-rs checks those in the same visit), else under its ``allOf``."""
    if keyword in subschema:
        subschema.setdefault("allOf", []).append({keyword: value})
    else:
        subschema[keyword] = value


def _clean_list_schema(schema: dict[str, Any], disabled: frozenset[str], tts: bool,
                       times: bool) -> dict[str, Any] | None:
    props = schema.get("properties", {})
    defs = schema.get("$defs", {})
    item = defs.get("PhoneItem")
    window = defs.get("ForbidTime", {}).get("properties", {}).get("Times", {}).get("items")
    if (props.get("PhoneList", {}).get("items") != {"$ref": _ITEM_REF}
            or props.get("ForbidTimeList", {}).get("items") != {"$ref": _WINDOWS_REF}
            or not isinstance(item, dict) or not isinstance(window, dict)
            or not all(isinstance(props.get(name), dict) for name in _TIMES)
            or not all(isinstance(item.get("properties", {}).get(name), dict)
                       for name in _FIELDS)):
        return None  # not the layout this was written for: no fast path, nothing wrong
    derived = copy.deepcopy(schema)
    item = derived["$defs"]["PhoneItem"]
    fields = item["properties"]
    if FORMAT.id not in disabled:
        _add(fields["Phone"], "pattern", MOBILE)
    if PHONE_PARAM_JSON.id not in disabled:
        _add(fields["PhoneParamJson"], "pattern", FLAT_OBJECT)
    if SMS_PARAM_JSON.id not in disabled:
        _add(fields["SmsParamJson"], "pattern", FLAT_OBJECT)
    if tts and TTS_CONTENT.id not in disabled:
        _add(fields["TtsContent"], "minLength", 1)
        if "TtsContent" not in item.get("required", ()):
            item["required"] = [*item.get("required", ()), "TtsContent"]
    if times:
        for name in _TIMES:
            _add(derived["properties"][name], "pattern", CALENDAR_TIME)
        _add(derived["$defs"]["ForbidTime"]["properties"]["Times"]["items"], "pattern",
             FORWARD_WINDOW)
    return derived


def clean_list_validators(schema: dict[str, Any], disabled: frozenset[str],
                          times: bool) -> tuple[Any, Any] | None:
    """``is_valid`` of the clean-list schema for a body whose Type is not 3 and for one
    whose Type is 3, or None when ``schema`` is not laid out as expected. ``times``: also
    prove the reject rules' times (every reject rule must be on)."""
    plain, tts = (_clean_list_schema(schema, disabled, t, times) for t in (False, True))
    if plain is None or tts is None:
        return None
    return (jsonschema_rs.validator_for(plain).is_valid,
            jsonschema_rs.validator_for(tts).is_valid)
