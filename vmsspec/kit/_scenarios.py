"""The scenarios every correct CreateTask client passes, one function each.

Each takes a :class:`Context` (the service, the adapter, the target) and raises
:class:`ScenarioFailed` with a message naming the bug, or returns. Where a behaviour
comes from: FACTS section 6 (the newer SDK retries 429/500/502/503/504 with backoff,
four attempts; the older raises on non-200), section 7 (no SDK sends integers as
strings; the generated clients raise on an HTTP 200 carrying Error).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NoReturn

from .._errors import ERROR_CODES
from ..pytest_plugin._redact import scrub, secret_forms
from ..pytest_plugin._vms import Vms
from ._checks import request_problems, success_problems
from ._params import (
    EVERY_PARAMETER,
    FAIL_LIST,
    FAIL_LIST_EXPECTED,
    MINIMAL,
    NON_ASCII,
    many_phones,
)
from ._surface import envelope_error, error_chain, error_code_of, fail_entries
from ._target import Call, ClientAdapter, ScenarioFailed, Target

__all__ = ["MAX_ATTEMPTS", "MIN_BACKOFF", "SCENARIOS", "Context", "Scenario"]

MIN_BACKOFF = 0.005
"""Seconds: a retry sooner than this after the previous attempt counts as no backoff."""
MAX_ATTEMPTS = 10
"""More attempts than this at one call is an unbounded retry loop."""
_PERSISTENT = MAX_ATTEMPTS + 5
"""A forced answer repeated this often outlasts any bounded retry policy."""
_RETRIED_STATUSES = (429, 500, 502, 503, 504)  # FACTS section 6, the newer SDK's list
# Exceptions that mean the client crashed on an answer instead of reporting it.
_CRASHES = (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError,
            IndexError)


@dataclass
class Context:
    vms: Vms
    adapter: ClientAdapter
    target: Target
    seed: int = 0
    examples: int = 10

    def call(self, params: Mapping[str, Any]) -> Call:
        return Call.make(self.adapter, self.target, params)

    def fail(self, message: str) -> NoReturn:
        # A message quotes what the client raised, which may hold the secret (the
        # secret-not-in-errors scenario says so by name): masked here, in every scenario.
        raise ScenarioFailed(scrub(message, [self.target.secret_key]))

    def attempts(self) -> int:
        return len(self.vms.service.arrivals)

    def bodies(self) -> tuple[bytes, ...]:
        return self.vms.service.bodies

    def gaps(self) -> list[float]:
        times = self.vms.service.arrivals
        return [b - a for a, b in pairwise(times)]


@dataclass(frozen=True)
class Scenario:
    id: str
    summary: str
    run: Callable[[Context], None]


SCENARIOS: dict[str, Scenario] = {}


def _scenario(name: str, summary: str) -> Callable[[Callable[[Context], None]],
                                                     Callable[[Context], None]]:
    def register(run: Callable[[Context], None]) -> Callable[[Context], None]:
        SCENARIOS[name] = Scenario(name, summary, run)
        return run
    return register


# -- requests sent as given ----------------------------------------------------------


def _sent_as_given(ctx: Context, params: Mapping[str, Any], what: str) -> Call:
    call = ctx.call(params)
    exchanges = ctx.vms.current_exchanges
    if not exchanges:
        ctx.fail(f"{what}: the client sent no request (its result: {call.result!r:.120}, "
                 f"error: {call.error!r:.120})")
    problems = request_problems(exchanges[0], ctx.bodies()[0], params, ctx.target)
    if problems:
        ctx.fail(f"{what}: " + "; ".join(problems))
    problems = success_problems(call, exchanges, ctx.vms.tasks)
    if problems:
        ctx.fail(f"{what}: " + "; ".join(problems))
    return call


@_scenario("sends-every-parameter", "every documented parameter sent as given, typed, signed")
def _every_parameter(ctx: Context) -> None:
    _sent_as_given(ctx, EVERY_PARAMETER, "every documented parameter")


@_scenario("sends-generated", "generated valid parameters sent conformant (vmsspec.strategies)")
def _generated(ctx: Context) -> None:
    from hypothesis import Phase, given, seed, settings

    from .. import strategies as vst

    # No shrinking: each example costs a client call, and the first failure names the bug.
    @seed(ctx.seed)
    @settings(max_examples=ctx.examples, database=None, deadline=None,
              phases=(Phase.explicit, Phase.generate))
    @given(vst.valid_bodies(ctx.vms.config.profile, max_phones=20,
                            never=("DryRun", "ClientToken")))
    def each(params: dict[str, Any]) -> None:
        with ctx.vms.fresh():
            _sent_as_given(ctx, params, "generated parameters")

    each()


@_scenario("non-ascii", "non-ASCII text (CJK, accents, emoji) goes through unchanged")
def _non_ascii(ctx: Context) -> None:
    _sent_as_given(ctx, NON_ASCII, "non-ASCII text")


@_scenario("10000-phones", "a 10,000-phone list (the documented maximum) goes through")
def _many(ctx: Context) -> None:
    _sent_as_given(ctx, many_phones(), "a 10,000-phone list")


# -- results -----------------------------------------------------------------------


@_scenario("fail-list", "FailList entries surfaced with index, phone and type")
def _fail_list(ctx: Context) -> None:
    call = _sent_as_given(ctx, FAIL_LIST, "a list with failing phones")
    surfaced = fail_entries(call.result)
    if not surfaced:
        ctx.fail(f"FailList dropped: the service answered {len(FAIL_LIST_EXPECTED)} entries "
                 f"{list(FAIL_LIST_EXPECTED)}, the client surfaced "
                 f"{'none' if surfaced is None else 'an empty list'}")
    if sorted(surfaced, key=repr) != sorted(FAIL_LIST_EXPECTED, key=repr):
        shifted = sorted((i - 1, p, t) for i, p, t in surfaced if isinstance(i, int))
        hint = ("FailList index off by one: " if shifted == sorted(FAIL_LIST_EXPECTED)
                else "FailList entries wrong: ")
        ctx.fail(f"{hint}expected (index, phone, type) {list(FAIL_LIST_EXPECTED)}, "
                 f"the client surfaced {surfaced}")


# -- errors ------------------------------------------------------------------------


def _raises_code(ctx: Context, code: str, what: str, **force: Any) -> BaseException:
    ctx.vms.respond_next(code, count=_PERSISTENT, **force)
    call = ctx.call(MINIMAL)
    if call.error is None:
        carried = envelope_error(call.result)
        if carried is not None:
            ctx.fail(f"{what}: returned as a result, not raised: {carried}")
        ctx.fail(f"{what}: the client reported success ({call.result!r:.120})")
    if not error_code_of(call.error, code):
        ctx.fail(f"{what}: the client raised {type(call.error).__name__}: "
                 f"{str(call.error)[:200]!r}, which does not carry the code {code}")
    return call.error


def _error_scenario(code: str) -> None:
    entry = ERROR_CODES[code]

    def run(ctx: Context) -> None:
        parameter = "Name" if "%s" in entry.message else None
        _raises_code(ctx, code, f"{code} (HTTP {entry.status})", parameter=parameter)

    SCENARIOS[f"error-{code}"] = Scenario(
        f"error-{code}", f"{code} (HTTP {entry.status}) surfaced as an error carrying it", run)


for _code in ERROR_CODES:
    _error_scenario(_code)


@_scenario("error-in-http-200", "an HTTP 200 carrying Error is an error, not a success")
def _error_200(ctx: Context) -> None:
    _raises_code(ctx, "InvalidParameter", "an HTTP 200 carrying Error treated as success",
                 parameter="Name", status=200)


@_scenario("non-json-502", "a non-JSON 502 page gives a clear client error, no decoding crash")
def _gateway(ctx: Context) -> None:
    ctx.vms.respond_next(gateway_502=True, count=_PERSISTENT)
    call = ctx.call(MINIMAL)
    if call.error is None:
        ctx.fail(f"a non-JSON 502: the client reported success ({call.result!r:.120})")
    if type(call.error) in (*_CRASHES, ValueError) or isinstance(call.error, _CRASHES):
        ctx.fail(f"a crash on a non-JSON 502: {type(call.error).__name__}: "
                 f"{str(call.error)[:160]} (expected an error saying the gateway answered 502)")
    if "502" not in " ".join(str(e) for e in error_chain(call.error)):
        ctx.fail(f"a non-JSON 502: the error does not say 502: {type(call.error).__name__}: "
                 f"{str(call.error)[:160]}")


@_scenario("dropped-connection", "a connection closed without an answer: retried, or a clear error")
def _dropped(ctx: Context) -> None:
    ctx.vms.respond_next(drop=True)
    call = ctx.call(MINIMAL)
    if call.error is not None:
        if isinstance(call.error, _CRASHES):
            ctx.fail(f"a crash on a dropped connection: {type(call.error).__name__}: "
                     f"{str(call.error)[:160]}")
        return
    problems = success_problems(call, ctx.vms.current_exchanges, ctx.vms.tasks)
    if problems:
        ctx.fail("after a dropped connection: " + "; ".join(problems))


@_scenario("secret-not-in-errors", "the secret key appears in no raised error")
def _secret(ctx: Context) -> None:
    forms = secret_forms(ctx.target.secret_key)
    for force in ({"code": "SignatureDoesNotMatch"}, {"code": "InvalidAccessKey"},
                  {"code": "InternalError", "count": _PERSISTENT},
                  {"gateway_502": True, "count": _PERSISTENT}, {"drop": True,
                                                                "count": _PERSISTENT}):
        ctx.vms.reset()
        ctx.vms.respond_next(**force)
        call = ctx.call(MINIMAL)
        for exc in error_chain(call.error) if call.error is not None else ():
            text = " ".join([str(exc), repr(exc), *map(repr, exc.args)])
            if any(form in text for form in forms):
                ctx.fail(f"the secret key in an error message: {type(exc).__name__} raised "
                         f"on {force} contains it (it is masked here)")


# -- retries and time --------------------------------------------------------------


def _backoff_problem(ctx: Context) -> str | None:
    quick = [g for g in ctx.gaps() if g < MIN_BACKOFF]
    if quick:
        return (f"retried without backoff: {len(quick)} retr{'y' if len(quick) == 1 else 'ies'} "
                f"within {MIN_BACKOFF * 1000:.0f} ms of the previous attempt "
                f"(shortest {min(quick) * 1000:.2f} ms)")
    return None


def _retry_scenario(name: str, status: int, force: dict[str, Any]) -> None:
    def run(ctx: Context) -> None:
        ctx.vms.respond_next(count=2, **force)
        call = ctx.call(MINIMAL)
        attempts = ctx.attempts()
        if attempts == 1:
            ctx.fail(f"no retry on {status}: one attempt, the client surfaced "
                     f"{type(call.error).__name__ if call.error else 'a result'}"
                     f"{': ' + str(call.error)[:120] if call.error else ''}")
        problem = _backoff_problem(ctx)
        if problem:
            ctx.fail(f"{status}: {problem}")
        problems = success_problems(call, ctx.vms.current_exchanges, ctx.vms.tasks)
        if problems:
            ctx.fail(f"retried {status} {attempts} times, then: " + "; ".join(problems))

    SCENARIOS[name] = Scenario(name, f"HTTP {status} retried with backoff until it succeeds", run)


_retry_scenario("retries-429", 429, {"code": "Throttling"})
_retry_scenario("retries-500", 500, {"code": "InternalError"})
_retry_scenario("retries-502", 502, {"gateway_502": True})
_retry_scenario("retries-503", 503, {"code": "InternalError", "status": 503})


@_scenario("bounded-retries", "a 429 that never ends: bounded attempts with backoff, then an error")
def _bounded(ctx: Context) -> None:
    ctx.vms.respond_next("Throttling", count=_PERSISTENT * 4)
    call = ctx.call(MINIMAL)
    attempts = ctx.attempts()
    problem = _backoff_problem(ctx)
    if attempts > MAX_ATTEMPTS:
        ctx.fail(f"unbounded retries: {attempts} attempts at one call (at most {MAX_ATTEMPTS})"
                 + (f"; {problem}" if problem else ""))
    if problem:
        ctx.fail(problem)
    if call.error is None or not error_code_of(call.error, "Throttling"):
        ctx.fail(f"after {attempts} throttled attempts the client surfaced "
                 f"{call.error!r:.160} instead of an error carrying Throttling")


def _no_retry_scenario(status: int, code: str) -> None:
    name = f"no-retry-{status}"

    def run(ctx: Context) -> None:
        parameter = "Name" if "%s" in ERROR_CODES[code].message else None
        ctx.vms.respond_next(code, parameter=parameter)
        call = ctx.call(MINIMAL)
        if ctx.attempts() > 1:
            ctx.fail(f"a retried {status}: {code} (HTTP {status}) is final, the client sent "
                     f"{ctx.attempts()} attempts")
        if call.error is None or not error_code_of(call.error, code):
            ctx.fail(f"{code} (HTTP {status}): the client surfaced "
                     f"{call.error or call.result!r:.160}")

    SCENARIOS[name] = Scenario(name, f"{code} (HTTP {status}) is not retried", run)


_no_retry_scenario(400, "InvalidParameter")
_no_retry_scenario(401, "SignatureDoesNotMatch")
_no_retry_scenario(403, "AccessDenied")
_no_retry_scenario(404, "InvalidActionOrVersion")


@_scenario("timeout", "an answer slower than the client's timeout is not waited for")
def _timeout(ctx: Context) -> None:
    delay = ctx.target.timeout * 4
    ctx.vms.respond_next(delay=delay)
    call = ctx.call(MINIMAL)
    if call.elapsed >= delay:
        ctx.fail(f"no timeout: the client waited {call.elapsed:.2f} s for an answer delayed "
                 f"{delay:.2f} s (configured timeout {ctx.target.timeout} s)")
    if call.error is None and success_problems(call, ctx.vms.current_exchanges, ctx.vms.tasks):
        ctx.fail(f"after a timeout the client surfaced neither an error nor the task: "
                 f"{call.result!r:.160}")
