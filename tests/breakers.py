"""Minimal bodies that break exactly one rule, for every rule in the catalog.

Test support, deliberately independent of ``vmsspec.strategies``: a deterministic,
hand-readable case per rule proves each rule is enforced alone, whatever the
generators do.
``FULL_BODY`` sets every documented parameter to a valid value, so every rule has a
value to break.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from vmsspec.contract import Rule
from vmsspec.contract._paths import BODY

__all__ = ["FULL_BODY", "break_rule"]

FULL_BODY: dict[str, Any] = {
    "Name": "Full body",
    "Resource": "tts-template-1",
    "NumberPoolNo": "NP123456",
    "StartTime": "2025-06-01 09:00:00",
    "EndTime": "2025-06-01 18:00:00",
    "Concurrency": 10,
    "Start": False,
    "FinishWhenListEnd": True,
    "Unique": True,
    "MaxRingDuration": 20,
    "RingAgainTimes": 2,
    "RingAgainInterval": 5,
    "Type": 3,
    "SelectNumberType": 1,
    "SelectNumberRule": 5,
    "NumberList": ["13344445555", "13255556666"],
    "PhoneList": [
        {"Phone": "13800138000", "PhoneParamJson": "{\"code\":\"1\"}",
         "SmsParamJson": "{\"code\":\"1\"}", "TtsContent": "您好", "Ext": "a"},
        {"Phone": "13900139000", "TtsContent": "您好"},
    ],
    "SmsConfig": [{"TemplateId": "T1", "Sign": "【ABCD】", "StatusSet": [0, 1]}],
    "ForbidTimeList": [{"Times": ["12:00-13:00"], "Weekdays": [1, 7]}],
    "CallRecordPostUrl": "https://example.com/cdr",
    "AudioPostUrl": "https://example.com/audio",
    "ClientToken": "token-1",
    "DryRun": False,
}


def _locate(body: Any, pattern: str) -> tuple[Any, str | int]:
    """The container and key of the first value matching ``pattern`` in ``body``."""
    steps: list[str | int] = []
    for part in pattern.split("."):
        name, brackets = part.split("[", 1) if "[" in part else (part, "")
        steps.append(name)
        steps.extend(0 for _ in range(brackets.count("]")))
    node = body
    for step in steps[:-1]:
        node = node[step]
    return node, steps[-1]


def _wrong_type(expected: str) -> Any:
    return 12345 if expected == "string" else "not-a-" + expected


def _distinct(template: Any, i: int) -> Any:
    if isinstance(template, str) and template.isdigit():
        return f"1{i:010d}"
    if isinstance(template, dict) and "Phone" in template:
        return {**template, "Phone": f"138{i:08d}"}
    return copy.deepcopy(template)


def _schema_breaker(keyword: str, value: Any) -> Callable[[Any, str | int], None]:
    def set_to(new: Callable[[Any], Any]) -> Callable[[Any, str | int], None]:
        def apply(container: Any, key: str | int) -> None:
            container[key] = new(container[key])
        return apply

    simple: dict[str, Callable[[Any], Any]] = {
        "type": lambda _: _wrong_type(value),
        "minimum": lambda _: value - 1,
        "maximum": lambda _: value + 1,
        "minLength": lambda _: "",
        "maxLength": lambda old: (old if isinstance(old, str) else "") + "9" * (value + 1),
        # "?" matches none of the schema's (anchored) patterns
        "pattern": lambda _: "?",
        "enum": lambda _: max(value) + 1,
        "const": lambda _: value + 1,
        "minItems": lambda _: [],
        "maxItems": lambda old: [_distinct(old[0], i) for i in range(value + 1)],
        "uniqueItems": lambda old: [old[0], copy.deepcopy(old[0])],
        "additionalProperties": lambda old: {**old, "Bogus": 1},
    }
    if keyword == "required":
        return lambda container, key: container.pop(key)
    if keyword in simple:
        return set_to(simple[keyword])
    raise NotImplementedError(f"no breaker for schema keyword {keyword!r}")


def _special(rule_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
    phones = body["PhoneList"]
    if rule_id == "NumberList:required-when-SelectNumberType-1":
        del body["NumberList"]
    elif rule_id == "NumberList:minItems-when-SelectNumberType-1":
        body["NumberList"] = []
    elif rule_id == "StartTime:calendar":
        body["StartTime"] = "2025-02-30 09:00:00"
    elif rule_id == "EndTime:calendar":
        body["EndTime"] = "2025-06-01 24:00:00"
    elif rule_id == "EndTime:not-before-start":
        body["EndTime"] = "2025-06-01 08:59:59"
    elif rule_id == "ForbidTimeList[].Times[]:range":
        body["ForbidTimeList"][0]["Times"] = ["13:00-12:00"]
    elif rule_id == "PhoneList[].Phone:format":
        phones[0]["Phone"] = "12345678"
    elif rule_id == "PhoneList[].Phone:unique":
        phones.append(copy.deepcopy(phones[0]))
    elif rule_id == "PhoneList[].PhoneParamJson:json-object":
        phones[0]["PhoneParamJson"] = "[1, 2]"
    elif rule_id == "PhoneList[].SmsParamJson:json-object":
        phones[0]["SmsParamJson"] = "{not json"
    elif rule_id == "PhoneList[].TtsContent:required-when-Type-3":
        phones[0]["TtsContent"] = ""
    else:
        return None
    return body


def break_rule(rule: Rule) -> Any:
    """A copy of FULL_BODY that breaks ``rule`` and no other.

    Schema rules are broken from their keyword and value (so a changed bound moves the
    breaking value with it); python rules have their own recipe here.
    """
    body = copy.deepcopy(FULL_BODY)
    special = _special(rule.id, body)
    if special is not None:
        return special
    if rule.origin != "schema":
        raise NotImplementedError(f"no breaker for rule {rule.id!r}")
    pattern, keyword = rule.id.rsplit(":", 1)
    if pattern == BODY:
        if keyword == "type":
            return [body]
        pattern = ""
    if keyword == "additionalProperties" and pattern == "":
        body["Bogus"] = 1
        return body
    if keyword == "additionalProperties":
        container, key = _locate(body, pattern)
        container[key] = {**container[key], "Bogus": 1}
        return body
    container, key = _locate(body, pattern)
    _schema_breaker(keyword, rule.value)(container, key)
    return body
