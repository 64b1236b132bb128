"""The pytest front end: ``pytest --pyargs vmsspec.conformance [--vms-target URL]``.

Registered through the ``pytest11`` entry point because an option must exist before the
command line is parsed, and a package's conftest.py is not loaded that early under
``--pyargs`` (measured with pytest 9: "unrecognized arguments: --vms-target"). Like
``_vmsspec_pytestplugin`` (vmsspec.pytest_plugin), this module lives outside the vmsspec
package: pytest imports every installed plugin at start-up, and importing anything under
``vmsspec`` runs ``vmsspec/__init__.py`` (measured: over 100 ms here). It imports the
engine only when the conformance tests are collected.

One test item per check and case (``rejection.code[Name:required]``,
``auth.stale-date[auth/stale-date]``), the same engine, checks and judge as
``vmsspec check``. Under pytest-xdist every worker draws and sends only the cases of its
own items (with the controller's seed); each item carries its outcome and its rule's drift
in ``user_properties``, so the controller merges drift and writes ``--vms-check-report`` files.

Options shared with ``vmsspec.pytest_plugin`` (``--vms-profile``, ``--vms-region``,
``--vms-seed``) are added only when no other plugin added them first (``trylast``; a
ValueError from addoption means they exist), and read by the same names. Reports are
``--vms-check-report KIND:FILE``, not ``--vms-report``: that is the plugin's NDJSON
recording of the vms fixtures' exchanges, another thing under the same word.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from vmsspec.conformance._engine import Engine
    from vmsspec.conformance._results import CheckOutcome

__all__: list[str] = []

_ITEM = "vms_conformance_check"
_OUTCOME = "vmsspec_outcome"
_DRIFT = "vmsspec_drift"
_PROBES = "vmsspec_probes"


def _add(group: Any, name: str, **kw: Any) -> None:
    # a ValueError: another plugin (vmsspec.pytest_plugin) defines it; read by the same name
    with contextlib.suppress(ValueError):
        group.addoption(name, **kw)


@pytest.hookimpl(trylast=True)
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vmsspec-conformance",
                            "vmsspec conformance (pytest --pyargs vmsspec.conformance)")
    _add(group, "--vms-target", metavar="URL", default=None,
         help="endpoint to check (default: the embedded reference service, in-process); "
              "credentials from VOLC_ACCESSKEY / VOLC_SECRETKEY / VOLC_SESSION_TOKEN")
    _add(group, "--vms-checks", action="append", default=[], metavar="IDS",
         help="only these check ids or globs (comma-separated or repeated)")
    _add(group, "--vms-exclude-checks", action="append", default=[], metavar="IDS",
         help="leave these check ids or globs out")
    _add(group, "--vms-rules", action="append", default=[], metavar="IDS",
         help="only the cases of these rule ids")
    _add(group, "--vms-allow-side-effects", action="store_true", default=False,
         help="also send what creates tasks on the target (each is stopped again)")
    _add(group, "--vms-rate-limit", type=float, default=5.0, metavar="N",
         help="requests per second to a URL (default 5; 0: no limit)")
    _add(group, "--vms-compare-reference", action="store_true", default=False,
         help="compare every answer with the embedded reference service's")
    # pytest detects a duplicate option only within one group: the shared options go in the
    # plugin's own group, so that addoption's ValueError says the plugin defined them first
    shared = parser.getgroup("vmsspec", "vmsspec: the VMS CreateTask contract")
    _add(shared, "--vms-profile", default="documented", help="contract profile")
    _add(shared, "--vms-region", default="cn-beijing", help="region to sign for")
    _add(shared, "--vms-seed", default=None, help="seed of the generated cases")
    _add(group, "--vms-check-report", action="append", default=[], metavar="KIND:FILE",
         help="write junit:FILE, ndjson:FILE or html:FILE (as `vmsspec check --report`)")


def _opt(config: pytest.Config, name: str, default: Any = None) -> Any:
    try:
        value = config.getoption(name)
    except ValueError:
        return default
    return default if value is None else value


def _csv(values: Any) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    return tuple(v.strip() for item in values or () for v in str(item).split(",") if v.strip())


def _seed(config: pytest.Config) -> int:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "vmsspec_seed" in workerinput:
        return int(workerinput["vmsspec_seed"])
    given = _opt(config, "vms_seed")
    if given is not None:
        return int(given)
    if not hasattr(config, "_vmsspec_seed"):
        config._vmsspec_seed = random.SystemRandom().getrandbits(32)  # type: ignore[attr-defined]
    return int(config._vmsspec_seed)  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: every worker draws the same cases."""
    node.workerinput["vmsspec_seed"] = _seed(node.config)


class _Run:
    """The engine of this process, built on first use; outcomes by (case, check)."""

    def __init__(self, config: pytest.Config) -> None:
        from vmsspec.conformance._engine import Engine, RunOptions
        from vmsspec.signing import Credentials, CredentialsError

        url = _opt(config, "vms_target")
        credentials = None
        if url:
            try:
                credentials = Credentials.from_env()
            except CredentialsError as exc:
                raise pytest.UsageError(f"--vms-target: {exc}") from None
        # the limit is the run's: under xdist each worker keeps to its share
        workers = int(getattr(config, "workerinput", {}).get("workercount", 1) or 1)
        rate = float(_opt(config, "vms_rate_limit", 5.0)) / workers
        self.options = RunOptions(
            url=url or None, credentials=credentials, region=_opt(config, "vms_region",
                                                                  "cn-beijing"),
            profile=_opt(config, "vms_profile", "documented"), seed=_seed(config),
            checks=_csv(_opt(config, "vms_checks", ())),
            exclude_checks=_csv(_opt(config, "vms_exclude_checks", ())),
            rules=_csv(_opt(config, "vms_rules", ())) or None,
            allow_side_effects=True if _opt(config, "vms_allow_side_effects", False) else None,
            rate_limit=rate or None,
            compare_reference=bool(_opt(config, "vms_compare_reference", False)),
        )
        try:
            self.engine: Engine = Engine(self.options)
        except ValueError as exc:
            raise pytest.UsageError(str(exc).splitlines()[0]) from None
        self.plans = {p.label: p for p in self.engine.plans}
        self.outcomes: dict[tuple[str, str], CheckOutcome] = {}
        self.carried: set[str] = set()
        self.probes_carried = False

    def outcome(self, label: str, check_id: str) -> CheckOutcome:
        from vmsspec.conformance._engine import TargetUnusable

        if (label, check_id) not in self.outcomes:
            try:
                for outcome in self.engine.run_case(self.plans[label]):
                    self.outcomes[(label, outcome.check_id)] = outcome
            except TargetUnusable as exc:
                pytest.exit(str(exc), returncode=2)
        return self.outcomes[(label, check_id)]

    def close(self) -> None:
        self.engine.stop_tasks()
        self.engine.target.close()


def _items(config: pytest.Config) -> list[tuple[str, str]]:
    from vmsspec.conformance._cases import plan_cases
    from vmsspec.conformance._checks import applicable_checks, select_checks
    from vmsspec.conformance._engine import COMPARE_CHECK
    from vmsspec.contract import get_profile

    try:
        checks = select_checks(_csv(_opt(config, "vms_checks", ())),
                               _csv(_opt(config, "vms_exclude_checks", ())))
        plans = plan_cases(get_profile(_opt(config, "vms_profile", "documented")),
                           rule_ids=_csv(_opt(config, "vms_rules", ())) or None)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    compare = bool(_opt(config, "vms_compare_reference", False))
    items = []
    for plan in plans:
        items += [(plan.label, c.id) for c in applicable_checks(plan, checks)]
        if compare:
            items.append((plan.label, COMPARE_CHECK))
    return items


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if _ITEM in metafunc.fixturenames:
        items = _items(metafunc.config)
        # xdist_group: with --dist loadgroup every item of a case runs on one worker, which
        # then sends the case once (plain --dist load splits a case's items over workers)
        metafunc.parametrize(_ITEM, [
            pytest.param((label, c), id=f"{c}[{label}]", marks=pytest.mark.xdist_group(label))
            for label, c in items])


@pytest.fixture(scope="session")
def vms_conformance_run(request: pytest.FixtureRequest) -> Iterator[_Run]:
    run = _Run(request.config)
    yield run
    run.close()


def _render(outcome: CheckOutcome, seed: int) -> str:
    lines = [outcome.message]
    if outcome.expected or outcome.actual:
        lines += [f"  expected: {outcome.expected}", f"  actual:   {outcome.actual}"]
    rep = outcome.reproduction
    if rep is not None:
        body = rep.body.decode("utf-8", "replace")
        lines.append(f"  request:  {rep.method} {rep.url}"
                     + (f" (tamper {rep.tamper})" if rep.tamper else ""))
        lines.append(f"  body:     {body[:400]}{'...' if len(body) > 400 else ''}")
    lines.append(f"  reproduce: --vms-seed {seed}")
    return "\n".join(lines)


def check_item(run: _Run, item: tuple[str, str], record: Any) -> None:
    """The body of each test item: judge, record for the controller, pass/fail/skip.

    A passed outcome carries its case's request and answer once, on the case's first item
    (a 10,000-phone body would otherwise cross to the xdist controller once per check).
    """
    label, check_id = item
    outcome = run.outcome(label, check_id)
    doc = outcome.as_dict()
    if outcome.verdict == "passed" and label in run.carried:
        doc["exchange"] = doc["reproduction"] = None
    run.carried.add(label)
    record(_OUTCOME, doc)
    drift = run.engine.drift.get(label)
    if drift is not None:
        record(_DRIFT, drift.as_dict())
    if not run.probes_carried:
        record(_PROBES, [p.as_dict() for p in run.engine.probes])
        run.probes_carried = True
    if outcome.verdict == "skipped":
        pytest.skip(outcome.message)
    if outcome.verdict in ("failed", "error"):
        pytest.fail(_render(outcome, run.engine.seed), pytrace=False)


# -- the controller: drift and reports merged from every item ------------------------------

class _Collector:
    """Registered on every process; on the controller it sees every worker's reports."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.outcomes: list[dict[str, Any]] = []
        self.drift: dict[str, dict[str, Any]] = {}
        self.probes: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for name, prop in report.user_properties:
            value: Any = prop
            if name == _OUTCOME:
                self.outcomes.append(value)
            elif name == _DRIFT:
                self.drift[value["rule"]] = value
            elif name == _PROBES and value and not self.probes:
                self.probes = list(value)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.outcomes or hasattr(self.config, "workerinput"):
            return
        from vmsspec.conformance._results import DRIFT_STATES

        tr = terminalreporter
        tr.section("vmsspec conformance")
        states = [d["state"] for d in self.drift.values()]
        tr.write_line(f"seed {_seed(self.config)}; drift per rule: " + ", ".join(
            f"{states.count(s)} {s}" for s in DRIFT_STATES))
        for d in sorted(self.drift.values(), key=lambda d: d["rule"]):
            if d["state"] not in ("documented", "not-reached"):
                tr.write_line(f"  {d['state']:13} {d['rule']}: {d['observed']}")
        for probe in self.probes:
            if not probe["ok"]:
                tr.write_line(f"  probe {probe['name']}: {probe['detail']}")
        _write_reports(self.config, self)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_Collector(config), "vmsspec-conformance-collector")
    # xdist's default "load" splits a case's items over workers, which then each send it;
    # "loadgroup" keeps each xdist_group on one worker and schedules unmarked tests exactly
    # as "load" does, so the switch changes nothing for other tests
    if getattr(config.option, "dist", None) == "load":
        config.option.dist = "loadgroup"


def _write_reports(config: pytest.Config, collected: _Collector) -> None:
    specs = _csv(_opt(config, "vms_check_report", ()))
    if not specs:
        return
    from vmsspec.conformance._merge import merged_report

    report = merged_report(collected.outcomes, collected.drift.values(), collected.probes,
                           target=_opt(config, "vms_target") or "embedded", seed=_seed(config),
                           profile=str(_opt(config, "vms_profile", "documented")),
                           region=str(_opt(config, "vms_region", "cn-beijing")))
    from vmsspec.conformance._reports import open_report
    from vmsspec.conformance._results import RunFinished, RunStarted

    for spec in specs:
        try:
            out = open_report(spec)
        except ValueError as exc:
            config.get_terminal_writer().line(f"vmsspec: {exc}", red=True)
            continue
        out(RunStarted(report.target, report.seed, len(report.outcomes)))
        for probe in report.probes:
            out(probe)
        for outcome in report.outcomes:
            out(outcome)
        out(RunFinished(report))
        out.close()
