"""The registry of named checks: each a small function with one job, judged per case.

Like Schemathesis's checks (``not_a_server_error``, ``status_code_conformance``...), each
check has a stable id and takes what was sent and what came back; unlike them, the
expected answer comes from the contract: the case's Expectation
(``vmsspec.validate_request``), the tamper's code, and the envelope schemas
(``vmsspec.check_response``). No check re-derives an error code.

A check returns ``None`` when the answer is right, else a :class:`Failure`.
:func:`judge` turns that into the :class:`CheckOutcome` every report reads; the CLI, the
pytest front end and ``vmsspec replay`` all call it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from .._endpoint import DEFAULT_SERVICE, VERSION
from .._errors import ERROR_CODES
from ..contract import Expectation
from ..contract._responses import check_response
from ._cases import Case, CasePlan
from ._results import CheckOutcome, Reproduction, WireExchange
from ._tamper import TAMPERS

__all__ = [
    "CHECKS",
    "Answer",
    "Check",
    "Failure",
    "applicable_checks",
    "judge",
    "judge_all",
    "parse_answer",
    "select_checks",
]

# FACTS section 3: "a real VMS RequestId looks like 20221229191646429604DE3BCB1542F945
# (timestamp digits then hex)". 14 timestamp digits, then at least 6 uppercase hex digits.
REQUEST_ID = re.compile(r"^[0-9]{14}[0-9A-F]{6,}$")

DOCUMENTED_STATUSES = frozenset({200} | {c.status for c in ERROR_CODES.values()})
"""200 and every status of the error table (vmsspec._errors, from the seed and vendor pages)."""


@dataclass(frozen=True)
class Answer:
    """A response, parsed once for every check."""

    status: int | None
    body: Any
    """The parsed JSON body; None when it is not JSON (or nothing came)."""
    raw: bytes = b""
    error: str | None = None
    """The transport failure, when nothing came."""

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.body.get("ResponseMetadata") if isinstance(self.body, dict) else None
        return meta if isinstance(meta, dict) else {}

    @property
    def code(self) -> str | None:
        err = self.metadata.get("Error")
        return str(err.get("Code")) if isinstance(err, dict) and "Code" in err else None

    @property
    def message(self) -> str:
        err = self.metadata.get("Error")
        return str(err.get("Message", "")) if isinstance(err, dict) else ""

    @property
    def result(self) -> dict[str, Any]:
        res = self.body.get("Result") if isinstance(self.body, dict) else None
        return res if isinstance(res, dict) else {}

    @property
    def parameter(self) -> str | None:
        """The parameter the error message names, read with the code's message template."""
        entry = ERROR_CODES.get(self.code or "")
        if entry is None or "%s" not in entry.message:
            return None
        before, _, after = entry.message.partition("%s")
        match = re.fullmatch(re.escape(before) + r"(.*)" + re.escape(after), self.message)
        return match.group(1) if match else None

    def describe(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})"
        if self.code is not None:
            param = self.parameter
            return f"{self.status} {self.code}" + (f" {param}" if param else "")
        if self.status == 200 and self.result:
            return "200 accepted"
        return f"{self.status} {'(not JSON)' if self.body is None else ''}".strip()


def parse_answer(exchange: WireExchange) -> Answer:
    body: Any = None
    if exchange.status is not None:
        try:
            body = orjson.loads(exchange.response_body)
        except orjson.JSONDecodeError:
            body = None
    return Answer(exchange.status, body, exchange.response_body, exchange.error)


@dataclass(frozen=True)
class Failure:
    message: str
    expected: str = ""
    actual: str = ""


Judge = Callable[[Case, Sequence[Answer]], "Failure | None"]


@dataclass(frozen=True)
class Check:
    id: str
    description: str
    applies: Callable[[CasePlan], bool]
    run: Judge


def _expected(expectation: Expectation | None) -> str:
    if expectation is None:
        return "refused"
    if expectation.ok and expectation.dry_run:
        return "400 DryRunOperation"
    if expectation.ok:
        return "200 accepted"
    return " or ".join(sorted(f"{v.status} {v.code} {v.parameter}"
                              for v in expectation.violations))


# -- the checks ------------------------------------------------------------------------

def _each(answers: Sequence[Answer], test: Callable[[int, Answer], Failure | None]
          ) -> Failure | None:
    for i, answer in enumerate(answers):
        if answer.status is None:
            continue
        failure = test(i, answer)
        if failure is not None:
            return failure
    return None


def _envelope(case: Case, answers: Sequence[Answer]) -> Failure | None:
    def test(i: int, a: Answer) -> Failure | None:
        if a.body is None:
            return Failure(f"step {i + 1}: the body is not JSON", "a JSON envelope",
                           a.raw[:120].decode("utf-8", "replace"))
        if not isinstance(a.body, dict):
            return Failure(f"step {i + 1}: the body is not a JSON object", "an object",
                           type(a.body).__name__)
        findings = check_response(a.status or 0, a.body)
        if findings:
            f = findings[0]
            which = "success" if a.status == 200 else "error"
            return Failure(f"step {i + 1}: {which} envelope: {f.pointer}: {f.message}",
                           f"the {which} envelope schema", f.rule)
        return None
    return _each(answers, test)


def _request_id(case: Case, answers: Sequence[Answer]) -> Failure | None:
    def test(i: int, a: Answer) -> Failure | None:
        rid = a.metadata.get("RequestId")
        if not isinstance(rid, str) or not REQUEST_ID.match(rid):
            return Failure(f"step {i + 1}: RequestId {rid!r} is not in the vendor's format",
                           "14 timestamp digits then uppercase hex", repr(rid))
        return None
    return _each(answers, test)


def _echo(case: Case, answers: Sequence[Answer]) -> Failure | None:
    def test(i: int, a: Answer) -> Failure | None:
        step = case.steps[min(i, len(case.steps) - 1)]
        want = {"Action": step.action, "Version": VERSION, "Service": DEFAULT_SERVICE}
        want["Region"] = case.region
        for key, value in want.items():
            got = a.metadata.get(key)
            if got != value:
                return Failure(f"step {i + 1}: ResponseMetadata.{key} is {got!r}",
                               repr(value), repr(got))
        return None
    if not any(a.body is not None for a in answers):
        return None
    return _each(answers, test)


def _rejection_code(case: Case, answers: Sequence[Answer]) -> Failure | None:
    exp, a = case.steps[0].expectation, answers[0]
    if exp is None or a.status is None:
        return None
    if not exp.accepts(a.status, a.code):
        return Failure(f"answered {a.describe()}", _expected(exp),
                       a.describe())
    return None


def _rejection_parameter(case: Case, answers: Sequence[Answer]) -> Failure | None:
    exp, a = case.steps[0].expectation, answers[0]
    if exp is None or a.status is None or exp.ok or not exp.accepts(a.status, a.code):
        return None  # a wrong code is rejection.code's finding, not this one's
    entry = ERROR_CODES.get(a.code or "")
    if entry is None or "%s" not in entry.message:
        return None  # the code's message names no parameter
    if not exp.accepts(a.status, a.code, a.parameter):
        return Failure(f"the message names {a.parameter!r}",
                       " or ".join(sorted(p for c, p in exp.acceptable if c == a.code)),
                       a.message)
    return None


def _auth(tamper: str) -> Judge:
    def run(case: Case, answers: Sequence[Answer]) -> Failure | None:
        a, t = answers[0], TAMPERS[tamper]
        if a.status is None:
            return None
        if (a.status, a.code) != (t.status, t.code):
            return Failure(f"{t.description}: answered {a.describe()}", f"{t.status} {t.code}",
                           a.describe())
        return None
    return run


def _fail_items(answer: Answer) -> set[tuple[Any, Any, Any]]:
    items = answer.result.get("FailList") or []
    return {(i.get("Index"), i.get("Phone"), i.get("Type")) for i in items if isinstance(i, dict)}


def _valid_fail_list(case: Case, answers: Sequence[Answer]) -> Failure | None:
    exp, a = case.steps[0].expectation, answers[0]
    if exp is None or a.status is None:
        return None
    if not exp.accepts(a.status, a.code):
        return Failure(f"a valid request answered {a.describe()}", _expected(exp), a.describe())
    if exp.ok and not exp.dry_run:
        want = {(f.index, f.phone, f.type) for f in exp.fail_list}
        got = _fail_items(a)
        if want != got:
            return Failure("FailList differs from the contract's",
                           repr(sorted(want, key=repr)), repr(sorted(got, key=repr)))
    return None


def _dry_run(case: Case, answers: Sequence[Answer]) -> Failure | None:
    exp, a = case.steps[0].expectation, answers[0]
    if exp is None or a.status is None:
        return None
    if not exp.accepts(a.status, a.code):
        created = a.result.get("TaskOpenId")
        what = f"created task {created}" if created else a.describe()
        return Failure(f"a valid DryRun request: {what}", _expected(exp), a.describe())
    return None


def _idempotency(case: Case, answers: Sequence[Answer]) -> Failure | None:
    if len(answers) < 3 or any(a.status is None for a in answers):
        return None
    first, again, other = answers
    if first.status != 200:
        return Failure(f"the first request answered {first.describe()}", "200 accepted",
                       first.describe())
    one, two = first.result.get("TaskOpenId"), again.result.get("TaskOpenId")
    if again.status != 200 or one != two:
        return Failure("the same ClientToken and body did not return the first TaskOpenId",
                       f"200 TaskOpenId {one}", f"{again.describe()} TaskOpenId {two}")
    if other.code != "IdempotentParameterMismatch":
        return Failure("the same ClientToken with another body was not refused",
                       "400 IdempotentParameterMismatch", other.describe())
    return None


def _no_5xx(case: Case, answers: Sequence[Answer]) -> Failure | None:
    return _each(answers, lambda i, a: Failure(
        f"step {i + 1}: server error {a.describe()}", "no 5xx", a.describe())
        if (a.status or 0) >= 500 else None)


def _documented_status(case: Case, answers: Sequence[Answer]) -> Failure | None:
    return _each(answers, lambda i, a: Failure(
        f"step {i + 1}: HTTP {a.status} is not a documented status",
        ", ".join(map(str, sorted(DOCUMENTED_STATUSES))), str(a.status))
        if a.status not in DOCUMENTED_STATUSES else None)


def _error_not_200(case: Case, answers: Sequence[Answer]) -> Failure | None:
    return _each(answers, lambda i, a: Failure(
        f"step {i + 1}: error {a.code} sent with HTTP 200", "HTTP 4xx/5xx for an error",
        f"200 {a.code}") if a.status == 200 and a.code is not None else None)


def _all(plan: CasePlan) -> bool:
    return True


def _is_tamper(name: str) -> Callable[[CasePlan], bool]:
    return lambda plan: plan.kind == "auth" and plan.tamper == name


_CHECKS: list[Check] = [
    Check("envelope.schema", "the envelope matches the schema for its status (check_response)",
          _all, _envelope),
    Check("envelope.request-id", "ResponseMetadata.RequestId present, in the vendor's format",
          _all, _request_id),
    Check("envelope.echo", "ResponseMetadata echoes Action, Version, Service and Region",
          _all, _echo),
    Check("rejection.code", "each rejection rule answered with an acceptable status and code",
          lambda p: p.kind == "rule", _rejection_code),
    Check("rejection.parameter", "the error message names an acceptable parameter",
          lambda p: p.kind == "rule", _rejection_parameter),
    *(Check(f"auth.{name}", f"{t.description}: refused with {t.code}", _is_tamper(name),
            _auth(name)) for name, t in TAMPERS.items()),
    Check("valid.fail-list", "a valid request accepted with exactly the expected FailList",
          lambda p: p.kind in ("valid", "fail-item"), _valid_fail_list),
    Check("idempotency.client-token",
          "the same ClientToken returns the first task; with another body is refused",
          lambda p: p.kind == "idempotency", _idempotency),
    Check("dry-run.honoured", "a valid DryRun request answers DryRunOperation, creates nothing",
          lambda p: p.kind == "dry-run", _dry_run),
    Check("status.no-5xx", "no server error (5xx), after retries", _all, _no_5xx),
    Check("status.documented", "only documented HTTP statuses", _all, _documented_status),
    Check("status.error-not-200", "error answers are not sent with HTTP 200", _all,
          _error_not_200),
]

CHECKS: dict[str, Check] = {c.id: c for c in _CHECKS}
"""Every check by its stable id, in the order ``vmsspec check --list`` prints them."""


def select_checks(include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Check]:
    """The checks named (ids or globs; all when ``include`` is empty) minus ``exclude``.

    Raises ValueError naming a pattern that matches no check.
    """
    def matching(patterns: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for pattern in patterns:
            hits = {cid for cid in CHECKS if fnmatch.fnmatchcase(cid, pattern)}
            if not hits:
                raise ValueError(f"no check matches {pattern!r} (see `vmsspec check --list`)")
            out |= hits
        return out

    include = list(include)
    wanted = matching(include) if include else set(CHECKS)
    wanted -= matching(exclude)
    return [c for c in _CHECKS if c.id in wanted]


def applicable_checks(plan: CasePlan, checks: Sequence[Check]) -> list[Check]:
    return [c for c in checks if c.applies(plan)]


def judge(check_id: str, case: Case, exchanges: Sequence[WireExchange],
          reproduction: Reproduction | None = None) -> CheckOutcome:
    """Apply check ``check_id`` to what ``case`` sent and got: one CheckOutcome.

    ``exchanges`` holds one WireExchange per step of the case (fewer when the run
    stopped). Verdicts: ``passed``; ``failed`` with expected and actual; ``error`` when
    no answer came; ``skipped`` when the case was not sent.
    """
    check = CHECKS[check_id]
    label = case.plan.label
    last = exchanges[-1] if exchanges else None
    if case.skip_reason or not exchanges:
        return CheckOutcome(check_id, "skipped", f"{label}: {case.skip_reason or 'not sent'}",
                            rule_id=label, reproduction=reproduction)
    throttled = next((e for e in exchanges if e.status == 429), None)
    if throttled is not None:
        # throttling is never a finding: the case could not be judged
        return CheckOutcome(check_id, "skipped",
                            f"{label}: still throttled (429) after {throttled.attempts} attempts",
                            rule_id=label, exchange=throttled, reproduction=reproduction)
    answers = [parse_answer(e) for e in exchanges]
    missing = next((e for e in exchanges if e.status is None), None)
    if missing is not None:
        return CheckOutcome(check_id, "error", f"{label}: no answer: {missing.error}",
                            rule_id=label, exchange=missing, reproduction=reproduction)
    failure = check.run(case, answers)
    if failure is None:
        return CheckOutcome(check_id, "passed", f"{label}: {check.description}",
                            rule_id=label, exchange=last, reproduction=reproduction)
    return CheckOutcome(check_id, "failed", f"{label}: {failure.message}", rule_id=label,
                        expected=failure.expected, actual=failure.actual, exchange=last,
                        reproduction=reproduction)


def judge_all(case: Case, exchanges: Sequence[WireExchange], *,
              checks: Sequence[Check] | None = None,
              reproduction: Reproduction | None = None) -> list[CheckOutcome]:
    """Every check (of ``checks``, default all) that applies to ``case``, judged."""
    chosen = list(CHECKS.values()) if checks is None else checks
    return [judge(c.id, case, exchanges, reproduction)
            for c in applicable_checks(case.plan, chosen)]
