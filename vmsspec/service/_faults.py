"""Forced answers: the next N API calls, or the calls whose body matches, get a chosen answer.

Client tests need every documented answer on demand (issue 9 item 5): any catalog code
with its status and message, an HTTP 200 carrying ``ResponseMetadata.Error``, a gateway's
non-JSON 502 page, a dropped connection, a slow answer, a success with chosen FailList
entries. ``ReferenceService.respond_next`` builds one; ``force_from_json`` is the control
path's strict parser of the same fields; ``faults.inject`` (the older API) maps onto it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .._errors import ERROR_CODES
from .._schemas import load_schema

__all__ = ["FAULT_KINDS", "MAX_DELAY", "MAX_PENDING", "FaultQueue", "ForcedAnswer",
           "fail_types", "forced_answer", "parse_forced"]

FAULT_KINDS: tuple[str, ...] = ("internal-error", "throttle", "latency")
MAX_PENDING = 10_000
"""Forced answers pending at once (the sum of their counts): a runaway loop in a test
fails loudly instead of filling memory (issue 12 item 4)."""
MAX_DELAY = 60.0

Predicate = Callable[[Mapping[str, Any]], bool]


@lru_cache(maxsize=1)
def fail_types() -> tuple[str, ...]:
    """The FailList ``Type`` values the response schema allows (FACTS 4, vms page)."""
    item = load_schema("response")["$defs"]["FailItem"]
    return tuple(item["properties"]["Type"]["enum"])


@dataclass(frozen=True)
class ForcedAnswer:
    """One forced answer; ``label`` is what ``Exchange.fault`` records for it."""

    label: str
    code: str | None = None
    parameter: str | None = None
    status: int | None = None
    gateway_502: bool = False
    drop: bool = False
    delay: float = 0.0
    fail_items: tuple[tuple[int, str], ...] = ()
    when: Predicate | Mapping[str, Any] | None = None

    @property
    def replaces_answer(self) -> bool:
        """True when the call is answered without being acted on (nothing is created)."""
        return self.code is not None or self.gateway_502 or self.drop

    def matches(self, action: str, body: Mapping[str, Any] | None, *,
                trusted: bool = True) -> bool:
        """Whether this answer applies to a call of ``action`` with ``body``. An untrusted
        call (its signature refused, its body unread) takes only unconditional answers
        that replace the answer or delay it; a FailList shapes a CreateTask success."""
        if self.fail_items and (action != "CreateTask" or not trusted):
            return False
        if self.when is None:
            return True
        if body is None or not trusted:  # no parsed body: no condition on its fields holds
            return False
        if callable(self.when):
            return bool(self.when(body))
        return all(key in body and _same(body[key], value) for key, value in self.when.items())


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1`` (Python's ``True == 1`` would say it is)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return False
    return bool(a == b)  # 1 and 1.0 are one JSON number; "1" is not 1


def _label(code: str | None, status: int | None, gateway_502: bool, drop: bool,
           delay: float, fail_items: Sequence[tuple[int, str]]) -> str:
    if drop:
        return "drop"
    if gateway_502:
        return "gateway-502"
    if code is not None:
        return code if status is None else f"{code}@{status}"
    if fail_items:
        return "fail-items"
    return "delay" if delay else "none"


def forced_answer(code: str | None = None, *, parameter: str | None = None,
                  status: int | None = None, gateway_502: bool = False, drop: bool = False,
                  delay: float = 0.0, fail_items: Sequence[tuple[int, str]] = (),
                  when: Predicate | Mapping[str, Any] | None = None,
                  label: str | None = None) -> ForcedAnswer:
    """Check the arguments of ``respond_next`` and build the answer; ValueError on misuse."""
    kinds = [name for name, given in (("code", code is not None), ("gateway_502", gateway_502),
                                      ("drop", drop), ("fail_items", bool(fail_items))) if given]
    if len(kinds) > 1:
        raise ValueError(f"choose one of code, gateway_502, drop, fail_items; got {kinds}")
    if code is not None:
        entry = ERROR_CODES.get(code) if isinstance(code, str) else None
        if entry is None:
            raise ValueError(f"unknown error code {code!r}; the codes are vmsspec.ERROR_CODES")
        if parameter is not None and not entry.names_parameter:
            raise ValueError(f"{code}'s message names no parameter; drop parameter=")
        if parameter is None and entry.names_parameter and entry.default_parameter is None:
            raise ValueError(f"{code}'s message names a parameter: give parameter=")
    elif parameter is not None:
        raise ValueError("parameter= goes with code=")
    if parameter is not None and (not isinstance(parameter, str) or not parameter
                                  or not parameter.isprintable()):
        raise ValueError("parameter must be a non-empty printable string")
    if status is not None:
        if code is None:
            raise ValueError("status= overrides the status of a code=; give one")
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
            raise ValueError(f"status must be an integer from 200 to 599, not {status!r}")
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not math.isfinite(delay) \
            or not 0 <= delay <= MAX_DELAY:
        raise ValueError(f"delay must be a number of seconds from 0 to {MAX_DELAY:g}, "
                         f"not {delay!r}")
    items = _fail_items(fail_items)
    if when is not None and not callable(when) and not isinstance(when, Mapping):
        raise ValueError("when must be a predicate on the parsed body or a mapping of fields")
    return ForcedAnswer(label or _label(code, status, gateway_502, drop, delay, items),
                        code, parameter, status, bool(gateway_502), bool(drop), float(delay),
                        items, when)


def _fail_items(items: Sequence[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    known = fail_types()
    out: list[tuple[int, str]] = []
    for item in items:
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise ValueError(f"a fail item is (index, Type), not {item!r}")
        index, kind = item
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 10_000:
            raise ValueError(f"a fail item's index is an integer from 0 to 9999, not {index!r}")
        if kind not in known:
            raise ValueError(f"unknown FailList Type {kind!r}; known: {', '.join(known)}")
        out.append((index, kind))
    if len({i for i, _ in out}) != len(out):
        raise ValueError("each PhoneList index gets at most one forced fail item")
    return tuple(sorted(out))


def check_count(count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PENDING:
        raise ValueError(f"count must be an integer from 1 to {MAX_PENDING}, not {count!r}")
    return count


_FIELDS = ("code", "parameter", "status", "gateway_502", "drop", "delay", "fail_items",
           "count", "when")
_LEGACY = ("kind", "count", "latency")


def parse_forced(doc: object) -> tuple[ForcedAnswer, int]:
    """The control path's JSON: the fields of ``respond_next`` (``when`` an object of
    fields), or the older ``{"kind", "count", "latency"}``. Strict: ``1.9`` or ``true`` is
    no count, an unknown field is refused. ValueError with one line on bad input."""
    if not isinstance(doc, dict):
        raise ValueError("the body must be a JSON object")
    if "kind" in doc:
        unknown = sorted(set(doc) - set(_LEGACY))
        if unknown:
            raise ValueError(f"unknown field(s) beside kind: {', '.join(unknown)}; "
                             f"a kind takes only {', '.join(_LEGACY[1:])}")
        return legacy_fault(doc["kind"], doc.get("count", 1), doc.get("latency", 0.0))
    unknown = sorted(set(doc) - set(_FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(_FIELDS)}")
    for flag in ("gateway_502", "drop"):
        if not isinstance(doc.get(flag, False), bool):
            raise ValueError(f"{flag} must be true or false, not {doc[flag]!r}")
    for text in ("code", "parameter"):
        if doc.get(text) is not None and not isinstance(doc[text], str):
            raise ValueError(f"{text} must be a string, not {doc[text]!r}")
    when = doc.get("when")
    if when is not None and (not isinstance(when, dict) or not when):
        raise ValueError("when must be a non-empty object of body fields to match")
    items = doc.get("fail_items", [])
    if not isinstance(items, list):
        raise ValueError("fail_items must be a list of [index, Type] pairs")
    count = check_count(doc.get("count", 1))
    answer = forced_answer(
        doc.get("code"), parameter=doc.get("parameter"), status=doc.get("status"),
        gateway_502=doc.get("gateway_502", False), drop=doc.get("drop", False),
        delay=doc.get("delay", 0.0), fail_items=[tuple(i) if isinstance(i, list) else i
                                                 for i in items],
        when=when)
    return answer, count


def legacy_fault(kind: object, count: object = 1, latency: object = 0.0) -> tuple[
        ForcedAnswer, int]:
    """``faults.inject``'s kinds as forced answers (InternalError, Throttling, a delay)."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
    code = {"internal-error": "InternalError", "throttle": "Throttling"}.get(str(kind))
    return forced_answer(code, delay=latency, label=str(kind)), check_count(count)  # type: ignore[arg-type]


class FaultQueue:
    """Pending forced answers, oldest first; each API call takes the first that matches."""

    def __init__(self, limit: int = MAX_PENDING) -> None:
        self._entries: list[list[Any]] = []  # [ForcedAnswer, remaining count]
        self._pending = 0
        self._limit = limit
        self._lock = threading.Lock()

    def push(self, answer: ForcedAnswer, count: int = 1) -> int:
        check_count(count)
        with self._lock:
            if self._pending + count > self._limit:
                raise ValueError(f"too many forced answers pending ({self._pending} + {count} "
                                 f"> {self._limit}); reset the service or force fewer")
            self._entries.append([answer, count])
            self._pending += count
            return self._pending

    def inject(self, kind: str, count: int = 1, *, latency: float = 0.0) -> None:
        """The older API: ``internal-error`` (500), ``throttle`` (429) or ``latency``."""
        self.push(*legacy_fault(kind, count, latency))

    def take(self, action: str, body: Mapping[str, Any] | None, *,
             trusted: bool = True) -> ForcedAnswer | None:
        """The first pending answer that matches the call, consumed; None when none does."""
        with self._lock:
            for position, entry in enumerate(self._entries):
                answer: ForcedAnswer = entry[0]
                if answer.matches(action, body, trusted=trusted):
                    entry[1] -= 1
                    self._pending -= 1
                    if entry[1] == 0:
                        del self._entries[position]
                    return answer
        return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._pending = 0

    def __len__(self) -> int:
        return self._pending

    def __bool__(self) -> bool:
        # Read without the lock: a forced answer added concurrently with a call may apply
        # to that call or the next, either is fine; taking one is locked.
        return self._pending > 0
