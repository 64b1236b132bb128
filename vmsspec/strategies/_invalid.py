"""Broken bodies: a valid body with exactly one rule broken, labelled by the contract core.

Two kinds, by what breaking the rule does: :func:`invalid_bodies` breaks a rejecting
rule (the request is answered 4xx), :func:`fail_list_bodies` a FailList rule (the request
succeeds, and the broken phones are listed in ``Result.FailList``).

An example is drawn as (rule, the draws of a valid body, depth). The rule comes
first, so whatever Hypothesis shrinks afterwards (parameters, phones, values, depth)
the body still breaks that rule: the breaker runs on every candidate. ``depth``
picks how far into the broken region the value goes; 0 is the boundary itself
(``maximum + 1``, ``maxLength + 1`` characters, the first malformed form).

The label is not decided here: :func:`vmsspec.validate_request` computes it, and an
example whose outcome is not exactly its rule is an error in this module, raised
rather than filtered so that it cannot hide.
"""

from __future__ import annotations

import copy
import re
import reprlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from ..contract import Expectation, FailItem, Profile, Rule, validate_request
from ..contract._coerce import SDK_UNSET_VALUES
from ..contract._paths import BODY, join
from ..contract._python_rules import (
    DUPLICATE,
    FORMAT,
    PHONE_PARAM_JSON,
    SMS_PARAM_JSON,
    TTS_CONTENT,
    _parse_datetime,
)
from ._spec import Spec, spec_for
from ._text import (
    CALLER_PATTERN,
    DATETIME_PATTERN,
    MIN_DATETIME,
    URL_PATTERN,
    WINDOW_PATTERN,
    Gen,
    format_datetime,
)
from ._valid import BAD_JSON, NUMBERS_MIN, NUMBERS_REQUIRED, BodyBuilder, field_of, same_number

__all__ = [
    "DEPTHS", "FailListBody", "InvalidBody", "fail_list_bodies", "invalid_bodies",
    "unreachable_rules",
]

DEPTHS = 16
"""Depth draws are integers in ``range(DEPTHS)``."""

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring = 4, 30, 5, 80
_SHORT.maxother = 80

_OFFSETS = (0, 1, 2, 9, 100, 2**31)
_LENGTH_OFFSETS = (0, 1, 2, 10, 100, 1000)
_ITEM_OFFSETS = (0, 1, 2, 7)

# Malformed values per schema pattern (keyed by its exact text, like the builders):
# near misses of the format, fullwidth digits, stray whitespace, the empty string.
_NOT_MATCHING: dict[str, tuple[str, ...]] = {
    DATETIME_PATTERN: (
        "2025-06-01T09:00:00", "2025/06/01 09:00:00", "2025-6-1 9:00:00", "",
        "20250601 090000", " 2025-06-01 09:00:00", "2025-06-01 09:00", "2025-06-01 09:00:00.000",
        "２０２５-06-01 09:00:00", "12025-06-01 09:00:00",
    ),
    CALLER_PATTERN: (
        "1234", "1" * 21, "+", "++12345", "12345a", " 12345", "", "１２３４５", "123 45",
        "-12345", "?",
    ),
    WINDOW_PATTERN: (
        "24:00-25:00", "9:00-10:00", "12:00~13:00", "12:00-13:00 ", "12:60-13:00", "",
        "1200-1300", "12:00", "12:00-13:00-14:00", "１２:00-13:00",
    ),
    URL_PATTERN: (
        "ftp://example.com", "https://", "https:// example.com", "example.com/cb",
        "http://a b", "", "//example.com", "HTTPS://example.com", "https://exa mple.com",
    ),
}

# On the pattern, but not on the calendar (StartTime:calendar, EndTime:calendar).
_NOT_ON_CALENDAR = (
    "2025-02-30 09:00:00", "2025-02-29 00:00:00", "1900-02-29 12:00:00", "2025-04-31 00:00:00",
    "2025-13-01 00:00:00", "2025-00-10 00:00:00", "2025-01-00 00:00:00", "2025-06-01 24:00:00",
    "2025-06-01 23:60:00", "2025-06-01 23:59:60", "0000-01-01 00:00:00",
)

_WRONG_TYPE: dict[str, tuple[Any, ...]] = {
    # No digit strings among them: a lenient profile would turn "12" into 12.
    "string": (12345, None, True, 1.5, [], {}, ["a"]),
    "integer": ("not a number", None, True, 1.5, [], {}, "", "1e3"),
    "boolean": ("true", 1, 0, None, [], {}, "false"),
    "array": ("a", 1, None, True, {}, "[]"),
    "object": ("x", 1, None, True, [], 0.5),
}


@dataclass(frozen=True, repr=False)
class _Case:
    body: Any
    rule: Rule
    code: str
    parameter: str
    status: int
    expectation: Expectation

    @property
    def rule_id(self) -> str:
        return self.rule.id

    def __repr__(self) -> str:
        # Bodies reach 10,001 phones: a full repr would bury the label in a failure
        # report. The label comes first; print case.body for the whole body.
        return (f"{type(self).__name__}(rule_id={self.rule_id!r}, code={self.code!r}, "
                f"parameter={self.parameter!r}, status={self.status}, "
                f"body={_SHORT.repr(self.body)})")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis's failure reports use this pretty-printer protocol, not __repr__.
        printer.text(repr(self))


@dataclass(frozen=True, repr=False)
class InvalidBody(_Case):
    """A body breaking exactly one rejecting ``rule``, and what must happen to it: HTTP
    ``status`` (4xx) with error ``code`` naming ``parameter``. ``expectation`` is the full
    verdict of :func:`vmsspec.validate_request`."""


@dataclass(frozen=True, repr=False)
class FailListBody(_Case):
    """A body breaking exactly one FailList ``rule``: the request succeeds (``status``
    200) and every listed phone is listed for that rule. ``code`` is the FailList
    ``Type``; ``parameter`` names the first listed phone's field (``PhoneList.3.Phone``);
    ``fail_list`` is the whole expected list."""

    @property
    def fail_list(self) -> tuple[FailItem, ...]:
        return self.expectation.fail_list


def unreachable_rules(profile: str | Profile = "documented") -> dict[str, str]:
    """Rule ids neither :func:`invalid_bodies` nor :func:`fail_list_bodies` can produce
    under ``profile``, with the reason.

    Every rule of the catalog can be broken alone (the rule-coverage test holds this
    to account) except those the profile switches off, and, under a profile that reads
    the SDKs' zero values as absent (``sdk-compatible``), a minimum length of 1 on such a
    parameter: the one string that breaks it, ``""``, is read as no value at all.
    """
    spec = spec_for(profile)
    out = {rid: f"switched off by profile {spec.profile.name!r}: nothing breaks it"
           for rid in spec.disabled & spec.catalog.keys()}
    if "sdk-wire-shape" in spec.coercions:
        for name, unset in SDK_UNSET_VALUES.items():
            rid = f"{name}:minLength"
            if unset == "" and spec.value(rid) == 1 and rid not in out:
                out[rid] = (f"profile {spec.profile.name!r} reads {name} \"\" as absent "
                            f"(erratum 11): no string is shorter and present")
    return dict(sorted(out.items()))


class _Breaker:
    def __init__(self, spec: Spec, builder: BodyBuilder) -> None:
        self.spec = spec
        self.builder = builder
        # Under sdk-compatible, null and the Go zero values are read as absent: a broken
        # value must not be one of them, or it would break `required` instead (or nothing).
        self.sdk_shape = "sdk-wire-shape" in spec.coercions
        calendar_pattern = spec.node("StartTime").get("pattern", DATETIME_PATTERN)
        # On the profile's pattern, so that only the calendar rule is broken.
        self.not_on_calendar = tuple(
            v for v in _NOT_ON_CALENDAR
            if re.search(calendar_pattern, v) and _parse_datetime(v) is None
        )
        # Per parameter, the malformed values that break its pattern and nothing else
        # (they fit its maxLength); empty when none do, refused only if that rule is drawn.
        self.not_matching: dict[str, tuple[str, ...]] = {}
        for node in spec.nodes.values():
            pattern = node.get("pattern")
            if isinstance(pattern, str):
                regex = re.compile(pattern)
                limit = int(node.get("maxLength", 1 << 20))
                self.not_matching[node.pattern] = tuple(
                    v for v in _NOT_MATCHING.get(pattern, ())
                    if regex.search(v) is None and len(v) <= limit
                )

    # -- locating (and creating) the value a rule is about ------------------------------

    def _walk(self, body: dict[str, Any], pattern: str, gen: Gen) -> tuple[Any, str | int]:
        """The container and key of one value matching ``pattern``, created if missing.

        Missing parameters and empty lists on the way are filled with valid values, so
        the rule's value exists to be broken; list indices are picked at random.
        """
        steps: list[str | None] = []
        for part in pattern.split("."):
            name = part.split("[", 1)[0]
            steps.append(name)
            steps.extend(None for _ in range(part.count("[]")))
        node: Any = body
        prefix = ""
        # "3" is Type 3 under a profile that coerces digit strings
        tts = body.get("Type") in (3, "3")
        for i, step in enumerate(steps):
            prefix = join(prefix, step) if step else f"{prefix}[]"
            last = i == len(steps) - 1
            if step is None:
                if not node:
                    node.append(self.builder.make(prefix, gen, tts=tts))
                key: str | int = 0 if gen.simple else gen.r.randrange(len(node))
            else:
                key = step
                if not last and step not in node:
                    node[step] = self.builder.make(prefix, gen, tts=tts)
            if last:
                return node, key
            node = node[key]
        raise AssertionError("unreachable: a pattern has at least one step")

    # -- the breakers -------------------------------------------------------------------

    def apply(self, rule: Rule, body: dict[str, Any], gen: Gen, depth: int) -> Any:
        special = _SPECIAL.get(rule.id)
        if special is not None:
            special(self, body, gen, depth)
            return body
        if rule.origin != "schema":
            raise NotImplementedError(f"no breaker for rule {rule.id!r}")
        pattern, _, keyword = rule.id.rpartition(":")
        if pattern == BODY:
            if keyword == "type":
                # not a str: validate_request reads a str as the raw JSON text
                return _pick((1, None, True, [], 0.5, [body]), depth)
            self._extra_property(body, self.spec.body.properties, depth)
            return body
        if keyword == "required":
            container, key = self._walk(body, pattern, gen)
            container.pop(key, None)
            return body
        container, key = self._walk(body, pattern, gen)
        if keyword == "additionalProperties":
            if not isinstance(container[key], dict):
                container[key] = self.builder.make(pattern, gen)
            self._extra_property(container[key], self.spec.node(pattern).properties, depth)
            return body
        try:
            old = container[key]
        except (KeyError, IndexError):
            old = None
        container[key] = self._broken_value(pattern, keyword, rule.value, old, gen, depth)
        return body

    def _absent(self, pattern: str, value: Any) -> bool:
        """Whether the profile reads ``value`` at ``pattern`` as no value at all."""
        if not self.sdk_shape:
            return False
        unset = SDK_UNSET_VALUES.get(pattern, _NOTHING)
        return value is None or (type(value) is type(unset) and value == unset)

    def _usable(self, pattern: str, seq: Any) -> tuple[Any, ...]:
        return tuple(v for v in seq if not self._absent(pattern, v))

    def _broken_value(self, pattern: str, keyword: str, value: Any, old: Any, gen: Gen,
                      depth: int) -> Any:
        node = self.spec.node(pattern)
        if keyword == "type":
            return _pick(self._usable(pattern, _WRONG_TYPE[str(value)]), depth)
        if keyword == "minimum":
            below = int(value) - 1 - _pick(_OFFSETS, depth)
            return below - 1 if self._absent(pattern, below) else below
        if keyword == "maximum":
            return int(value) + 1 + _pick(_OFFSETS, depth)
        if keyword == "enum":
            values = [int(v) for v in value]
            return _pick((max(values) + 1, min(values) - 1, max(values) + 100, -(2**31)), depth)
        if keyword == "const":
            return _pick((int(value) + 1, int(value) - 1, int(value) + 1000), depth)
        if keyword == "minLength":
            return self._long_text(pattern, max(0, int(value) - 1 - _pick(_OFFSETS, depth)), gen)
        if keyword == "maxLength":
            return self._long_text(pattern, int(value) + 1 + _pick(_LENGTH_OFFSETS, depth), gen)
        if keyword == "pattern":
            usable = self.not_matching.get(pattern, ())
            if not usable:
                raise NotImplementedError(f"no malformed values for pattern {value!r}")
            return _pick(usable, depth)
        if keyword == "minItems":
            items = list(old) if isinstance(old, list) else []
            return items[:max(0, int(value) - 1 - _pick(_OFFSETS, depth))]
        if keyword == "maxItems":
            return self._items(pattern, int(value) + 1 + _pick(_ITEM_OFFSETS, depth), gen)
        if keyword == "uniqueItems":
            items = list(old) if isinstance(old, list) and old else [
                self.builder.make(node.items, gen)]
            copy_of = copy.deepcopy(items[0 if gen.simple else gen.r.randrange(len(items))])
            if len(items) >= int(node.get("maxItems", len(items) + 1)):
                items[-1] = copy_of  # room for no more: replace, keeping the length
                if len(items) == 1:
                    raise NotImplementedError(f"{pattern}: maxItems 1 leaves no room for a repeat")
            else:
                items.insert(gen.r.randrange(len(items) + 1), copy_of)
            return items
        raise NotImplementedError(f"no breaker for keyword {keyword!r}")

    def _long_text(self, pattern: str, length: int, gen: Gen) -> str:
        """A string of exactly ``length`` code points, valid in every other respect."""
        node = self.spec.node(pattern)
        if "pattern" in node.keywords and node.get("pattern") == URL_PATTERN:
            head = "https://example.com/"
            return (head + "x" * length)[:length] if length >= len(head) else ""
        # Not also a FailList rule's failure: a JSON object, a phone of digits.
        if pattern in (PHONE_PARAM_JSON.parameter, SMS_PARAM_JSON.parameter) and length >= 8:
            return '{"k":"' + "x" * (length - 8) + '"}'
        if pattern == FORMAT.parameter:
            return "1" * length
        return gen.text(length, length)

    def _items(self, pattern: str, n: int, gen: Gen) -> list[Any]:
        """``n`` valid, distinct items for the list at ``pattern``."""
        if pattern == "PhoneList":
            return [{"Phone": p} for p in self.builder._phones(gen, n)]
        if pattern == "NumberList":
            return gen.caller_numbers(n)
        node = self.spec.node(pattern)
        return [self.builder.make(node.items, gen) for _ in range(n)]

    def _extra_property(self, target: dict[str, Any], known: list[str], depth: int) -> None:
        # Case and spelling slips a client makes, then plainly unknown names.
        candidates = [*[n.lower() for n in known if n.lower() != n][:4],
                      "Bogus", "Extra", f"{known[0]} " if known else "Name "]
        name = _pick([c for c in candidates if c not in known], depth)
        values: tuple[Any, ...] = (1, "x", [], {"nested": True}) if self.sdk_shape else (
            1, "x", None, [], {"nested": True})
        target[name] = _pick(values, depth)

    # -- rules JSON Schema cannot state ----------------------------------------------------

    def calendar(self, name: str, body: dict[str, Any], gen: Gen, depth: int) -> None:
        body[name] = _pick(self.not_on_calendar, depth)

    def end_before_start(self, body: dict[str, Any], gen: Gen, depth: int) -> None:
        start = _parse_datetime(body["StartTime"])
        assert start is not None, "a valid body's StartTime is on the calendar"
        delta = timedelta(seconds=_pick((1, 60, 86400, 366 * 86400, 1000 * 365 * 86400), depth))
        if start - MIN_DATETIME < delta:
            start = MIN_DATETIME + delta
            body["StartTime"] = format_datetime(start)
        body["EndTime"] = format_datetime(start - delta)

    def window_range(self, body: dict[str, Any], gen: Gen, depth: int) -> None:
        container, key = self._walk(body, "ForbidTimeList[].Times[]", gen)
        a = 0 if gen.simple else gen.r.randrange(1440)
        b = 0 if gen.simple else gen.r.randrange(a + 1)
        start, end = _pick(((a, a), (a, b), (1439, 0), (0, 0)), depth)
        container[key] = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"

    def _phones(self, body: dict[str, Any], gen: Gen) -> list[dict[str, Any]]:
        self._walk(body, "PhoneList[]", gen)  # at least one phone
        phones: list[dict[str, Any]] = body["PhoneList"]
        return phones

    def _some(self, n: int, gen: Gen, depth: int) -> list[int]:
        if gen.simple:
            return [0]
        return sorted({gen.r.randrange(n) for _ in range(1 + depth % 3)})

    def bad_format(self, body: dict[str, Any], gen: Gen, depth: int) -> None:
        phones = self._phones(body, gen)
        for k, i in enumerate(self._some(len(phones), gen, depth)):
            phones[i][field_of(FORMAT)] = _pick(self.builder.bad_phones, depth + k)

    def repeated(self, body: dict[str, Any], gen: Gen, depth: int) -> None:
        phones = self._phones(body, gen)
        body["Unique"] = True
        if len(phones) < 2:
            phones.append(copy.deepcopy(phones[0]))
            return
        source, target = (0, 1) if gen.simple else sorted(gen.r.sample(range(len(phones)), 2))
        field = field_of(DUPLICATE)
        phones[target][field] = same_number(phones[source][field], gen.r)

    def not_json(self, rule: Rule, body: dict[str, Any], gen: Gen, depth: int) -> None:
        phones = self._phones(body, gen)
        field = field_of(rule)
        for k, i in enumerate(self._some(len(phones), gen, depth)):
            phones[i][field] = _pick(BAD_JSON, depth + k)

    def empty_tts(self, body: dict[str, Any], gen: Gen, depth: int) -> None:
        phones = self._phones(body, gen)
        body["Type"] = 3
        field = field_of(TTS_CONTENT)
        for i in self._some(len(phones), gen, depth):
            if depth % 2:
                phones[i][field] = ""
            else:
                phones[i].pop(field, None)

    def numbers_required(self, body: dict[str, Any], gen: Gen, depth: int) -> None:
        body["SelectNumberType"] = 1
        body.pop("NumberList", None)

    def numbers_empty(self, body: dict[str, Any], gen: Gen, depth: int) -> None:
        body["SelectNumberType"] = 1
        minimum = int(self.spec.value(NUMBERS_MIN, 1))
        body["NumberList"] = gen.caller_numbers(max(0, minimum - 1 - _pick(_OFFSETS, depth)))


_SPECIAL: dict[str, Callable[[_Breaker, dict[str, Any], Gen, int], None]] = {
    "StartTime:calendar": lambda b, body, gen, d: b.calendar("StartTime", body, gen, d),
    "EndTime:calendar": lambda b, body, gen, d: b.calendar("EndTime", body, gen, d),
    "EndTime:not-before-start": _Breaker.end_before_start,
    "ForbidTimeList[].Times[]:range": _Breaker.window_range,
    FORMAT.id: _Breaker.bad_format,
    DUPLICATE.id: _Breaker.repeated,
    PHONE_PARAM_JSON.id: lambda b, body, gen, d: b.not_json(PHONE_PARAM_JSON, body, gen, d),
    SMS_PARAM_JSON.id: lambda b, body, gen, d: b.not_json(SMS_PARAM_JSON, body, gen, d),
    TTS_CONTENT.id: _Breaker.empty_tts,
    NUMBERS_REQUIRED: _Breaker.numbers_required,
    NUMBERS_MIN: _Breaker.numbers_empty,
}


_NOTHING = object()


def _pick(seq: Any, depth: int) -> Any:
    return seq[depth % len(seq)]


def _rejected(rule: Rule, body: Any, expectation: Expectation) -> InvalidBody:
    if [v.rule for v in expectation.violations] != [rule.id]:
        raise AssertionError(
            f"vmsspec.strategies built a body for {rule.id!r} that the contract judges "
            f"{[(v.rule, v.parameter) for v in expectation.violations]}: a bug in "
            "vmsspec.strategies._invalid, please report it"
        )
    (v,) = expectation.violations
    return InvalidBody(body, rule, v.code, v.parameter, v.status, expectation)


def _listed(rule: Rule, body: Any, expectation: Expectation) -> FailListBody:
    items = expectation.fail_list
    if (not expectation.ok or expectation.dry_run or not items
            or any(f.rule != rule.id for f in items)):
        raise AssertionError(
            f"vmsspec.strategies built a body for {rule.id!r} that the contract judges "
            f"violations={[v.rule for v in expectation.violations]} "
            f"fail_list={[f.rule for f in items]}: a bug in vmsspec.strategies._invalid"
        )
    return FailListBody(body, rule, items[0].type,
                        f"PhoneList.{items[0].index}.{field_of(rule)}", expectation.status,
                        expectation)


_OTHER_KIND = {"reject": "fail_list_bodies", "fail-item": "invalid_bodies"}


def _resolve(spec: Spec, selection: Iterable[str | Rule] | None, outcome: str) -> list[Rule]:
    unreachable = unreachable_rules(spec.profile)
    if selection is None:
        return [r for r in spec.catalog.values()
                if r.id not in unreachable and r.outcome == outcome]
    chosen: list[Rule] = []
    for item in selection:
        rid = item.id if isinstance(item, Rule) else item
        if rid not in spec.catalog:
            raise ValueError(f"unknown rule id {rid!r} (see `vmsspec rules`)")
        if rid in unreachable:
            raise ValueError(f"rule {rid!r} cannot be broken: {unreachable[rid]}")
        rule = spec.catalog[rid]
        if rule.outcome != outcome:
            kind = "a FailList rule" if rule.outcome == "fail-item" else "a rejecting rule"
            raise ValueError(f"rule {rid!r} is {kind}: use {_OTHER_KIND[outcome]}()")
        chosen.append(rule)
    if not chosen:
        raise ValueError("rules is empty: give at least one rule id")
    return chosen


def _broken_bodies(
    profile: str | Profile, rules: Iterable[str | Rule] | None, max_phones: int | None,
    outcome: str, label: Callable[[Rule, Any, Expectation], Any],
) -> st.SearchStrategy[Any]:
    spec = spec_for(profile)
    chosen = _resolve(spec, rules, outcome)
    # Base bodies in the seed's shape: a breaker walks into the parameters it breaks, and
    # an SDK-shaped null or PhoneParam object there would change which rule is broken.
    builder = BodyBuilder(spec, max_phones=max_phones, fail_items=False, sdk_forms=False)
    breaker = _Breaker(spec, builder)
    prof = spec.profile

    def rule_at(index: int) -> Rule:
        return chosen[index]

    def build(draws: tuple[Rule, tuple[int, ...], int]) -> Any:
        rule, base, depth = draws
        body = builder.build_from(base)
        seed = base[-1]
        # the breaker's own randomness must not shift the base body's
        gen = Gen(seed ^ 0x5DEECE66D if seed else 0)
        broken = breaker.apply(rule, body, gen, depth)
        return label(rule, broken, validate_request(broken, prof))

    return st.tuples(
        # An index rather than sampled_from(rules): the same shrinking towards the first
        # rule, without a 30 kB repr of the catalog in every failure report.
        st.integers(0, len(chosen) - 1).map(rule_at),
        builder.draws(),
        st.integers(0, DEPTHS - 1),
    ).map(build)


def invalid_bodies(
    profile: str | Profile = "documented",
    rules: Iterable[str | Rule] | None = None,
    *,
    max_phones: int | None = None,
) -> st.SearchStrategy[InvalidBody]:
    """Bodies the service rejects (4xx), each breaking exactly one rule, labelled with the
    contract's verdict.

    ``rules`` restricts the rules broken (ids or :class:`vmsspec.Rule` objects of
    rejecting rules; by default every rejecting rule of the profile's catalog except
    :func:`unreachable_rules`; FailList rules are :func:`fail_list_bodies`'). "Exactly
    one" is what the contract observes: the verdict is a rejection with one violation,
    of that rule. The base body is :func:`valid_bodies` without FailList phones,
    ``max_phones`` capping it; breaking ``PhoneList:maxItems`` adds phones past any cap,
    necessarily.
    """
    return _broken_bodies(profile, rules, max_phones, "reject", _rejected)


def fail_list_bodies(
    profile: str | Profile = "documented",
    rules: Iterable[str | Rule] | None = None,
    *,
    max_phones: int | None = None,
) -> st.SearchStrategy[FailListBody]:
    """Bodies the service accepts (200) with phones listed in ``Result.FailList``, each
    breaking exactly one FailList rule, on one or more phones.

    ``rules`` restricts the FailList rules broken (by default every one the profile
    leaves on). Every listed phone is listed for that rule (``case.fail_list``); no body
    is a DryRun. The base body is as for :func:`invalid_bodies`.
    """
    return _broken_bodies(profile, rules, max_phones, "fail-item", _listed)
