"""``ndjson:FILE``: every event as one JSON object per line, every exchange included.

Each ``exchange`` line has a ``seq`` number; an ``outcome`` judged on an exchange already
written names it by ``exchange_seq`` instead of repeating it, and an outcome whose
reproduction an earlier outcome carried names that line by ``reproduction_of`` (a
line number, 1-based): the engine attaches the same exchange and
reproduction to every check of a case, and a body with 1,000 phones is 300 kB.

Lines stream to a temporary file as the run goes and the file is renamed into place at
``close()``, so a reader never sees half a line and an interrupted run still leaves a
complete file whose last line (``run-finished``) says ``"interrupted": true``.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from typing import Any

from ...signing import Secret
from .._results import (
    CheckOutcome,
    ProbeResult,
    RunEvent,
    RunFinished,
    RunReport,
    RunStarted,
    WireExchange,
)
from ._base import FileReport
from ._collect import group_findings, utc_now

__all__ = ["NdjsonReport"]


def _exchange_dict(ex: WireExchange) -> dict[str, Any]:
    doc = ex.as_dict()
    # as_dict decodes bodies as UTF-8 with replacement; keep the exact bytes when it lost some.
    for key, raw in (("body", ex.body), ("response_body", ex.response_body)):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            doc[key + "_base64"] = base64.b64encode(raw).decode("ascii")
    return doc


class NdjsonReport(FileReport):
    """A line per event: ``run-started``, ``probe``, ``exchange``, ``outcome``, ``run-finished``."""

    kind = "ndjson"

    def __init__(self, path: str | os.PathLike[str], *, spec: str | None = None,
                 secrets: Iterable[str | Secret] | None = None,
                 replay_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__(path, spec=spec, secrets=secrets, replay_dir=replay_dir)
        # id() -> (the exchange itself, kept alive so its id is never reused, its seq)
        self._written: dict[int, tuple[WireExchange, int]] = {}
        self._reproductions: dict[int, tuple[object, int]] = {}
        self._lines = 0
        self._first_generation: int | None = None
        """The redactor's generation at the first line: lines streamed before it learned a
        secret are scrubbed again at close."""

    def _write(self, doc: dict[str, Any]) -> None:
        if self._first_generation is None:
            self._first_generation = self._redactor.generation
        line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        self._file.stream.write(self._redactor.text(line) + "\n")
        self._lines += 1

    def _on_event(self, event: RunEvent) -> None:
        redact = self._redactor
        if isinstance(event, WireExchange):
            seq = len(self._written) + 1
            self._written[id(event)] = (event, seq)
            self._write({"event": "exchange", "seq": seq,
                         **_exchange_dict(redact.exchange(event))})
        elif isinstance(event, CheckOutcome):
            outcome = redact.outcome(event)
            doc = outcome.as_dict()
            known = self._written.get(id(event.exchange))
            if known is not None and known[0] is event.exchange:
                del doc["exchange"]
                doc["exchange_seq"] = known[1]
            elif outcome.exchange is not None:
                doc["exchange"] = _exchange_dict(outcome.exchange)
            if event.reproduction is not None:
                seen = self._reproductions.get(id(event.reproduction))
                if seen is not None and seen[0] is event.reproduction:
                    del doc["reproduction"]
                    doc["reproduction_of"] = seen[1]
                else:
                    self._reproductions[id(event.reproduction)] = (event.reproduction,
                                                                   self._lines + 1)
            self._write({"event": "outcome", "test_id": outcome.test_id, **doc})
        elif isinstance(event, ProbeResult):
            self._write({"event": "probe", **redact.probe(event).as_dict()})
        elif isinstance(event, RunStarted):
            self._write({"event": "run-started", "target": redact.url(event.target),
                         "seed": event.seed, "total": event.total, "time": utc_now()})
        elif isinstance(event, RunFinished):
            pass  # written at close(), with the replay files' paths

    def _write_rest(self, report: RunReport) -> None:
        # A front end may hand over a whole run in RunFinished without the events
        # (the pytest controller merging workers): write their lines now.
        if not self._collector.probes:
            for probe in report.probes:
                self._on_event(probe)
        if not self._collector.outcomes:
            for outcome in report.outcomes:
                self._on_event(outcome)
        doc = report.as_dict()
        del doc["outcomes"]  # each one already has its own line
        doc["findings"] = [
            {"test_id": f.test_id, "cases": f.cases, "replay": self.replay_path(f, report)}
            for f in group_findings(report.outcomes)
        ]
        self._write({"event": "run-finished", **doc})
        if self._first_generation not in (None, self._redactor.generation):
            self._file.rewrite(self._redactor.text)
