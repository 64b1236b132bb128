"""Reading what a client surfaced, whatever its shape: a dict, an object, an exception.

A result may be the vendor's envelope (``{"ResponseMetadata": ..., "Result": ...}``), its
``Result`` alone, or an object with ``task_open_id`` / ``fail_list`` attributes (any of
``TaskOpenId``, ``task_open_id``, ``task_id``); FailList entries likewise dicts or objects
with index, phone and type. An error carries a code when it has a ``code`` attribute equal
to it, or names it in its text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["envelope_error", "error_chain", "error_code_of", "fail_entries", "task_id_of"]

_MISSING = object()


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return _MISSING


def _result(obj: Any) -> Any:
    inner = _get(obj, "Result", "result")
    return obj if inner is _MISSING else inner


def envelope_error(obj: Any) -> Any:
    """The ``ResponseMetadata.Error`` a result still carries (returned as data), or None."""
    meta = _get(obj, "ResponseMetadata", "response_metadata")
    if meta is _MISSING:
        return None
    error = _get(meta, "Error", "error")
    return None if error is _MISSING or not error else error


def task_id_of(obj: Any) -> Any:
    if isinstance(obj, str):
        return obj
    found = _get(_result(obj), "TaskOpenId", "task_open_id", "task_id", "id")
    return None if found is _MISSING else found


def fail_entries(obj: Any) -> list[tuple[Any, Any, Any]] | None:
    """(index, phone, type) of each FailList entry surfaced; None: no FailList at all."""
    if isinstance(obj, str):
        return None
    items = _get(_result(obj), "FailList", "fail_list", "failed", "failures")
    if items is _MISSING or items is None:
        return None
    out = []
    for item in items:
        fields = (_get(item, "Index", "index"), _get(item, "Phone", "phone"),
                  _get(item, "Type", "type", "reason"))
        out.append(tuple(None if f is _MISSING else f for f in fields))
    return out  # type: ignore[return-value]


def error_chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def error_code_of(error: BaseException, code: str) -> bool:
    """Whether ``error`` carries the vendor code ``code``."""
    for exc in error_chain(error):
        if _get(exc, "code", "error_code", "Code") == code:
            return True
        if code in str(exc) or any(code in str(arg) for arg in exc.args):
            return True
    return False
