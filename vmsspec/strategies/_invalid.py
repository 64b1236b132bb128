"""Broken bodies: a valid body with exactly one rule broken, labelled by the contract core.

Two kinds, by what breaking the rule does: :func:`invalid_bodies` breaks a rejecting
rule (the request is answered 4xx), :func:`fail_list_bodies` a FailList rule (the request
succeeds, and the broken phones are listed in ``Result.FailList``).

An example is drawn as (rule, the draws of a valid body, depth). The rule comes
first, so whatever Hypothesis shrinks afterwards (parameters, phones, values, depth)
the body still breaks that rule: the breaker (``_breakers``) runs on every candidate.

The label is not decided here: :func:`vmsspec.validate_request` computes it, and an
example whose outcome is not exactly its rule is an error in this module, raised
rather than filtered so that it cannot hide.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from ..contract import Expectation, FailItem, Profile, Rule, validate_request
from ..contract._coerce import SDK_UNSET_VALUES
from ._breakers import Breaker
from ._spec import Spec, spec_for
from ._text import Gen
from ._valid import BodyBuilder, field_of

__all__ = [
    "DEPTHS", "FailListBody", "InvalidBody", "fail_list_bodies", "invalid_bodies",
    "unreachable_rules",
]

DEPTHS = 16
"""Depth draws are integers in ``range(DEPTHS)``."""

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring = 4, 30, 5, 80
_SHORT.maxother = 80

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
    breaker = Breaker(spec, builder)
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
