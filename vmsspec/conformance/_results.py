"""What a conformance run produces: plain frozen values the engine emits and reports read.

The engine (``vmsspec.conformance``) sends requests, judges each answer against the
contract's Expectation and emits these values as events; every report (terminal, JUnit,
NDJSON, HTML, replay files) is written from them alone, so the pytest front end and the
CLI front end cannot judge differently. Secrets never reach these values: headers are
redacted when a ``WireExchange`` is built, and a ``Reproduction`` holds no signature at
all (a replay signs again, because a signature expires after 15 minutes).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "DRIFT_STATES",
    "VERDICTS",
    "CheckOutcome",
    "DriftState",
    "ProbeResult",
    "Reproduction",
    "RuleDrift",
    "RunEvent",
    "RunFinished",
    "RunReport",
    "RunStarted",
    "Verdict",
    "WireExchange",
]

Verdict = Literal["passed", "failed", "skipped", "error"]
VERDICTS: tuple[str, ...] = ("passed", "failed", "skipped", "error")

DriftState = Literal["documented", "other-code", "not-enforced", "not-reached"]
DRIFT_STATES: tuple[str, ...] = ("documented", "other-code", "not-enforced", "not-reached")
"""Per rule: enforced as documented; enforced with another code or parameter; not
enforced (the request was accepted); not reached (not tried, or only with side effects)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class WireExchange:
    """One request as sent and the answer as received; headers already redacted."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int | None
    """None when no answer came (``error`` says why: refused, reset, timed out)."""
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: bytes = b""
    elapsed: float = 0.0
    error: str | None = None
    attempts: int = 1
    """How many times it was sent (429 and 5xx are retried; throttling is no finding)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method, "url": self.url,
            "headers": [list(h) for h in self.headers],
            "body": self.body.decode("utf-8", "replace"),
            "status": self.status,
            "response_headers": [list(h) for h in self.response_headers],
            "response_body": self.response_body.decode("utf-8", "replace"),
            "elapsed": round(self.elapsed, 6), "error": self.error, "attempts": self.attempts,
        }


@dataclass(frozen=True)
class Reproduction:
    """Enough to send a request again: the exact body and the unsigned headers.

    ``tamper`` names the authentication change applied after signing (``None``: a
    correctly signed request), so a replay re-signs and then applies the same change.
    """

    method: str
    url: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    region: str = "cn-beijing"
    tamper: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method, "url": self.url,
            "headers": [list(h) for h in self.headers],
            "body_base64": _b64(self.body), "region": self.region, "tamper": self.tamper,
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Reproduction:
        """Inverse of ``as_dict``; raises ValueError naming the first bad field."""
        try:
            return cls(
                method=str(doc["method"]), url=str(doc["url"]),
                body=base64.b64decode(str(doc["body_base64"]), validate=True),
                headers=tuple((str(k), str(v)) for k, v in doc.get("headers", ())),
                region=str(doc.get("region", "cn-beijing")),
                tamper=None if doc.get("tamper") is None else str(doc["tamper"]),
            )
        except KeyError as exc:
            raise ValueError(f"reproduction lacks the field {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"reproduction is malformed: {exc}") from None


@dataclass(frozen=True)
class CheckOutcome:
    """One check applied to one case: the unit every report counts."""

    check_id: str
    """A registered check's stable id, e.g. ``rejection.code`` or ``auth.wrong-signature``."""
    verdict: Verdict
    message: str
    """One line: what was judged, and for a failure what went wrong."""
    rule_id: str | None = None
    """The contract rule the case exercises, when it exercises one."""
    expected: str = ""
    actual: str = ""
    exchange: WireExchange | None = None
    reproduction: Reproduction | None = None

    @property
    def test_id(self) -> str:
        """The id a test item or JUnit testcase carries: check, then rule."""
        return self.check_id if self.rule_id is None else f"{self.check_id}[{self.rule_id}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check_id, "rule": self.rule_id, "verdict": self.verdict,
            "message": self.message, "expected": self.expected, "actual": self.actual,
            "exchange": None if self.exchange is None else self.exchange.as_dict(),
            "reproduction": None if self.reproduction is None else self.reproduction.as_dict(),
        }


@dataclass(frozen=True)
class RuleDrift:
    """How the target treats one contract rule."""

    rule_id: str
    state: DriftState
    expected: tuple[tuple[str, str], ...] = ()
    """Acceptable (code, parameter) pairs from the contract's Expectation."""
    observed: str = ""
    """What came, e.g. ``400 InvalidParameter Name`` or ``200 accepted``."""

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule_id, "state": self.state,
                "expected": [list(p) for p in self.expected], "observed": self.observed}


@dataclass(frozen=True)
class ProbeResult:
    """A question asked before the checks: reachable, credentials, clock skew, DryRun."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class RunReport:
    """A finished run: everything a report shows, and the exit code it implies."""

    target: str
    """The URL checked, or ``embedded`` for the in-process reference service."""
    seed: int
    profile: str
    region: str
    started: str
    """ISO 8601 UTC."""
    finished: str
    outcomes: tuple[CheckOutcome, ...]
    drift: tuple[RuleDrift, ...] = ()
    probes: tuple[ProbeResult, ...] = ()
    side_effects: bool = False
    created: tuple[str, ...] = ()
    """TaskOpenIds the run created (only with side effects allowed)."""
    stopped: tuple[str, ...] = ()
    """TaskOpenIds it stopped again before exit."""
    coverage: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """``rules``, ``codes``, ``fail_types``: what was exercised; ``*_missed``: what was not."""
    interrupted: bool = False

    @property
    def findings(self) -> tuple[CheckOutcome, ...]:
        return tuple(o for o in self.outcomes if o.verdict in ("failed", "error"))

    @property
    def exit_code(self) -> int:
        """0 conformant, 1 findings (or an interrupted run), as ``vmsspec check`` exits."""
        return 1 if self.findings or self.interrupted else 0

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(VERDICTS, 0)
        for outcome in self.outcomes:
            totals[outcome.verdict] += 1
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target, "seed": self.seed, "profile": self.profile,
            "region": self.region, "started": self.started, "finished": self.finished,
            "counts": self.counts(), "exit_code": self.exit_code,
            "probes": [p.as_dict() for p in self.probes],
            "outcomes": [o.as_dict() for o in self.outcomes],
            "drift": [d.as_dict() for d in self.drift],
            "side_effects": self.side_effects, "created": list(self.created),
            "stopped": list(self.stopped),
            "coverage": {k: list(v) for k, v in self.coverage.items()},
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True)
class RunStarted:
    target: str
    seed: int
    total: int
    """How many cases are planned (a progress bar's denominator)."""


@dataclass(frozen=True)
class RunFinished:
    report: RunReport


RunEvent = RunStarted | CheckOutcome | ProbeResult | WireExchange | RunFinished
"""What the engine hands its listeners, in order: RunStarted, then probes, exchanges and
outcomes as they happen, then RunFinished. A report is a callable taking one event."""
