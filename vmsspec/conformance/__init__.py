"""Conformance runs: what `vmsspec check` and `pytest --pyargs vmsspec.conformance` share.

    from vmsspec.conformance import RunOptions, run
    report = run(RunOptions())                       # the embedded reference service
    report = run(RunOptions(url="https://staging.example.com",
                            credentials=vmsspec.Credentials.from_env()))
    report.exit_code, report.findings, report.drift

``run`` probes, sends every planned case, judges it with every selected check of
:data:`CHECKS` and emits events to its listeners (the reports). :func:`judge` applies one
check to what a case sent and got, and :func:`prepare` signs a :class:`Reproduction` and
applies its tamper: ``vmsspec replay`` uses both (with :func:`case_for`), so a replay is
signed and judged exactly as the run did.
"""

from ._cases import Case, CasePlan, Step, case_for
from ._checks import CHECKS, Check, judge, judge_all, select_checks
from ._engine import COMPARE_CHECK, Engine, RunOptions, TargetUnusable, checks_listing, run
from ._results import (
    CheckOutcome,
    ProbeResult,
    Reproduction,
    RuleDrift,
    RunFinished,
    RunReport,
    RunStarted,
    WireExchange,
)
from ._tamper import TAMPERS, Tamper, prepare

__all__ = [
    "CHECKS",
    "COMPARE_CHECK",
    "TAMPERS",
    "Case",
    "CasePlan",
    "Check",
    "CheckOutcome",
    "Engine",
    "ProbeResult",
    "Reproduction",
    "RuleDrift",
    "RunFinished",
    "RunOptions",
    "RunReport",
    "RunStarted",
    "Step",
    "Tamper",
    "TargetUnusable",
    "WireExchange",
    "case_for",
    "checks_listing",
    "judge",
    "judge_all",
    "prepare",
    "run",
    "select_checks",
]
