"""What a conformance run sends: cases drawn from the contract, each labelled by it.

A case is one or more requests (steps) with what the contract expects of each. Bodies
come from ``vmsspec.strategies`` (one case per rule, the smallest body Hypothesis finds
for it from the run's seed: shrinking makes the reproduction shown short) and every
label from ``vmsspec.validate_request``; the only expectations not computed by the
validator are the authentication codes (``_tamper``) and the ClientToken rule, which is
about state (seed error table: IdempotentParameterMismatch, same token, other parameters).

Planning is cheap and generation lazy, so that ``pytest --pyargs vmsspec.conformance``
can list every test item without drawing a body, and each xdist worker draws only the
cases it runs.

Safety: a case has ``side_effects`` when a conformant server creates a task for it.
Without side effects allowed, bodies are sent with ``DryRun: true`` (a body that breaks
one rule must still be refused for that rule, a valid one answers DryRunOperation);
with side effects allowed, bodies get ``Start: false`` and a far-future StartTime and
EndTime. Either change is kept only when the contract's verdict on the body still names
the same rules; otherwise a guarded case is not sent (drift: not reached).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import orjson
from hypothesis import HealthCheck, Phase, find, settings

from .. import strategies as vst
from .._endpoint import DEFAULT_REGION
from ..contract import Expectation, Profile, Rule, get_profile, rules, validate_request
from ._tamper import TAMPERS

__all__ = [
    "FAR_FUTURE",
    "Case",
    "CasePlan",
    "Step",
    "build_case",
    "case_for",
    "plan_cases",
]

Kind = Literal["rule", "fail-item", "auth", "dry-run", "valid", "idempotency"]

FAR_FUTURE = ("2099-01-01 09:00:00", "2099-01-01 18:00:00")
"""StartTime and EndTime of bodies sent with side effects allowed: nothing would be called."""

_UNTRUSTED = "the target does not honour DryRun: nothing more that could create a task is sent"

# Hypothesis's first example is its simplest (every choice at its minimum), so one
# generated example is already what shrinking would reach (measured on every rule: the same
# bodies, 30% sooner); the seed still feeds the draw, so a run is reproducible from it.
_FIND = settings(database=None, max_examples=1, deadline=None, phases=(Phase.generate,),
                 suppress_health_check=list(HealthCheck))


@dataclass(frozen=True)
class Step:
    body: bytes
    expectation: Expectation | None
    """The contract's verdict on the body; None for an unparseable one."""
    tamper: str | None = None
    action: str = "CreateTask"


@dataclass(frozen=True)
class CasePlan:
    """A case before its bodies are drawn: enough to name its test items."""

    label: str
    """``rule_id`` for a rule case, else ``kind/name``: unique within a run."""
    kind: Kind
    rule_id: str | None = None
    tamper: str | None = None


@dataclass(frozen=True)
class Case:
    plan: CasePlan
    steps: tuple[Step, ...]
    side_effects: bool
    """Whether a conformant server creates a task for it."""
    skip_reason: str = ""
    """Non-empty: not sent in this run (e.g. it needs ``--allow-side-effects``)."""
    notes: tuple[str, ...] = field(default=())
    region: str = DEFAULT_REGION
    """The region the run signs for, which ResponseMetadata.Region must echo."""

    @property
    def label(self) -> str:
        return self.plan.label


def _rule_outcome_ids(expectation: Expectation) -> frozenset[str]:
    return frozenset(v.rule for v in expectation.violations) | frozenset(
        f.rule for f in expectation.fail_list)


def plan_cases(profile: Profile, *, rule_ids: Iterable[str] | None = None,
               probe_dry_run: bool = True) -> list[CasePlan]:
    """Every case of a run, in the order they are sent."""
    unreachable = vst.unreachable_rules(profile)
    catalog = [r for r in rules(profile) if r.id not in unreachable]
    if rule_ids is not None:
        wanted = set(rule_ids)
        catalog = [r for r in catalog if r.id in wanted]
    plans = [CasePlan("dry-run/minimal", "dry-run")] if probe_dry_run else []
    plans.append(CasePlan("dry-run/max-phones", "dry-run"))
    plans += [CasePlan(f"auth/{name}", "auth", tamper=name) for name in TAMPERS]
    plans += [CasePlan(r.id, "rule" if r.outcome == "reject" else "fail-item", rule_id=r.id)
              for r in catalog]
    plans += [CasePlan("valid/minimal", "valid"),
              CasePlan("idempotency/client-token", "idempotency")]
    return plans


# -- drawing bodies --------------------------------------------------------------------

def _seeded(seed: int, label: str) -> random.Random:
    return random.Random(seed ^ zlib.crc32(label.encode()))  # noqa: S311 - test data


@lru_cache(maxsize=8)
def _minimal_valid(profile: Profile, seed: int) -> dict[str, Any]:
    body: dict[str, Any] = find(vst.valid_bodies(profile, max_phones=3, fail_items=False),
                                lambda b: True, settings=_FIND, random=_seeded(seed, "valid"))
    return body


def _invalid(profile: Profile, rule: Rule, seed: int) -> Any:
    strategy = (vst.invalid_bodies(profile, rules=[rule.id], max_phones=3)
                if rule.outcome == "reject" or not hasattr(vst, "fail_list_bodies")
                else vst.fail_list_bodies(profile, rules=[rule.id], max_phones=3))
    case = find(strategy, lambda c: True, settings=_FIND, random=_seeded(seed, rule.id))
    return case.body


def _encode(body: Any) -> bytes:
    return orjson.dumps(body)


def _verdict(body: Any, profile: Profile) -> Expectation:
    return validate_request(body, profile)


def _guard(body: Any, profile: Profile, side_effects: bool) -> tuple[Any, Expectation] | None:
    """The body made safe to send, with its verdict; None when that changes the verdict."""
    original = _verdict(body, profile)
    if not isinstance(body, dict):
        # not an object: no server can read a task out of it; sent as it is
        return body, original
    changed = dict(body)
    if side_effects:
        changed.update(Start=False, StartTime=FAR_FUTURE[0], EndTime=FAR_FUTURE[1])
    else:
        changed["DryRun"] = True
    verdict = _verdict(changed, profile)
    if _rule_outcome_ids(verdict) == _rule_outcome_ids(original) and (
            side_effects or not verdict.ok or verdict.dry_run):
        return changed, verdict
    if side_effects:
        return body, original  # the case is about the times or Start: sent as drawn
    return None


def _max_phones(profile: Profile, base: dict[str, Any]) -> dict[str, Any]:
    limit = next(int(r.value) for r in rules(profile)  # type: ignore[call-overload]
                 if r.id == "PhoneList:maxItems")
    # distinct mobile numbers on the documented format, none a FailList entry
    phones = [{"Phone": f"138{i:08d}"} for i in range(limit)]
    return {**base, "PhoneList": phones}


def _without_required(profile: Profile, base: dict[str, Any]) -> dict[str, Any]:
    """A body the contract refuses (Name missing): for auth cases once DryRun is not trusted."""
    return {k: v for k, v in base.items() if k != "Name"}


def build_case(plan: CasePlan, profile: str | Profile, seed: int, *,
               side_effects: bool, dry_run_trusted: bool = True) -> Case:
    """Draw the bodies of ``plan`` and label them; deterministic in (profile, seed)."""
    return _build(plan, get_profile(profile), seed, side_effects, dry_run_trusted)


@lru_cache(maxsize=1024)
def _build(plan: CasePlan, prof: Profile, seed: int, side_effects: bool,
           dry_run_trusted: bool) -> Case:
    # cached: drawing a body is the dearest part of a run, and a process (a test session,
    # a pytest worker) runs the same cases against several targets
    base = _minimal_valid(prof, seed)

    def step(body: Any, tamper: str | None = None) -> Step:
        return Step(_encode(body), _verdict(body, prof), tamper)

    if plan.kind == "dry-run":
        body = _max_phones(prof, base) if plan.label.endswith("max-phones") else base
        skip = "" if dry_run_trusted or side_effects else _UNTRUSTED
        return Case(plan, (step({**body, "DryRun": True}),),
                    side_effects=not dry_run_trusted, skip_reason=skip)
    if plan.kind == "auth":
        body = {**base, "DryRun": True} if dry_run_trusted else _without_required(prof, base)
        return Case(plan, (step(body, plan.tamper),), side_effects=False)
    if plan.kind in ("rule", "fail-item"):
        assert plan.rule_id is not None
        rule = next(r for r in rules(prof) if r.id == plan.rule_id)
        drawn = _invalid(prof, rule, seed)
        creates = plan.kind == "fail-item"
        if creates and not side_effects:
            return Case(plan, (step(drawn),), side_effects=True,
                        skip_reason="a FailList is only answered by a call that creates a task"
                                    " (needs --allow-side-effects)")
        guarded = _guard(drawn, prof, side_effects)
        if guarded is None:
            return Case(plan, (step(drawn),), side_effects=True,
                        skip_reason="DryRun cannot guard a body breaking this rule"
                                    " (needs --allow-side-effects)")
        if not side_effects and not dry_run_trusted and isinstance(drawn, dict):
            return Case(plan, (step(guarded[0]),), side_effects=True,
                        skip_reason=_UNTRUSTED)
        body, verdict = guarded
        return Case(plan, (Step(_encode(body), verdict),), side_effects=creates)
    # valid and idempotency cases create tasks on a conformant server
    body = {**base, "Start": False, "StartTime": FAR_FUTURE[0], "EndTime": FAR_FUTURE[1]}
    skip = "" if side_effects else "creates a task (needs --allow-side-effects)"
    if plan.kind == "valid":
        return Case(plan, (step(body),), side_effects=True, skip_reason=skip)
    token = f"vmsspec-{seed & 0xFFFFFFFF:08x}-{_seeded(seed, 'token').getrandbits(32):08x}"
    first = {**body, "ClientToken": token}
    other = {**first, "Name": f"{first.get('Name', '')}-other"}
    return Case(plan, (step(first), step(first), step(other)), side_effects=True,
                skip_reason=skip,
                notes=("same ClientToken and body: the first TaskOpenId, nothing created",
                       "same ClientToken, other Name: IdempotentParameterMismatch "
                       "(seed error table)"))


def case_for(body: bytes, *, tamper: str | None = None, rule_id: str | None = None,
             profile: str | Profile = "documented", region: str = DEFAULT_REGION) -> Case:
    """A one-request case for a body sent outside a run (``vmsspec replay``): labelled by
    the contract as the run would label it, so :func:`judge` judges it alike."""
    prof = get_profile(profile)
    try:
        expectation: Expectation | None = validate_request(body, prof)
    except ValueError:  # UnusableBody: not JSON
        expectation = None
    kind: Kind
    if tamper is not None:
        kind, label = "auth", f"auth/{tamper}"
    elif rule_id is not None:
        rule = next((r for r in rules(prof) if r.id == rule_id), None)
        if rule is None:
            raise ValueError(f"unknown rule id {rule_id!r} (see `vmsspec rules`)")
        kind, label = ("rule" if rule.outcome == "reject" else "fail-item"), rule_id
    elif expectation is not None and expectation.dry_run:
        kind, label = "dry-run", "dry-run/replay"
    else:
        kind, label = "valid", "valid/replay"
    plan = CasePlan(label, kind, rule_id=rule_id, tamper=tamper)
    return Case(plan, (Step(body, expectation, tamper),), side_effects=kind == "valid",
                region=region)
