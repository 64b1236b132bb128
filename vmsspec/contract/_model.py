"""The values the contract speaks in: rules, violations, FailList items, expectations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Expectation", "FailItem", "Rule", "Violation"]

Outcome = Literal["reject", "fail-item"]


@dataclass(frozen=True)
class Rule:
    """One checkable statement of the contract, addressable by ``id`` everywhere.

    ``outcome`` says what breaking it does: ``reject`` answers the whole request with
    ``code`` (a vendor error code); ``fail-item`` lists the phone in ``Result.FailList``
    with ``code`` as its ``Type`` while the call itself succeeds.
    """

    id: str
    parameter: str
    """Parameter pattern; ``[]`` stands for any index, e.g. ``PhoneList[].Phone``."""
    code: str
    outcome: Outcome
    source: str
    description: str
    origin: Literal["schema", "python"]
    errata: tuple[int, ...] = ()
    value: object = None
    """For a schema rule, the keyword's value in the schema (a bound, an enum, a type)."""


@dataclass(frozen=True)
class Violation:
    """A defect that makes the service reject the request."""

    code: str
    parameter: str
    """Concrete parameter name: dotted, indices as numbers, e.g. ``PhoneList.3.Phone``."""
    message: str
    """The vendor's message, e.g. ``The specified parameter PhoneList.3.Ext is invalid.``"""
    rule: str
    source: str
    status: int
    detail: str = ""
    """What exactly is wrong, for humans; not part of the vendor's answer."""

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "parameter": self.parameter,
            "message": self.message,
            "rule": self.rule,
            "source": self.source,
        }


@dataclass(frozen=True)
class FailItem:
    """A phone the service does not add; it is reported in ``Result.FailList``."""

    index: int
    phone: str
    type: str
    rule: str
    desc: str = ""

    def as_dict(self) -> dict[str, object]:
        """The item as it appears on the wire."""
        return {"Index": self.index, "Phone": self.phone, "Type": self.type, "Desc": self.desc}


@dataclass(frozen=True)
class Expectation:
    """What the contract says must happen to one request: the single place that decides.

    Either success (no violations) with ``fail_list``, or rejection with ``status`` and
    any one of the ``acceptable`` (code, parameter) pairs: a request with two defects
    may be answered with either.
    """

    profile: str
    violations: tuple[Violation, ...] = ()
    fail_list: tuple[FailItem, ...] = ()
    dry_run: bool = False
    """A valid request with ``DryRun: true``: answered DryRunOperation (400), nothing created
    (erratum 8: the seed's error table names the code, its parameter table no DryRun)."""

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def status(self) -> int:
        if self.ok:
            return 400 if self.dry_run else 200
        return self.violations[0].status

    @property
    def acceptable(self) -> frozenset[tuple[str, str]]:
        """The (code, parameter) pairs a rejection may carry; empty when the call succeeds."""
        return frozenset((v.code, v.parameter) for v in self.violations)

    def accepts(self, status: int, code: str | None, parameter: str | None = None) -> bool:
        """Whether an answer with this status and error code satisfies the contract.

        ``parameter`` is compared only when given: the vendor's message names the
        parameter, but clients see only what they parse out of it.
        """
        if self.ok and self.dry_run:
            return status == 400 and code == "DryRunOperation"
        if self.ok:
            return status == 200 and code is None
        return any(
            status == v.status and code == v.code
            and (parameter is None or parameter == v.parameter)
            for v in self.violations
        )
