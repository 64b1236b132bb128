"""Conformance runs: what `vmsspec check` and `pytest --pyargs vmsspec.conformance` share."""

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
    "TAMPERS",
    "CheckOutcome",
    "ProbeResult",
    "Reproduction",
    "RuleDrift",
    "RunFinished",
    "RunReport",
    "RunStarted",
    "Tamper",
    "WireExchange",
    "prepare",
]
