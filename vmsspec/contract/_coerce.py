"""Body rewrites a lenient profile applies before validation (errata 2 and 3).

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

__all__ = ["COERCIONS", "coerce"]

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


COERCIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "integer-strings": integer_strings,
    "json-array-strings": json_array_strings,
}


def coerce(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        body = COERCIONS[name](body)
    return body
