"""What every report keeps while a run goes on, and the finished run it reads at the end.

A run that ends normally hands over its RunReport in RunFinished; one cut short (Ctrl-C,
SIGTERM, a crash in the engine) never does, so the collector builds the report from the
events it saw, marked interrupted: a report of half a run, never half a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .._results import (
    CheckOutcome,
    ProbeResult,
    RunEvent,
    RunFinished,
    RunReport,
    RunStarted,
    WireExchange,
)

__all__ = ["Collector", "Finding", "group_findings", "utc_now"]


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Collector:
    """Counts exchanges and keeps the probes and outcomes of one run."""

    def __init__(self) -> None:
        self.started: RunStarted | None = None
        self.started_at = utc_now()
        self.probes: list[ProbeResult] = []
        self.outcomes: list[CheckOutcome] = []
        self.exchanges = 0
        self.finished: RunReport | None = None

    def add(self, event: RunEvent) -> None:
        if isinstance(event, CheckOutcome):
            self.outcomes.append(event)
        elif isinstance(event, WireExchange):
            self.exchanges += 1
        elif isinstance(event, ProbeResult):
            self.probes.append(event)
        elif isinstance(event, RunStarted):
            self.started = event
            self.started_at = utc_now()
        elif isinstance(event, RunFinished):
            self.finished = event.report
        else:
            raise TypeError(f"not a run event: {type(event).__name__}")

    def report(self) -> RunReport:
        """The finished run, or what was seen of an unfinished one (``interrupted``)."""
        if self.finished is not None:
            return self.finished
        started = self.started
        return RunReport(
            target=started.target if started else "unknown",
            seed=started.seed if started else 0,
            profile="", region="", started=self.started_at, finished=utc_now(),
            outcomes=tuple(self.outcomes), probes=tuple(self.probes), interrupted=True,
        )


@dataclass(frozen=True)
class Finding:
    """The failed cases of one check and rule, shown once with the smallest reproduction."""

    test_id: str
    outcome: CheckOutcome
    """The representative: the failed case whose reproducing request is smallest."""
    cases: int
    """How many failed cases share this test id."""


def _size(outcome: CheckOutcome) -> int:
    rep = outcome.reproduction
    return len(rep.body) + len(rep.url) if rep is not None else 1 << 62


def group_findings(outcomes: tuple[CheckOutcome, ...] | list[CheckOutcome]) -> list[Finding]:
    """One Finding per test id with a failed or errored case, in the order first seen."""
    groups: dict[str, list[CheckOutcome]] = {}
    for outcome in outcomes:
        if outcome.verdict in ("failed", "error"):
            groups.setdefault(outcome.test_id, []).append(outcome)
    return [Finding(test_id, min(cases, key=_size), len(cases))
            for test_id, cases in groups.items()]
