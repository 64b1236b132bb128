"""A derived schema that proves, in the one jsonschema-rs pass, that no phone fails a rule.

The FailList rules are Python (``_python_rules``): run over a 10,000-phone list they cost
more than parsing and schema-checking the body together (orjson for each PhoneParamJson,
the phone regex, one pass per field). Most lists are clean and in a common shape:
mobile and fixed-line numbers without a country code, parameters as flat JSON objects.
The *clean-list schema* is the contract's own schema with that shape added to each PhoneList item's
fields (each keyword beside the field's own, or in an ``allOf`` there when the field
already has that keyword: it only ever adds constraints):

- ``Phone`` matches :data:`NATIONAL_NUMBER` (a subset of ``PHONE_PATTERN``: rule
  PhoneList[].Phone:format cannot fire, and no phone has a country code, so each phone is
  its own de-duplication key);
- ``PhoneParamJson`` / ``SmsParamJson``, where present, match :data:`FLAT_OBJECT` (texts
  orjson parses as an object: the json-object rules cannot fire);
- with ``Type`` 3 (decided in Python, exactly as the rule does), ``TtsContent`` is present
  and not empty (rule PhoneList[].TtsContent:required-when-Type-3 cannot fire).

A rule switched off adds nothing. So a body valid under the clean-list schema is valid
under the contract's schema and fails no FailList rule but, with Unique, the repeats,
which the caller still checks. A body the schema refuses proves nothing: the validator
then takes its general path, which decides. The fast test only ever says "certainly
clean"; tests/perf/test_clean_list.py holds both paths to the same answers.

Not here, measured and left out: the reject rules' times. A regex of exactly the real
calendar times saves the two cached strptime lookups but costs as much in Rust; one of
the no-call windows that start before they end (listed by first differing digit, ~1,500
alternatives) saves ~0.4 us a request but compiles to ~5 MB per validator.
"""
from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs

from ._python_rules import FORMAT, PHONE_PARAM_JSON, SMS_PARAM_JSON, TTS_CONTENT

__all__ = ["FLAT_OBJECT", "NATIONAL_NUMBER", "clean_list_validators"]

# A mainland number as dialled at home: an 11-digit mobile number with no country code or
# a 0-prefixed fixed line, PHONE_PATTERN without its "(?:\+?86)?" (so a phone is its own
# de-duplication key: number_key changes only "+"- or "8"-led numbers). jsonschema-rs
# regexes are ECMA-262 and Rust: "$" is the end of the text only, so "13800138000\n"
# does not match, as it does not fullmatch in Python. (+0.1 ms per 10,000 phones over the
# mobile branch alone; without it a list with one fixed line took the general path.)
NATIONAL_NUMBER = r"^(?:1[3-9][0-9]{9}|0[1-9][0-9]{8,10})$"

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

_ITEM_REF = "#/$defs/PhoneItem"
_FIELDS = ("Phone", "PhoneParamJson", "SmsParamJson", "TtsContent")


def _add(subschema: dict[str, Any], keyword: str, value: object) -> None:
    """Add one constraint to ``subschema``: beside its keywords when it has no such keyword
    yet (jsonschema-rs checks those in the same visit), else under its ``allOf``."""
    if keyword in subschema:
        subschema.setdefault("allOf", []).append({keyword: value})
    else:
        subschema[keyword] = value


def _clean_list_schema(schema: dict[str, Any], disabled: frozenset[str],
                       tts: bool) -> dict[str, Any] | None:
    items = schema.get("properties", {}).get("PhoneList", {}).get("items")
    item = schema.get("$defs", {}).get("PhoneItem")
    if items != {"$ref": _ITEM_REF} or not isinstance(item, dict) or not all(
            isinstance(item.get("properties", {}).get(name), dict) for name in _FIELDS):
        return None  # not the layout this was written for: no fast path, nothing wrong
    derived = copy.deepcopy(schema)
    item = derived["$defs"]["PhoneItem"]
    fields = item["properties"]
    if FORMAT.id not in disabled:
        _add(fields["Phone"], "pattern", NATIONAL_NUMBER)
    if PHONE_PARAM_JSON.id not in disabled:
        _add(fields["PhoneParamJson"], "pattern", FLAT_OBJECT)
    if SMS_PARAM_JSON.id not in disabled:
        _add(fields["SmsParamJson"], "pattern", FLAT_OBJECT)
    if tts and TTS_CONTENT.id not in disabled:
        _add(fields["TtsContent"], "minLength", 1)
        if "TtsContent" not in item.get("required", ()):
            item["required"] = [*item.get("required", ()), "TtsContent"]
    return derived


def clean_list_validators(schema: dict[str, Any],
                          disabled: frozenset[str]) -> tuple[Any, Any] | None:
    """``is_valid`` of the clean-list schema for a body whose Type is not 3 and for one
    whose Type is 3, or None when ``schema`` is not laid out as expected."""
    plain, tts = (_clean_list_schema(schema, disabled, t) for t in (False, True))
    if plain is None or tts is None:
        return None
    return (jsonschema_rs.validator_for(plain).is_valid,
            jsonschema_rs.validator_for(tts).is_valid)
