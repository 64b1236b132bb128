"""Body rewrites a lenient profile applies before validation (errata 2, 3 and 11).

Each returns the body unchanged (the same object) when there is nothing to rewrite, so
the documented profile and well-formed bodies pay nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import orjson

from .._schemas import load_schema

__all__ = ["COERCIONS", "SDK_OBJECT_FIELDS", "SDK_UNSET_VALUES", "coerce", "sdk_wire_shape"]

_DIGITS = re.compile(r"-?[0-9]{1,18}")


@cache
def _integer_properties() -> tuple[str, ...]:
    props = load_schema("request")["properties"]
    return tuple(name for name, sub in props.items() if sub.get("type") == "integer")


def integer_strings(body: dict[str, Any]) -> dict[str, Any]:
    """Erratum 2: the seed example sends ``"MaxRingDuration": "20"`` for an Integer."""
    out = body
    for name in _integer_properties():
        value = body.get(name)
        if isinstance(value, str) and _DIGITS.fullmatch(value):
            if out is body:
                out = dict(body)
            out[name] = int(value)
    return out


def _splice(items: Any) -> Any:
    """``["[\\"a\\",\\"b\\"]", "c"]`` -> ``["a", "b", "c"]``; anything else unchanged."""
    if not isinstance(items, list) or not any(
        isinstance(i, str) and i.startswith("[") for i in items
    ):
        return items
    out: list[Any] = []
    for item in items:
        if isinstance(item, str) and item.startswith("["):
            try:
                decoded = orjson.loads(item)
            except orjson.JSONDecodeError:
                decoded = None
            if isinstance(decoded, list) and all(isinstance(d, str) for d in decoded):
                out.extend(decoded)
                continue
        out.append(item)
    return out


def json_array_strings(body: dict[str, Any]) -> dict[str, Any]:
    """Erratum 3: the seed example puts a JSON-encoded array inside a string item of
    ``NumberList`` and of ``ForbidTimeList[].Times``."""
    out = body
    numbers = _splice(body.get("NumberList"))
    if numbers is not body.get("NumberList"):
        out = dict(body)
        out["NumberList"] = numbers
    windows = body.get("ForbidTimeList")
    if isinstance(windows, list):
        new_windows = [
            {**w, "Times": _splice(w["Times"])}
            if isinstance(w, dict) and _splice(w.get("Times")) is not w.get("Times") else w
            for w in windows
        ]
        if any(a is not b for a, b in zip(new_windows, windows, strict=True)):
            if out is body:
                out = dict(body)
            out["ForbidTimeList"] = new_windows
    return out


# Erratum 11: what the vendor's hand-written Go client (volc-sdk-golang
# service/vms/model.go, CreateTaskRequest) always sends, because those struct fields have
# no `omitempty`, and that means "not set" there. Only zero values the documented
# contract refuses are listed: Type 0, SelectNumberType 0 and Unique false are valid
# values with their documented meaning (audio file, whole pool, no de-duplication) and
# are kept. Read as absent, a required one is then MissingParameter, which is what a Go
# caller who forgot to set it needs to hear.
SDK_UNSET_VALUES: dict[str, object] = {
    "Name": "", "Resource": "", "NumberPoolNo": "", "Concurrency": 0, "SelectNumberRule": 0,
}

# Erratum 11: the hand-written Go and Java clients' PhoneList item (model.go PhoneParam,
# volc-sdk-java vms/request/PhoneParam.java) carries the parameters as JSON objects under
# these names; the seed's item carries the same objects as JSON text.
SDK_OBJECT_FIELDS: dict[str, str] = {"PhoneParam": "PhoneParamJson", "SmsParam": "SmsParamJson"}


_NO_VALUE = object()


def _without_nulls(item: Any) -> Any:
    if isinstance(item, dict) and None in item.values():
        return {k: v for k, v in item.items() if v is not None}
    return item


def _sdk_item(item: Any) -> Any:
    item = _without_nulls(item)
    if not isinstance(item, dict) or not SDK_OBJECT_FIELDS.keys() & item.keys():
        return item
    out = dict(item)
    for sdk_name, seed_name in SDK_OBJECT_FIELDS.items():
        value = out.get(sdk_name)
        # Both names at once is no client's shape: left as it is, PhoneParam is then an
        # unknown parameter, and so is a PhoneParam that is not an object.
        if isinstance(value, dict) and seed_name not in out:
            del out[sdk_name]
            out[seed_name] = orjson.dumps(value).decode()
    return out


def _sdk_list(items: Any, rewrite: Callable[[Any], Any]) -> Any:
    if not isinstance(items, list):
        return items
    new = [rewrite(i) for i in items]
    return items if all(a is b for a, b in zip(new, items, strict=True)) else new


def sdk_wire_shape(body: dict[str, Any]) -> dict[str, Any]:
    """Erratum 11: the hand-written Go and Java SDKs' serialization, read as the seed's.

    ``null`` anywhere in the body or in a PhoneList / ForbidTimeList / SmsConfig item is
    an absent parameter (Go writes a nil pointer, slice or map as ``null``); the Go
    client's zero values in :data:`SDK_UNSET_VALUES` are absent; a PhoneList item's
    ``PhoneParam`` / ``SmsParam`` object is its ``PhoneParamJson`` / ``SmsParamJson``.
    """
    out = body
    for name, value in body.items():
        unset = SDK_UNSET_VALUES.get(name, _NO_VALUE)
        if value is None or (type(value) is type(unset) and value == unset):
            if out is body:
                out = dict(body)
            del out[name]
    for name, rewrite in (("PhoneList", _sdk_item), ("ForbidTimeList", _without_nulls),
                          ("SmsConfig", _without_nulls)):
        items = out.get(name)
        new = _sdk_list(items, rewrite)
        if new is not items:
            if out is body:
                out = dict(body)
            out[name] = new
    return out


COERCIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "integer-strings": integer_strings,
    "json-array-strings": json_array_strings,
    "sdk-wire-shape": sdk_wire_shape,
}


def coerce(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        body = COERCIONS[name](body)
    return body
