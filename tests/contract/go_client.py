"""Request bodies exactly as the vendor's hand-written Go and Java VMS clients send them.

Go: ``volc-sdk-golang`` (commit 26924eb5, 2026-07-30), ``service/vms/model.go``
(``CreateTaskRequest``, ``PhoneParam``, ``ForbidTimeItem``, ``JsonTime``) and
``service/vms/wrapper.go`` (``doJson``: ``reqJ, _ := json.Marshal(req)``). The structs are
transcribed below field for field, in declaration order, with their ``json`` tags, and
serialized by the rules of Go's ``encoding/json``:

- struct fields in declaration order, named by the field name (no tag renames one here);
- a field without ``omitempty`` is always written, at its zero value when unset: ``""``,
  ``0``, ``false``, and ``null`` for a nil pointer, slice or map;
- ``omitempty`` leaves out ``false``, ``0``, ``""``, nil and empty slices and maps;
- compact output (no spaces); map keys sorted; non-ASCII written as raw UTF-8;
- strings escaped with HTML safety on (json.Marshal's default): ``<`` ``>`` ``&`` as
  ``\\u003c`` ``\\u003e`` ``\\u0026``, U+2028 / U+2029 as ``\\u2028`` / ``\\u2029``, ``\\n``
  ``\\r`` ``\\t`` ``\\b`` ``\\f`` short, other control characters as ``\\u00XX``;
- ``*JsonTime`` marshals itself as ``"2006-01-02 15:04:05"`` (model.go ``MarshalJSON``),
  and a nil one is ``null``.

Java: ``volc-sdk-java`` (commit 5ca39f48, 2026-08-20), ``vms/request/CreateTaskRequest.java``,
``PhoneParam.java``, ``ForbidTimeItem.java``, serialized by fastjson's
``JSONObject.toJSONString`` (``VmsServiceImpl.doJson``): null fields are left out, the
builder's defaults (Start true, MaxRingDuration 20, RingAgainTimes 0, RingAgainInterval 5,
Unique false, Type 0) are sent, dates use the field's ``yyyy-MM-dd HH:mm:ss`` format and
fields are written in name order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["go_create_task", "go_marshal", "java_create_task"]


@dataclass(frozen=True)
class GoField:
    name: str
    kind: str
    """``string``, ``int32``, ``bool``, ``*JsonTime``, ``map``, ``[]string``, ``[]int32``,
    ``[]*PhoneParam`` or ``[]*ForbidTimeItem``."""
    omitempty: bool = False


# type PhoneParam struct (model.go): no tags at all.
PHONE_PARAM = (
    GoField("Phone", "string"),
    GoField("PhoneParam", "map"),
    GoField("TtsContent", "string"),
    GoField("Ext", "string"),
    GoField("SmsParam", "map"),
)

# type ForbidTimeItem struct (model.go).
FORBID_TIME_ITEM = (
    GoField("Weekdays", "[]int32", omitempty=True),
    GoField("Times", "[]string"),
)

# type CreateTaskRequest struct (model.go).
CREATE_TASK_REQUEST = (
    GoField("Name", "string"),
    GoField("PhoneList", "[]*PhoneParam"),
    GoField("Resource", "string"),
    GoField("StartTime", "*JsonTime"),
    GoField("EndTime", "*JsonTime"),
    GoField("Concurrency", "int32"),
    GoField("Start", "bool", omitempty=True),
    GoField("MaxRingDuration", "int32", omitempty=True),
    GoField("RingAgainTimes", "int32", omitempty=True),
    GoField("RingAgainInterval", "int32", omitempty=True),
    GoField("Unique", "bool"),
    GoField("ForbidTimeList", "[]*ForbidTimeItem", omitempty=True),
    GoField("NumberPoolNo", "string"),
    GoField("NumberList", "[]string", omitempty=True),
    GoField("SelectNumberType", "int32"),
    GoField("SelectNumberRule", "int32"),
    GoField("Type", "int32"),
    GoField("FinishWhenListEnd", "bool", omitempty=True),
)

_ZERO: dict[str, Any] = {"string": "", "int32": 0, "bool": False}
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                  "\b": "\\b", "\f": "\\f"}
_HTML_AND_SEPARATORS = {"<", ">", "&", "\u2028", "\u2029"}


def go_string(text: str) -> str:
    """A string as encoding/json writes it with HTML escaping (encodeState.string)."""
    out = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20 or ch in _HTML_AND_SEPARATORS:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_marshal(value: Any) -> str:
    """An ``interface{}`` value (map[string]interface{}, []interface{}, string, int, bool,
    nil) as encoding/json writes it."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return go_string(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{go_string(k)}:{go_marshal(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(go_marshal(v) for v in value) + "]"
    raise TypeError(f"no Go encoding for {type(value).__name__}")


def _is_empty(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind in _ZERO:
        return bool(value == _ZERO[kind])
    return kind.startswith(("[]", "map")) and len(value) == 0


def _field(kind: str, value: Any) -> str:
    if value is None:  # a nil pointer, slice or map; a scalar's zero value
        return "null" if kind not in _ZERO else go_marshal(_ZERO[kind])
    if kind == "*JsonTime":
        assert isinstance(value, datetime)
        return '"' + value.strftime("%Y-%m-%d %H:%M:%S") + '"'
    if kind == "[]*PhoneParam":
        return "[" + ",".join(go_struct(PHONE_PARAM, item) for item in value) + "]"
    if kind == "[]*ForbidTimeItem":
        return "[" + ",".join(go_struct(FORBID_TIME_ITEM, item) for item in value) + "]"
    return go_marshal(value)


def go_struct(fields: Sequence[GoField], values: Mapping[str, Any]) -> str:
    """A struct whose set fields are ``values``; the rest keep Go's zero value."""
    unknown = set(values) - {f.name for f in fields}
    if unknown:
        raise KeyError(f"the Go struct has no field(s) {sorted(unknown)}")
    parts = []
    for f in fields:
        value = values.get(f.name)
        if f.omitempty and _is_empty(f.kind, value):
            continue
        parts.append(f"{go_string(f.name)}:{_field(f.kind, value)}")
    return "{" + ",".join(parts) + "}"


def go_create_task(**fields: Any) -> bytes:
    """The body ``Vms.CreateTask(&CreateTaskRequest{...})`` sends, ``fields`` set.

    PhoneList items are mappings of PhoneParam fields; times are ``datetime`` values.
    """
    return go_struct(CREATE_TASK_REQUEST, fields).encode()


_JAVA_DEFAULTS = {"Start": True, "MaxRingDuration": 20, "RingAgainTimes": 0,
                  "RingAgainInterval": 5, "Unique": False, "Type": 0}
_JAVA_FIELDS = {"Name", "PhoneList", "Resource", "StartTime", "EndTime", "Concurrency", "Start",
                "MaxRingDuration", "RingAgainTimes", "RingAgainInterval", "Unique",
                "ForbidTimeList", "NumberPoolNo", "NumberList", "SelectNumberType", "Type",
                "FinishWhenListEnd", "CallRecordPostUrl"}


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_nulls(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


def java_create_task(**fields: Any) -> bytes:
    """The body ``VmsService.createTask(CreateTaskRequest.builder()...build())`` sends."""
    unknown = set(fields) - _JAVA_FIELDS
    if unknown:
        raise KeyError(f"the Java builder has no field(s) {sorted(unknown)}")
    body = _without_nulls({**_JAVA_DEFAULTS, **fields})
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
