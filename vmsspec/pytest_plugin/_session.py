"""One pytest session's vmsspec state: fixtures' set-up and teardown, servers, coverage, report.

Created the first time a test asks for a vms fixture (or an xdist worker reports back),
so a run that uses none never imports this module.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..adapters.server import ThreadedServer
from ._coverage import Coverage
from ._markers import config_for, forced_answers, make_config
from ._redact import scrub
from ._vms import Vms, VmsConfig

if TYPE_CHECKING:  # pragma: no cover - types only
    from _vmsspec_pytestplugin import Settings

__all__ = ["SessionState"]


class _Report:
    """``--vms-report``: NDJSON, one exchange a line, appended and flushed test by test so
    an interrupted run keeps every line it wrote. An xdist worker writes a part file the
    controller folds in when the worker finishes."""

    def __init__(self, path: str, worker: str | None) -> None:
        self.final = Path(path)
        self.path = self.final.with_name(f"{self.final.name}.{worker}.part") if worker else \
            self.final
        self._opened = False

    def _open(self, mode: str = "a") -> Any:
        if not self._opened:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            mode, self._opened = "w", True
        return self.path.open(mode, encoding="utf-8")

    def write(self, lines: list[str]) -> None:
        with self._open() as out:
            out.writelines(line + "\n" for line in lines)

    def fold(self, part: str) -> None:
        source = Path(part)
        if source.exists():
            with self._open() as out:
                out.write(source.read_text(encoding="utf-8"))
            source.unlink()

    def close(self) -> None:
        self._open().close()  # an empty report for a run whose tests sent nothing


class SessionState:
    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.coverage = Coverage()
        self.worker: str | None = getattr(config, "workerinput", {}).get("workerid")
        self.report = _Report(settings.report, self.worker) if settings.report else None
        self._servers: dict[tuple[Any, ...], ThreadedServer] = {}
        self.used = False

    # -- fixtures -----------------------------------------------------------------------

    def _server(self, config: VmsConfig) -> ThreadedServer:
        key = config.key()
        server = self._servers.get(key)
        if server is None:
            # One per configuration and process: xdist workers each start their own.
            server = self._servers[key] = ThreadedServer(config.build_service()).start()
        return server

    def vms_fixture(self, request: pytest.FixtureRequest, *, in_process: bool) -> Iterator[Vms]:
        # No __tracebackhide__ on the teardown path: its failure is pytest.fail(pytrace=False),
        # message only, and hiding every frame makes pytest add a "frames hidden" line.
        self.used = True
        config = config_for(request.node, self.settings)
        with ExitStack() as stack:
            if in_process:
                vms = stack.enter_context(Vms.in_process(config))
            else:
                server = self._server(config)
                server.service.reset()
                vms = Vms(server.service, config, server.url)  # type: ignore[arg-type]
            for kwargs in forced_answers(request.node):
                vms.respond_next(**kwargs)
            yield vms
        self._after(request, vms)

    @contextmanager
    def fresh(self, **kwargs: Any) -> Iterator[Vms]:
        """``vms_fresh(...)``: a new in-process service for one block (one Hypothesis
        example), checked when the block ends without an error of its own."""
        __tracebackhide__ = True
        self.used = True
        config = make_config(kwargs, self.settings, "vms_fresh()")
        with Vms.in_process(config) as vms:
            yield vms
            self._record(vms, os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0])
            if config.assert_conformant and self.settings.conformance_check:
                vms.assert_all_conformant()
            unconsumed = vms.unconsumed_text() if config.assert_forced_consumed else None
            if unconsumed is not None:
                raise AssertionError(unconsumed)

    def _record(self, vms: Vms, test: str) -> dict[str, Any]:
        exchanges = vms.exchanges
        seen = self.coverage.add(exchanges)
        if self.report is not None:
            secrets = vms.secrets()
            self.report.write([
                scrub(json.dumps({"test": test, **e.as_dict()}, ensure_ascii=False), secrets)
                for e in exchanges])
        return seen

    def _after(self, request: pytest.FixtureRequest, vms: Vms) -> None:
        seen = self._record(vms, request.node.nodeid)
        for kind, counts in seen.items():
            if counts:
                request.node.user_properties.append((f"vms_{kind}", ",".join(sorted(counts))))
        request.node.user_properties.append(("vms_exchanges", str(len(vms.exchanges))))
        if not vms.check_at_teardown:
            return
        problems = []
        if vms.config.assert_conformant and self.settings.conformance_check:
            text = vms.failure_text()
            if text is not None:
                problems.append(text + "\n(switch off: @pytest.mark.vms(assert_conformant=False)"
                                " or --vms-no-conformance-check)")
        if vms.config.assert_forced_consumed:
            text = vms.unconsumed_text()
            if text is not None:
                problems.append(text + "\n(switch off: "
                                "@pytest.mark.vms(assert_forced_consumed=False))")
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)

    # -- end of the run -----------------------------------------------------------------

    def merge_worker(self, output: dict[str, Any]) -> None:
        self.used = True
        self.coverage.merge(output.get("coverage", {}))
        if self.report is not None and output.get("report_part"):
            self.report.fold(output["report_part"])

    def finish(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["vmsspec"] = {
                "coverage": self.coverage.as_dict(),
                "report_part": os.fspath(self.report.path) if self.report else None}

    def summary(self, terminalreporter: Any) -> None:
        if self.report is not None and self.worker is None:
            self.report.close()
        if not self.used or self.worker is not None:
            return
        terminalreporter.section("vmsspec contract coverage")
        verbose = self.config.get_verbosity() > 0
        for line in self.coverage.lines(self.settings.profile, verbose=verbose):
            terminalreporter.write_line(line)
        if self.report is not None:
            terminalreporter.write_line(f"exchanges written to {self.report.final}")

