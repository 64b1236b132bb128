"""The conformance run's reports: terminal, JUnit, NDJSON, HTML, and replay files.

Every report is a callable taking one ``RunEvent`` at a time, then ``close()``. They read
only the values of ``vmsspec.conformance._results``, so the CLI and the pytest front end
report alike. Every header, URL, body and message passes through one ``Redactor`` before
it is written (defence in depth: the engine redacts exchanges already). Files appear
complete or not at all: each is written to a temporary file and renamed at ``close()``.

    report = open_report("html:out.html")     # or junit:FILE, ndjson:FILE
    for event in run_events:                  # RunStarted, ProbeResult, WireExchange,
        report(event)                         # CheckOutcome, RunFinished
    report.close()
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from ...signing import Secret
from .._results import RunEvent
from ._base import BaseReport
from ._html import HtmlReport
from ._junit import JUnitReport
from ._ndjson import NdjsonReport
from ._redact import Redactor
from ._replayfile import DEFAULT_REPLAY_DIR, REPLAY_FORMAT, Replay, load_replay, write_replay
from ._terminal import TerminalReport

__all__ = [
    "DEFAULT_REPLAY_DIR",
    "REPLAY_FORMAT",
    "REPORT_KINDS",
    "HtmlReport",
    "JUnitReport",
    "NdjsonReport",
    "Redactor",
    "Replay",
    "Report",
    "TerminalReport",
    "load_replay",
    "open_report",
    "write_replay",
]


class Report(Protocol):
    def __call__(self, event: RunEvent) -> None: ...

    def close(self) -> None: ...


_KINDS: dict[str, type[HtmlReport | JUnitReport | NdjsonReport]] = {
    "junit": JUnitReport, "ndjson": NdjsonReport, "html": HtmlReport,
}
REPORT_KINDS: tuple[str, ...] = tuple(_KINDS)


def open_report(spec: str, *, secrets: Iterable[str | Secret] | None = None,
                replay_dir: str | os.PathLike[str] | None = None) -> BaseReport:
    """The report a ``--report KIND:FILE`` option names; ValueError (one line) if unusable.

    The file's temporary twin is created at once, so a missing directory or a read-only
    path is reported before the run starts. ``secrets``: values to scrub besides the
    credential-shaped text every report scrubs (default: VOLC_SECRETKEY and
    VOLC_SESSION_TOKEN from the environment). ``replay_dir``: where findings' replay files
    go (default ``.vmsspec/replays``).
    """
    kind, sep, name = spec.partition(":")
    kinds = ", ".join(f"{k}:FILE" for k in _KINDS)
    if not sep:
        raise ValueError(f"report {spec!r}: expected KIND:FILE, one of {kinds}")
    if kind not in _KINDS:
        raise ValueError(f"report {spec!r}: unknown kind {kind!r}; expected one of {kinds}")
    if not name.strip():
        raise ValueError(f"report {spec!r}: names no file (expected {kind}:FILE)")
    path = Path(name).expanduser()
    return _KINDS[kind](path, spec=spec, secrets=secrets, replay_dir=replay_dir)
