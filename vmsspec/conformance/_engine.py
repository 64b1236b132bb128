"""The one engine behind `vmsspec check` and `pytest --pyargs vmsspec.conformance`.

Order of a run: probes (reachable, credentials accepted, clock skew, DryRun honoured),
then every planned case: sent (unless it needs side effects the run does not allow),
judged by every selected check that applies, its rule's drift recorded. Every
TaskOpenId a CreateTask answer carries goes into the cleanup ledger and is stopped with
StopTask right after its case, and again before the run ends, on Ctrl-C and SIGTERM
too. Listeners get RunStarted, then probes, exchanges and outcomes as they happen,
then RunFinished.
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from types import FrameType

import orjson

from .._endpoint import ACTION, DEFAULT_REGION, VERSION
from .._errors import ERROR_CODES
from ..contract import Profile, get_profile, rules
from ..service import TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService
from ..signing import Credentials, Secret
from ._cases import Case, CasePlan, build_case, plan_cases
from ._checks import CHECKS, Check, applicable_checks, judge, parse_answer, select_checks
from ._results import (
    CheckOutcome,
    DriftState,
    ProbeResult,
    Reproduction,
    RuleDrift,
    RunEvent,
    RunFinished,
    RunReport,
    RunStarted,
    WireExchange,
)
from ._transport import EmbeddedTarget, HttpTarget, Sender, Target

__all__ = [
    "AUTH_CODES",
    "COMPARE_CHECK",
    "Engine",
    "RunOptions",
    "TargetUnusable",
    "run",
]

AUTH_CODES = frozenset({"MissingAuthenticationToken", "MissingSignature", "InvalidAccessKey",
                        "InvalidTimestamp", "SignatureDoesNotMatch", "AccessDenied"})
COMPARE_CHECK = "compare.reference"
"""With ``--compare-reference``: the target answers each request as the reference does."""

Listener = Callable[[RunEvent], None]


class TargetUnusable(Exception):
    """The endpoint cannot be checked at all (unreachable, credentials refused): exit 2."""


class _Interrupted(BaseException):
    """Ctrl-C or SIGTERM came: unwind to the cleanup."""


@dataclass(frozen=True)
class RunOptions:
    url: str | None = None
    """None: the embedded reference service, in-process."""
    credentials: Credentials | None = None
    """None: the embedded test key pair (only sensible for the embedded target)."""
    region: str = DEFAULT_REGION
    profile: str | Profile = "documented"
    seed: int | None = None
    checks: tuple[str, ...] = ()
    exclude_checks: tuple[str, ...] = ()
    rules: tuple[str, ...] | None = None
    allow_side_effects: bool | None = None
    """None: allowed for the embedded service (it is thrown away), refused for a URL."""
    rate_limit: float | None = 5.0
    timeout: float = 10.0
    retries: int = 3
    compare_reference: bool = False
    service: ReferenceService | None = field(default=None, repr=False)
    """The embedded service to use instead of a fresh one (tests)."""

    @property
    def side_effects(self) -> bool:
        if self.allow_side_effects is None:
            return self.url is None
        return self.allow_side_effects


def _embedded_service(region: str, credentials: Credentials | None = None,
                      ) -> ReferenceService:
    creds: dict[str, str | Secret] = {TEST_ACCESS_KEY: TEST_SECRET_KEY}
    if credentials is not None:
        creds[credentials.access_key] = credentials.secret_key
    # only the region the run signs for: a tamper that signs for another must be refused
    return ReferenceService(credentials=creds, region=region, regions=(region,))


def _region_checked(service: ReferenceService) -> bool:
    return hasattr(service, "regions")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Engine:
    """One run. Use :func:`run` unless driving cases one by one (the pytest front end)."""

    def __init__(self, options: RunOptions, listeners: Sequence[Listener] = ()) -> None:
        self.options = options
        self.profile = get_profile(options.profile)
        seed = options.seed
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        self.listeners = list(listeners)
        self.checks: list[Check] = select_checks(options.checks, options.exclude_checks)
        self.plans: list[CasePlan] = plan_cases(self.profile, rule_ids=options.rules)
        self.started = _now()
        self.target: Target
        if options.url is None:
            self.service = options.service or _embedded_service(options.region,
                                                                options.credentials)
            self.target = EmbeddedTarget(self.service)
        else:
            self.target = HttpTarget(options.url, timeout=options.timeout)
        self.credentials = options.credentials or Credentials(TEST_ACCESS_KEY,
                                                                  Secret(TEST_SECRET_KEY))
        self.sender = Sender(self.target, self.credentials, rate_limit=options.rate_limit,
                             retries=options.retries)
        self.reference: Sender | None = None
        if options.compare_reference:
            ref = EmbeddedTarget(_embedded_service(options.region, self.credentials))
            self.reference = Sender(ref, self.credentials, rate_limit=None, retries=0)
        self.dry_run_trusted = True
        self.probed = False
        self.outcomes: list[CheckOutcome] = []
        self.probes: list[ProbeResult] = []
        self.drift: dict[str, RuleDrift] = {}
        self.created: list[str] = []
        self.stopped: list[str] = []
        self.codes_seen: set[str] = set()
        self.fail_types_seen: set[str] = set()
        self.interrupted = False
        self.stop_requested = threading.Event()
        self._lock = threading.RLock()

    # -- events -------------------------------------------------------------------------

    def emit(self, event: RunEvent) -> None:
        for listener in self.listeners:
            listener(event)

    # -- requests -----------------------------------------------------------------------

    def _url(self, action: str) -> str:
        return f"{self.target.base_url}/?Action={action}&Version={VERSION}"

    def reproduction(self, body: bytes, tamper: str | None = None,
                     action: str = ACTION) -> Reproduction:
        return Reproduction("POST", self._url(action), body,
                            (("Content-Type", "application/json"),),
                            region=self.options.region, tamper=tamper)

    def _send(self, rep: Reproduction) -> WireExchange:
        if self.stop_requested.is_set():
            raise _Interrupted()
        exchange = self.sender.send(rep)
        self.emit(exchange)
        answer = parse_answer(exchange)
        if answer.code:
            self.codes_seen.add(answer.code)
        for item in answer.result.get("FailList") or ():
            if isinstance(item, dict) and isinstance(item.get("Type"), str):
                self.fail_types_seen.add(item["Type"])
        task = answer.result.get("TaskOpenId")
        if (exchange.status == 200 and isinstance(task, str) and "Action=CreateTask" in rep.url
                and task not in self.created):
            with self._lock:
                self.created.append(task)
        if self.stop_requested.is_set():
            raise _Interrupted()
        return exchange

    def stop_tasks(self) -> None:
        """Stop every task in the ledger not stopped yet (StopTask, correctly signed)."""
        for task in list(self.created):
            if task in self.stopped:
                continue
            body = orjson.dumps({"TaskOpenId": task})
            exchange = self.sender.send(self.reproduction(body, action="StopTask"))
            self.emit(exchange)
            if exchange.status == 200:
                with self._lock:
                    self.stopped.append(task)

    # -- probes -------------------------------------------------------------------------

    def probe(self) -> list[ProbeResult]:
        """Ask before checking: reachable, credentials, clock skew, DryRun honoured.

        Raises TargetUnusable when nothing can be checked.
        """
        if self.probed:
            return self.probes
        self.probed = True
        plan = CasePlan("dry-run/minimal", "dry-run")
        case = self._case(plan)
        exchange = self._send(self.reproduction(case.steps[0].body))
        self._probe_exchange = (case, exchange)
        answer = parse_answer(exchange)
        results = []
        if exchange.status is None:
            results.append(ProbeResult("reachable", False, f"no answer: {exchange.error}"))
            self._record_probes(results)
            raise TargetUnusable(f"{self.target.name} is unreachable: {exchange.error}")
        results.append(ProbeResult("reachable", True, f"HTTP {exchange.status}"))
        skew = _clock_skew(exchange)
        if answer.code in AUTH_CODES:
            results.append(ProbeResult("credentials", False,
                                       f"a correctly signed request got {answer.describe()}"))
            if skew is not None:
                results.append(ProbeResult("clock", abs(skew) <= 900, f"skew {skew:+.0f} s"))
            elif answer.code == "InvalidTimestamp":
                results.append(ProbeResult("clock", False, "X-Date refused: the clocks differ "
                                           "by more than the 15-minute window"))
            self._record_probes(results)
            raise TargetUnusable(f"credentials refused by {self.target.name}: "
                                 f"{answer.describe()} (check VOLC_ACCESSKEY, VOLC_SECRETKEY "
                                 f"and --region)")
        results.append(ProbeResult("credentials", True, f"accepted for {self.options.region}"))
        if skew is None:
            results.append(ProbeResult("clock", True, "no Date header; the signature was "
                                       "accepted, so the clocks agree within 15 minutes"))
        else:
            results.append(ProbeResult("clock", abs(skew) <= 900,
                                       f"server clock {skew:+.0f} s from ours (Date header)"))
        honoured = answer.code == "DryRunOperation"
        if not honoured:
            self.dry_run_trusted = False
            task = answer.result.get("TaskOpenId")
            detail = (f"a valid DryRun request created task {task}: stopping it; nothing more"
                      " that could create a task is sent" if task
                      else f"a valid DryRun request answered {answer.describe()}")
            results.append(ProbeResult("dry-run", False, detail))
            self.stop_tasks()
        else:
            results.append(ProbeResult("dry-run", True, "DryRunOperation"))
        self._record_probes(results)
        return results

    def _record_probes(self, results: list[ProbeResult]) -> None:
        self.probes = results
        for probe in results:
            self.emit(probe)

    # -- cases --------------------------------------------------------------------------

    def _case(self, plan: CasePlan) -> Case:
        case = build_case(plan, self.profile, self.seed, side_effects=self.options.side_effects,
                          dry_run_trusted=self.dry_run_trusted)
        case = replace(case, region=self.options.region)
        if (plan.tamper == "wrong-region" and self.options.url is None
                and not _region_checked(self.service)):
            case = replace(case, skip_reason="this embedded service accepts every region "
                                             "(ReferenceService has no regions= yet)")
        return case

    def run_case(self, plan: CasePlan) -> list[CheckOutcome]:
        """Send one case (the probe first, once), judge it, record drift; its outcomes."""
        self.probe()
        case = self._case(plan)
        exchanges: list[WireExchange] = []
        reference: list[WireExchange] = []
        if plan.label == "dry-run/minimal" and hasattr(self, "_probe_exchange"):
            case, probe_exchange = self._probe_exchange
            exchanges.append(probe_exchange)
        elif not case.skip_reason:
            for step in case.steps:
                rep = self.reproduction(step.body, step.tamper, step.action)
                exchanges.append(self._send(rep))
                if self.reference is not None:
                    reference.append(self.reference.send(rep))
            self.stop_tasks()
        first = case.steps[0]
        rep = self.reproduction(first.body, first.tamper, first.action)
        outcomes = [judge(c.id, case, exchanges, rep)
                    for c in applicable_checks(plan, self.checks)]
        if self.reference is not None and not case.skip_reason:
            outcomes.append(_compare(case, exchanges, reference, rep))
        if plan.rule_id is not None:
            self.drift[plan.rule_id] = _drift(case, exchanges)
        with self._lock:
            self.outcomes.extend(outcomes)
        for outcome in outcomes:
            self.emit(outcome)
        return outcomes

    # -- the whole run ------------------------------------------------------------------

    def report(self) -> RunReport:
        catalog = [r for r in rules(self.profile)
                   if self.options.rules is None or r.id in self.options.rules]
        drift = tuple(self.drift.get(r.id) or RuleDrift(r.id, "not-reached", observed="not tried")
                      for r in catalog)
        reached = sorted(d.rule_id for d in drift if d.state != "not-reached")
        fail_types = {r.code for r in rules(self.profile) if r.outcome == "fail-item"}
        coverage = {
            "rules": tuple(reached),
            "rules_missed": tuple(d.rule_id for d in drift if d.state == "not-reached"),
            "codes": tuple(sorted(self.codes_seen)),
            "codes_missed": tuple(sorted(set(ERROR_CODES) - self.codes_seen)),
            "fail_types": tuple(sorted(self.fail_types_seen)),
            "fail_types_missed": tuple(sorted(fail_types - self.fail_types_seen)),
        }
        return RunReport(
            target=self.target.name, seed=self.seed, profile=self.profile.name,
            region=self.options.region, started=self.started, finished=_now(),
            outcomes=tuple(self.outcomes), drift=drift, probes=tuple(self.probes),
            side_effects=self.options.side_effects, created=tuple(self.created),
            stopped=tuple(self.stopped), coverage=coverage, interrupted=self.interrupted,
        )

    def run(self) -> RunReport:
        """Probe, send every case, clean up, and return the report (also emitted)."""
        self.emit(RunStarted(self.target.name, self.seed, len(self.plans)))
        try:
            with _signals_as_stop(self.stop_requested):
                for plan in self.plans:
                    self.run_case(plan)
        except (KeyboardInterrupt, _Interrupted):
            self.interrupted = True
        finally:
            with _signals_held():
                self.stop_tasks()
                self.target.close()
        report = self.report()
        self.emit(RunFinished(report))
        return report


def run(options: RunOptions, listeners: Iterable[Listener] = ()) -> RunReport:
    """One conformance run. Raises TargetUnusable (exit 2) when nothing can be checked;
    then every task the probe may have created is already stopped."""
    return Engine(options, list(listeners)).run()


# -- helpers -------------------------------------------------------------------------------

def _clock_skew(exchange: WireExchange) -> float | None:
    date = next((v for k, v in exchange.response_headers if k.lower() == "date"), None)
    if date is None:
        return None
    try:
        server = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    if server.tzinfo is None:
        server = server.replace(tzinfo=timezone.utc)
    return (server - datetime.now(timezone.utc)).total_seconds()


def _drift(case: Case, exchanges: Sequence[WireExchange]) -> RuleDrift:
    rule = case.plan.rule_id or ""
    exp = case.steps[0].expectation
    if case.skip_reason or not exchanges or exp is None:
        return RuleDrift(rule, "not-reached", observed=case.skip_reason or "not sent")
    answer = parse_answer(exchanges[0])
    observed = answer.describe()
    if case.plan.kind == "fail-item":
        want = tuple(sorted((f.type, f"PhoneList.{f.index}") for f in exp.fail_list))
        if answer.status != 200:
            return RuleDrift(rule, "other-code", want, observed)
        got = {i.get("Type") for i in answer.result.get("FailList") or () if isinstance(i, dict)}
        state: DriftState = ("documented" if all(t in got for t, _ in want)
                             else "not-enforced")
        return RuleDrift(rule, state, want, f"200 FailList {sorted(map(str, got))}")
    want = tuple(sorted(exp.acceptable))
    if answer.status is None or answer.status == 429:
        return RuleDrift(rule, "not-reached", want, observed)
    if exp.accepts(answer.status, answer.code, answer.parameter) or (
            exp.accepts(answer.status, answer.code) and answer.parameter is None):
        return RuleDrift(rule, "documented", want, observed)
    if answer.status == 200 or answer.code == "DryRunOperation":
        return RuleDrift(rule, "not-enforced", want, observed)
    return RuleDrift(rule, "other-code", want, observed)


def _compare(case: Case, target: Sequence[WireExchange], reference: Sequence[WireExchange],
             rep: Reproduction) -> CheckOutcome:
    label = case.plan.label
    for i, (mine, ref) in enumerate(zip(target, reference, strict=False)):
        a, b = parse_answer(mine), parse_answer(ref)
        if (a.status, a.code, a.parameter) != (b.status, b.code, b.parameter):
            return CheckOutcome(COMPARE_CHECK, "failed",
                                f"{label}: step {i + 1}: the target and the reference disagree",
                                rule_id=label, expected=b.describe(), actual=a.describe(),
                                exchange=mine, reproduction=rep)
    return CheckOutcome(COMPARE_CHECK, "passed", f"{label}: answered as the reference does",
                        rule_id=label, exchange=target[-1] if target else None,
                        reproduction=rep)


@contextmanager
def _signals_as_stop(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM ask the run to stop between two requests, never inside one:
    an answer that created a task must be read, or its TaskOpenId would miss the ledger."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Cleanup runs to its end: a second Ctrl-C or SIGTERM must not leave tasks running."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def checks_listing() -> list[tuple[str, str]]:
    """(id, description) of every check, for ``vmsspec check --list``."""
    return [(c.id, c.description) for c in CHECKS.values()] + [
        (COMPARE_CHECK, "with --compare-reference: answered as the embedded reference does")]
