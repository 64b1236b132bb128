"""Test support: a second reading, independent of the contract core, of a FailList entry.

The strategies label bodies with ``validate_request``'s verdict; checking a label
against that same function again could not fail. This looks at the listed phone
itself and says whether it has the defect its FailList ``Type`` names.
"""

from __future__ import annotations

import json
from typing import Any

from vmsspec.contract._python_rules import PHONE_PATTERN

__all__ = ["has_defect"]


def _json_object(text: Any) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (TypeError, ValueError):
        return False


def _dialled(phone: str) -> str:
    """The number a phone rings: a 13-digit 86... or 14-character +86... mobile without
    its country code (the README's Unique decision)."""
    for code in ("+86", "86"):
        rest = phone[len(code):]
        if phone.startswith(code) and len(rest) == 11 and rest.isascii() and rest.isdigit() \
                and rest[0] == "1" and rest[1] in "3456789":
            return rest
    return phone


def has_defect(body: dict[str, Any], index: int, fail_type: str) -> bool:
    """Whether phone ``index`` of ``body`` has the defect FailList ``fail_type`` names."""
    phones = body["PhoneList"]
    item = phones[index]
    if fail_type == "INVALID_PHONE_FORMAT":
        return PHONE_PATTERN.fullmatch(item["Phone"]) is None
    if fail_type == "REDUPLICATED_ITEM":
        # Reported at the later index, and only when the body asks for de-duplication.
        earlier = {_dialled(p["Phone"]) for p in phones[:index]}
        return body.get("Unique") is True and _dialled(item["Phone"]) in earlier
    if fail_type == "PARAM_NOT_JSON":
        return any(name in item and not _json_object(item[name])
                   for name in ("PhoneParamJson", "SmsParamJson"))
    if fail_type == "TTS_EMPTY_CONTENT":
        # "3" is Type 3 under a profile that coerces digit strings.
        return body.get("Type") in (3, "3") and not item.get("TtsContent")
    raise ValueError(f"unknown FailList type {fail_type!r}")
