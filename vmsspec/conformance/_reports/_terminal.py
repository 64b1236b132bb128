"""The terminal report: progress while the run goes, then drift, findings and the summary.

On a TTY progress is one line redrawn in place (at most ten times a second); elsewhere (CI
logs, pipes) it is plain lines, one each time the run moves on to another check, so a log
shows how far a long run got without a line per request.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from typing import TextIO

from ...signing import Secret
from .._results import (
    DRIFT_STATES,
    VERDICTS,
    CheckOutcome,
    ProbeResult,
    RunEvent,
    RunReport,
    RunStarted,
)
from ._base import BaseReport
from ._collect import group_findings
from ._render import (
    answer_text,
    curl_command,
    drift_expected,
    outcome_line,
    reproduce_run,
    shorten,
    stopped_at_probes,
)

__all__ = ["TerminalReport"]

_REDRAW = 0.1
_CELL = 48
_LISTED = 10
"""Task ids listed in the summary (all of them in the file reports; every one left running)."""


def _table(rows: Sequence[tuple[str, ...]], indent: str = "  ") -> list[str]:
    widths = [min(_CELL, max(len(row[i]) for row in rows)) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell[: _CELL - 1] + "…" if len(cell) > _CELL else cell for cell in row]
        lines.append(indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
                     .rstrip())
    return lines


class TerminalReport(BaseReport):
    """Writes to ``stream`` (e.g. sys.stdout); ``verbose`` adds a line per case and every rule."""

    def __init__(self, stream: TextIO, *, verbose: bool = False,
                 secrets: Iterable[str | Secret] | None = None,
                 replay_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__(secrets=secrets, replay_dir=replay_dir)
        self._out = stream
        self._verbose = verbose
        isatty = getattr(stream, "isatty", None)
        self._tty = bool(isatty and isatty())
        self._total = 0
        self._counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
        self._cases: set[str] = set()
        self._case: str | None = None
        self._next_step = 0
        self._drawn = 0.0
        self._status_shown = False

    # -- progress -------------------------------------------------------------------
    # A case (one generated request, or a few) is judged by several checks, each giving
    # an outcome; RunStarted.total counts cases, so progress counts cases too: the
    # distinct labels (rule_id) of the outcomes seen, a case being done once the next
    # one starts.

    def _print(self, text: str) -> None:
        self._clear_status()
        self._out.write(self._redactor.text(text) + "\n")
        self._out.flush()

    def _clear_status(self) -> None:
        if self._status_shown:
            self._out.write("\r\x1b[2K")
            self._status_shown = False

    @staticmethod
    def _counts_text(counts: dict[str, int]) -> str:
        return ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n) or "nothing run"

    def _progress(self) -> str:
        of = f"/{self._total}" if self._total else ""
        return f"[{len(self._cases)}{of} cases] {self._counts_text(self._counts)}"

    def _on_event(self, event: RunEvent) -> None:
        if isinstance(event, CheckOutcome):
            self._outcome(event)
        elif isinstance(event, ProbeResult):
            probe = self._redactor.probe(event)
            self._print(f"probe {probe.name}: {'ok' if probe.ok else 'FAILED'}: {probe.detail}")
        elif isinstance(event, RunStarted):
            self._total = event.total
            self._print(f"vmsspec check {self._redactor.url(event.target)}: seed {event.seed},"
                        f" {event.total} cases planned")

    def _outcome(self, outcome: CheckOutcome) -> None:
        case = outcome.rule_id or outcome.check_id
        new_case = case not in self._cases
        self._cases.add(case)
        self._counts[outcome.verdict] += 1
        if self._verbose:
            self._print(f"{self._progress()} {outcome_line(self._redactor.outcome(outcome))}")
            return
        if outcome.verdict in ("failed", "error"):
            # findings show up in a CI log as they happen, not only at the end
            self._print(outcome_line(self._redactor.outcome(outcome)))
            self._drawn = 0.0  # and the status line again at once, below it
        if self._tty:
            now = time.monotonic()
            if now - self._drawn >= _REDRAW:
                self._drawn = now
                # redacted before it is cut: a cut secret is no longer recognisable
                line = shorten(self._redactor.text(f"{self._progress()}  {outcome.test_id}"),
                               110)
                self._out.write("\r\x1b[2K" + line)
                self._out.flush()
                self._status_shown = True
        elif new_case and self._total and len(self._cases) - 1 >= self._next_step:
            # plain output: a line each tenth of the planned cases
            self._next_step += max(1, self._total // 10)
            self._print(f"{self._progress()}  now: {case}")

    # -- the end ----------------------------------------------------------------------

    def _finish(self, report: RunReport) -> None:
        self._clear_status()
        lines: list[str] = []
        lines += self._check_lines(report)
        lines += self._drift_lines(report)
        lines += self._finding_lines(report)
        lines += self._summary_lines(report)
        self._out.write(self._redactor.text("\n".join(lines)) + "\n")
        self._out.flush()

    def _check_lines(self, report: RunReport) -> list[str]:
        per_check: dict[str, dict[str, int]] = {}
        for outcome in report.outcomes:
            counts = per_check.setdefault(outcome.check_id, dict.fromkeys(VERDICTS, 0))
            counts[outcome.verdict] += 1
        if not per_check:
            return []
        rows = [("check", *VERDICTS)]
        rows += [(check, *(str(counts[v]) if counts[v] else "." for v in VERDICTS))
                 for check, counts in per_check.items()]
        return ["", "Checks:", *_table(rows)]

    def _drift_lines(self, report: RunReport) -> list[str]:
        if not report.drift:
            return []
        tally = {state: 0 for state in DRIFT_STATES}
        for drift in report.drift:
            tally[drift.state] += 1
        lines = ["", "Drift per rule: " + ", ".join(f"{n} {s}" for s, n in tally.items())]
        shown = [d for d in report.drift if self._verbose or d.state != "documented"]
        if shown:
            rows = [("rule", "state", "expected", "observed")]
            rows += [(d.rule_id, d.state, drift_expected(d), d.observed or "-") for d in shown]
            lines += _table(rows)
        if not self._verbose and tally["documented"]:
            lines.append(f"  ({tally['documented']} rules enforced as documented;"
                         " --verbose lists them)")
        return lines

    def _finding_lines(self, report: RunReport) -> list[str]:
        findings = group_findings(report.outcomes)
        if not findings:
            return []
        lines = ["", f"Findings ({len(findings)}):"]
        for number, finding in enumerate(findings, 1):
            outcome = finding.outcome
            more = f" ({finding.cases} cases; the smallest)" if finding.cases > 1 else ""
            lines += ["", f"{number}. {outcome.verdict.upper()} {finding.test_id}{more}",
                      f"   {outcome.message}",
                      f"   expected: {outcome.expected or '-'}",
                      f"   actual:   {outcome.actual or '-'}"]
            if outcome.reproduction is not None:
                lines.append("   request:")
                lines += ["     " + line for line in curl_command(outcome.reproduction).split("\n")]
            if outcome.exchange is not None and self._verbose:
                lines.append("   answer:")
                lines += ["     " + line for line in answer_text(outcome.exchange).split("\n")]
            replay = self.replay_path(finding, report)
            lines.append(f"   replay: vmsspec replay {replay}" if not replay.startswith("(")
                         else f"   {replay}")
        return lines

    def _summary_lines(self, report: RunReport) -> list[str]:
        counts = report.counts()
        verdict = ("STOPPED AFTER THE PROBES" if stopped_at_probes(report)
                   else "INTERRUPTED" if report.interrupted
                   else "FINDINGS" if report.findings else "CONFORMANT")
        lines = ["", f"{verdict}: {self._counts_text(counts)}"
                     f" against {report.target} (seed {report.seed}"
                     f"{', profile ' + report.profile if report.profile else ''})"]
        failed_probes = [p for p in report.probes if not p.ok]
        for probe in failed_probes:
            lines.append(f"  probe {probe.name} failed: {probe.detail}")
        stopped = set(report.stopped)
        mode = "side effects allowed" if report.side_effects else "no side effects"
        lines.append(f"  tasks ({mode}): {len(report.created)} created,"
                     f" {len(report.stopped)} stopped")
        left = [t for t in report.created if t not in stopped]
        for label, ids, limit in (("created", report.created, _LISTED),
                                  ("stopped", report.stopped, _LISTED),
                                  ("LEFT RUNNING", left, len(left))):
            if ids:
                more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
                lines.append(f"    {label}: {', '.join(ids[:limit])}{more}")
        cov = report.coverage
        for kind in ("rules", "codes", "fail_types"):
            if kind in cov or f"{kind}_missed" in cov:
                hit, missed = len(cov.get(kind, ())), len(cov.get(f"{kind}_missed", ()))
                lines.append(f"  coverage {kind}: {hit} of {hit + missed}")
        lines.append(f"  same seed again: {reproduce_run(report)}")
        return lines
