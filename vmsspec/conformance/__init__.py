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

__all__ = [
    "CheckOutcome",
    "ProbeResult",
    "Reproduction",
    "RuleDrift",
    "RunFinished",
    "RunReport",
    "RunStarted",
    "WireExchange",
]
