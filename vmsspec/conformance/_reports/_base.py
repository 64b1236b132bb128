"""What every report shares: event intake under a lock, redaction, replay files, atomic files."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import IO

from ...signing import Secret
from .._results import RunEvent, RunReport
from ._collect import Collector, Finding
from ._redact import Redactor
from ._replayfile import DEFAULT_REPLAY_DIR, display_path, replay_document, write_replay

__all__ = ["AtomicFile", "BaseReport", "FileReport"]


class BaseReport:
    """A callable taking one RunEvent at a time, then ``close()``; also a context manager.

    Subclasses override ``_on_event`` (optional, for streaming) and ``_finish``, which gets
    the finished (or interrupted) run with every secret already scrubbed. Events after
    ``close()`` are ignored: a signal handler may still be emitting while the run unwinds.
    """

    def __init__(self, *, secrets: Iterable[str | Secret] | None = None,
                 replay_dir: str | os.PathLike[str] | None = None) -> None:
        self._redactor = Redactor(secrets)
        self._collector = Collector()
        self._lock = threading.Lock()
        self._closed = False
        self._replay_dir = Path(DEFAULT_REPLAY_DIR if replay_dir is None else replay_dir).absolute()
        self._replay_paths: dict[str, str] = {}

    def __call__(self, event: RunEvent) -> None:
        with self._lock:
            if self._closed:
                return
            self._collector.add(event)
            self._on_event(event)

    def close(self) -> None:
        """Write (or print) the report; a second call does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._finish(self._redactor.report(self._collector.report()))

    def discard(self) -> None:
        """End without writing anything (e.g. the run never started: a usage error)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._discard()

    def _discard(self) -> None:
        """Drop what ``_finish`` would have written."""

    def __enter__(self) -> BaseReport:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _on_event(self, event: RunEvent) -> None:
        """Called for each event, under the lock."""

    def _finish(self, report: RunReport) -> None:
        raise NotImplementedError

    def replay_path(self, finding: Finding, report: RunReport) -> str:
        """Where the finding's replay file is (written on first ask), or why there is none."""
        known = self._replay_paths.get(finding.test_id)
        if known is not None:
            return known
        doc = replay_document(finding.outcome, target=report.target, seed=report.seed,
                              profile=report.profile)
        if doc is None:
            shown = "(no replay file: this case has no reproducing request)"
        else:
            try:
                shown = display_path(write_replay(doc, self._replay_dir))
            except OSError as exc:
                shown = f"(replay file not written: {exc.strerror or exc})"
        self._replay_paths[finding.test_id] = shown
        return shown


class AtomicFile:
    """A file that appears complete at ``commit()`` or not at all.

    The content goes to a temporary file in the same directory (created at once, so an
    unwritable path fails before a long run, not after it), then ``os.replace`` puts it in
    place. ``discard()`` removes the temporary file and leaves any earlier file untouched.
    """

    def __init__(self, spec: str, path: Path) -> None:
        self.path = path
        if path.is_dir():
            raise ValueError(f"report {spec!r}: {path} is a directory")
        parent = path.parent
        if not parent.is_dir():
            raise ValueError(f"report {spec!r}: no such directory {parent}")
        try:
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise ValueError(f"report {spec!r}: cannot write in {parent}:"
                             f" {exc.strerror or exc}") from None
        self._tmp = Path(tmp)
        self.stream: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def rewrite(self, transform: Callable[[str], str]) -> None:
        """Pass every line written so far through ``transform`` (into a second temporary
        file that then takes the first one's place); writing may go on after."""
        self.stream.flush()
        self.stream.close()
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                   suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out, \
                    self._tmp.open(encoding="utf-8", newline="\n") as old:
                for line in old:
                    out.write(transform(line))
            os.replace(tmp, self._tmp)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stream = self._tmp.open("a", encoding="utf-8", newline="\n")

    def commit(self) -> None:
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            os.chmod(self._tmp, 0o644)
            os.replace(self._tmp, self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if not self.stream.closed:
            self.stream.close()
        self._tmp.unlink(missing_ok=True)


class FileReport(BaseReport):
    """A report written to one file: ``render`` makes its text at ``close()``.

    The file's temporary twin is opened at construction (so an unusable path fails
    before the run), and ``commit`` renames it into place only once all is written.
    """

    kind = "file"

    def __init__(self, path: str | os.PathLike[str], *, spec: str | None = None,
                 secrets: Iterable[str | Secret] | None = None,
                 replay_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__(secrets=secrets, replay_dir=replay_dir)
        path = Path(path)
        self._file = AtomicFile(spec or f"{self.kind}:{path}", path)

    @property
    def path(self) -> Path:
        return self._file.path

    def _discard(self) -> None:
        self._file.discard()

    def _finish(self, report: RunReport) -> None:
        try:
            self._write_rest(report)
            self._file.commit()
        except BaseException:
            self._file.discard()
            raise

    def _write_rest(self, report: RunReport) -> None:
        """Everything not streamed yet (for most reports: everything)."""
        self._file.stream.write(self._redactor.text(self.render(report)))

    def render(self, report: RunReport) -> str:
        raise NotImplementedError
