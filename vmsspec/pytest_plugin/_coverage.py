"""Contract coverage: which rule ids, error codes and FailList types a client met, and which not.

"Met" is what the service answered the client: a rule its request broke, a code it was
answered (forced or earned), a FailList Type it was handed. The universe is the
contract's: every rule id of the profile, every code of ``ERROR_CODES``, every
fail-item rule's Type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from .._errors import ERROR_CODES
from ..contract import rules
from ..service import Exchange

__all__ = ["Coverage", "exercised"]

KINDS = ("rules", "codes", "fail_types")


def exercised(exchanges: Iterable[Exchange]) -> dict[str, Counter[str]]:
    """Per kind, how often each rule id, code and FailList type came up."""
    seen: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for exchange in exchanges:
        seen["rules"].update(rule for _, _, rule in exchange.violations)
        if exchange.code:
            seen["codes"][exchange.code] += 1
        seen["fail_types"].update(getattr(exchange, "fail_types", ()))
    return seen


def universe(profile: str) -> dict[str, tuple[str, ...]]:
    catalog = rules(profile)
    return {
        "rules": tuple(sorted(r.id for r in catalog)),
        "codes": tuple(sorted(ERROR_CODES)),
        "fail_types": tuple(sorted({r.code for r in catalog if r.outcome == "fail-item"})),
    }


class Coverage:
    """Counts over a run; mergeable, so xdist workers' counts add up on the controller."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
        self.exchanges = 0
        self.tests = 0

    def add(self, exchanges: tuple[Exchange, ...]) -> dict[str, Counter[str]]:
        seen = exercised(exchanges)
        for kind in KINDS:
            self.counts[kind].update(seen[kind])
        self.exchanges += len(exchanges)
        self.tests += 1
        return seen

    def as_dict(self) -> dict[str, Any]:
        return {"counts": {k: dict(v) for k, v in self.counts.items()},
                "exchanges": self.exchanges, "tests": self.tests}

    def merge(self, doc: Mapping[str, Any]) -> None:
        for kind in KINDS:
            self.counts[kind].update(doc.get("counts", {}).get(kind, {}))
        self.exchanges += int(doc.get("exchanges", 0))
        self.tests += int(doc.get("tests", 0))

    def lines(self, profile: str, *, verbose: bool = False) -> list[str]:
        """The summary; the rule ids never met are listed in full with ``verbose`` only
        (there are over a hundred), else counted."""
        everything = universe(profile)
        out = [f"{self.tests} services (vms fixtures, vms_fresh blocks), "
               f"{self.exchanges} exchanges (profile {profile})"]
        for kind, label in (("codes", "error codes"), ("fail_types", "FailList types"),
                            ("rules", "rule ids")):
            met = self.counts[kind]
            known = set(everything[kind])
            missed = [name for name in everything[kind] if name not in met]
            shown = ", ".join(f"{name} x{met[name]}" for name in sorted(met)) or "none"
            out.append(f"{label}: {len(known & set(met))} of {len(known)} exercised: {shown}")
            if kind == "rules" and not verbose and len(missed) > 12:
                out.append(f"  never: {len(missed)} rule ids (-v lists them)")
            else:
                out.append(f"  never: {', '.join(missed) or 'none'}")
        return out
