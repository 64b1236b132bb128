"""A RunReport rebuilt from the plain dicts pytest items carry (xdist sends only those).

The inverse of the ``as_dict`` methods of ``_results``, for the pytest front end's
controller: each worker judges its own items, the controller writes the reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from ._results import CheckOutcome, ProbeResult, Reproduction, RuleDrift, RunReport, WireExchange

__all__ = ["merged_report", "outcome_from_dict"]


def _pairs(rows: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in rows or ())


def _exchange(doc: Mapping[str, Any] | None) -> WireExchange | None:
    if doc is None:
        return None
    return WireExchange(
        method=doc["method"], url=doc["url"], headers=_pairs(doc["headers"]),
        body=str(doc["body"]).encode(), status=doc["status"],
        response_headers=_pairs(doc["response_headers"]),
        response_body=str(doc["response_body"]).encode(), elapsed=float(doc["elapsed"]),
        error=doc["error"], attempts=int(doc["attempts"]))


def outcome_from_dict(doc: Mapping[str, Any]) -> CheckOutcome:
    rep = doc.get("reproduction")
    return CheckOutcome(
        check_id=doc["check"], verdict=doc["verdict"], message=doc["message"],
        rule_id=doc.get("rule"), expected=doc.get("expected", ""),
        actual=doc.get("actual", ""), exchange=_exchange(doc.get("exchange")),
        reproduction=None if rep is None else Reproduction.from_dict(rep))


def merged_report(outcomes: Iterable[Mapping[str, Any]], drift: Iterable[Mapping[str, Any]],
                  probes: Iterable[Mapping[str, Any]], *, target: str, seed: int,
                  profile: str, region: str) -> RunReport:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return RunReport(
        target=target, seed=seed, profile=profile, region=region, started=now, finished=now,
        outcomes=tuple(outcome_from_dict(o) for o in outcomes),
        drift=tuple(RuleDrift(d["rule"], d["state"], tuple(tuple(p) for p in d["expected"]),
                              d["observed"]) for d in sorted(drift, key=lambda d: d["rule"])),
        probes=tuple(ProbeResult(p["name"], p["ok"], p["detail"]) for p in probes),
    )
