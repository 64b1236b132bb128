"""The reference service: one sans-IO model of CreateTask that every adapter serves.

A request goes through the checks in the order a real gateway applies them: the HTTP
form (Host), routing (POST, Action and Version), the body's size, authentication (the
signature and its region), then, only for a request that authenticated, the media type,
the body's parse and the contract's Expectation, then the task state (idempotency, dry
runs, the running-task limit). Work is in proportion to trust (issue 12): a request
refused before authentication succeeds costs at most hashing its body, and its record
says it was not validated. Every answer is the vendor's envelope; nothing here raises on
bad input.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

import orjson

from .._endpoint import DEFAULT_SERVICE as SERVICE
from .._endpoint import VERSION
from .._errors import REFUSALS, error_code
from ..contract import (
    DOCUMENTED,
    Expectation,
    Profile,
    UnusableBody,
    parse_body,
    request_validator,
)
from ..contract._python_rules import _DESC as FAIL_DESC
from ..signing import CredentialStore, Secret
from ..signing._checks import header_index
from ..signing._verifier import verify_indexed
from ._faults import FaultQueue, ForcedAnswer, Predicate, forced_answer, parse_forced
from ._gateway import (
    GATEWAY_502_PAGE,
    MISSING_CONTENT_TYPE,
    content_type_refusal,
    host_refusal,
)
from ._http import HttpRequest, HttpResponse
from ._recording import Exchange, Recorder

logger = logging.getLogger("vmsspec.service")

__all__ = [
    "DEFAULT_REGIONS",
    "MAX_ACTIVE_TASKS",
    "MAX_STOPPED_TASKS",
    "TEST_ACCESS_KEY",
    "TEST_SECRET_KEY",
    "ReferenceService",
    "Task",
]

# The embedded test key pair: public, documented, accepted by default so that a
# newcomer can sign requests against `vmsspec serve` with no set-up. Not a secret.
TEST_ACCESS_KEY = "AKLTvmsspecTestAccessKey0000000000"
TEST_SECRET_KEY = "vmsspecTestSecretKeyNotSecret0000000000=="  # noqa: S105 - public by design

# FACTS 7 and erratum 13: the seed and the generated SDKs sign for cn-beijing, the older
# SDKs and the hand-written VMS clients for cn-north-1. The first is the one echoed.
DEFAULT_REGIONS: tuple[str, ...] = ("cn-beijing", "cn-north-1")
# FACTS: at most 50 running tasks per account, answered ExceedTaskNumLimit (the VMS
# business code) rather than the seed's generic QuotaExceeded.
MAX_ACTIVE_TASKS = 50
MAX_STOPPED_TASKS = 10_000
"""Stopped tasks remembered (oldest forgotten first): they can only be listed or
refused a resume, so a long CI run must not grow without bound (issue 12 item 4)."""
MAX_BODY_BYTES = 32 * 1024 * 1024
_Index = tuple[dict[str, str], set[str]]
"""``header_index``: lower-cased header name -> last value, and the names sent twice."""
_JSON = (("Content-Type", "application/json; charset=utf-8"),)
_HTML = (("Content-Type", "text/html"),)


@dataclass
class Task:
    task_open_id: str
    name: str
    state: str
    """``created`` (Start false), ``running``, ``paused`` or ``stopped``."""
    body: dict[str, Any] | None
    """The request that created it; None once stopped (nothing can return it then)."""
    client_token: str | None
    fingerprint: str = ""
    """The SHA-256 of its parameters (keys sorted), for ``ClientToken`` repeats: "" until
    a repeat sends other bytes, or the task is stopped (then its body is forgotten)."""
    sent: bytes | None = None
    """The body as sent, kept while ``body`` is: a retry sends the same bytes, and equal
    bytes are equal parameters, so no fingerprint is needed for it."""


def _fingerprint(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _task_fingerprint(task: Task) -> str:
    """The task's fingerprint, computed the first time it is needed."""
    if not task.fingerprint and task.body is not None:
        task.fingerprint = _fingerprint(task.body)
    return task.fingerprint


class _Rejection(Exception):
    """Internal control flow: becomes an error envelope, never escapes ``handle``."""

    def __init__(self, code: str, parameter: str | None = None, *,
                 message: str | None = None, rule: str = "") -> None:
        self.code, self.parameter, self.message, self.rule = code, parameter, message, rule

    @classmethod
    def refusal(cls, key: str) -> _Rejection:
        entry = REFUSALS[key]
        return cls(entry.code, entry.parameter, rule=entry.rule)


@dataclass
class _Outcome:
    """What the record says about one request, filled in as the checks run."""

    signature: str | None = None
    signature_reason: str = ""
    signature_explain: str = ""
    violations: tuple[tuple[str, str, str], ...] = ()
    validated: bool = True
    not_validated_reason: str = ""
    region: str | None = None
    fault: str | None = None
    fail_types: tuple[str, ...] = ()

    def not_validated(self, reason: str) -> None:
        self.validated, self.not_validated_reason = False, reason


class ReferenceService:
    """CreateTask (plus StopTask, PauseTask, ResumeTask) as the contract describes it.

    Thread-safe: the in-process mock and a real-port server may share one instance.
    """

    def __init__(
        self,
        *,
        credentials: Mapping[str, str | Secret] | None = None,
        profile: str | Profile = DOCUMENTED,
        regions: Iterable[str] = DEFAULT_REGIONS,
        region: str | None = None,
        missing_content_type: str = "json",
        clock: Callable[[], datetime] | None = None,
        max_skew: timedelta = timedelta(minutes=15),
        max_body_bytes: int = MAX_BODY_BYTES,
        max_active_tasks: int = MAX_ACTIVE_TASKS,
        max_stopped_tasks: int = MAX_STOPPED_TASKS,
    ) -> None:
        self.credentials = CredentialStore(
            credentials if credentials is not None else {TEST_ACCESS_KEY: TEST_SECRET_KEY})
        self._validate = request_validator(profile)
        self.profile = self._validate.profile
        self.regions = tuple(dict.fromkeys([regions] if isinstance(regions, str) else regions))
        if not self.regions or not all(isinstance(r, str) and r for r in self.regions):
            raise ValueError("regions must name at least one region")
        self.region = region if region is not None else self.regions[0]
        """What ResponseMetadata.Region echoes."""
        if missing_content_type not in MISSING_CONTENT_TYPE:
            raise ValueError(f"missing_content_type must be one of "
                             f"{', '.join(MISSING_CONTENT_TYPE)}, not {missing_content_type!r}")
        self.missing_content_type = missing_content_type
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.max_skew = max_skew
        self.max_body_bytes = max_body_bytes
        self.max_active_tasks = max_active_tasks
        self.max_stopped_tasks = max_stopped_tasks
        self.faults = FaultQueue()
        """Pending forced answers (``respond_next``); ``faults.inject`` is the older API."""
        self.recorder = Recorder()
        self._tasks: dict[str, Task] = {}
        self._by_token: dict[str, Task] = {}
        self._stopped: deque[str] = deque()
        self._active = 0
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        # Ids need to be unique, not secret: a seeded PRNG spares the two urandom system
        # calls per request that `secrets` costs (measured: ~3 µs of a ~115 µs call).
        self._random = random.Random()  # noqa: S311 - ids, not keys
        self._last_stamp: tuple[tuple[int, ...], str] = ((), "")
        self._actions: dict[str, Callable[[dict[str, Any], Expectation | None, bytes], Any]] = {
            "CreateTask": self._create_task,
            "StopTask": lambda body, _, __: self._transition(body, "stopped"),
            "PauseTask": lambda body, _, __: self._transition(body, "paused"),
            "ResumeTask": lambda body, _, __: self._transition(body, "running"),
        }

    # -- public API -------------------------------------------------------------------

    @property
    def tasks(self) -> dict[str, Task]:
        with self._lock:
            return dict(self._tasks)

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        return self.recorder.exchanges

    def assert_all_conformant(self) -> None:
        """Raise one readable AssertionError listing every request that broke the contract."""
        __tracebackhide__ = True
        self.recorder.assert_all_conformant()

    def reset(self, *, keep_recording: bool = False) -> None:
        """Forget tasks and pending forced answers, and the recording unless kept."""
        with self._lock:
            self._tasks.clear()
            self._by_token.clear()
            self._stopped.clear()
            self._active = 0
        if not keep_recording:
            self.recorder.clear()
        self.faults.clear()

    def respond_next(
        self, code: str | None = None, *, parameter: str | None = None,
        status: int | None = None, gateway_502: bool = False, drop: bool = False,
        delay: float = 0.0, fail_items: Sequence[tuple[int, str]] = (), count: int = 1,
        when: Predicate | Mapping[str, Any] | None = None,
    ) -> None:
        """Force the answer to the next ``count`` API calls (or the calls whose parsed body
        ``when`` matches: a predicate, or a mapping of top-level fields that must be equal).

        ``code``: any code of ``vmsspec.ERROR_CODES`` with its status and message
        (``parameter`` fills the message's ``%s``; ``status`` overrides the status, e.g.
        200 for an HTTP 200 carrying ``ResponseMetadata.Error``); ``gateway_502``: a
        non-JSON HTML 502 page; ``drop``: no answer at all (the adapter closes the
        connection or raises ``httpx.RemoteProtocolError``); ``fail_items``: the call is
        handled as usual and, if it succeeds, its FailList carries these ``(index, Type)``
        entries (CreateTask calls only); ``delay``: seconds to wait before answering (alone:
        then handled as usual). A code, 502 or drop creates nothing.

        Only a call that reached the API uses one up: a wrong path, method or Action, or
        the control path, leave it pending. A call whose signature is refused takes only
        an unconditional code, 502, drop or delay (its body is never parsed, so ``when``
        and ``fail_items`` wait for an authenticated call). At most
        ``faults.MAX_PENDING`` answers wait at once (ValueError past it).
        """
        self.faults.push(forced_answer(
            code, parameter=parameter, status=status, gateway_502=gateway_502, drop=drop,
            delay=delay, fail_items=fail_items, when=when), count)

    def force_from_json(self, doc: object) -> int:
        """The control path's ``respond_next``: the same fields as a JSON object (``when``
        an object of fields), strict; ValueError with one line on bad input. Returns how
        many forced answers are pending."""
        answer, count = parse_forced(doc)
        return self.faults.push(answer, count)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one API request. Never raises for anything the client sent."""
        try:
            return self._handle(request)
        except Exception:
            # A bug in vmsspec, not the client's doing: log it for us, and answer the
            # client the way the vendor answers its own failures (tests assert no 500).
            logger.exception("vmsspec reference service failed on %r", request)
            return self._envelope(self.clock(), 500, "CreateTask", VERSION,
                                  error=_Rejection("InternalError"))

    # -- the pipeline -----------------------------------------------------------------

    def _handle(self, request: HttpRequest) -> HttpResponse:
        now = self.clock()
        path, _, query = request.target.partition("?")
        path = path or "/"
        params = _query_params(query)
        action = params.get("Action") or "CreateTask"
        version = params.get("Version") or VERSION
        outcome = _Outcome()
        forced: ForcedAnswer | None = None
        fail_list: list[dict[str, Any]] | None = None
        # One index of the headers for the gateway's checks and the verifier's.
        index = header_index(request.headers)
        try:
            try:
                action = self._gateway(request, path, params, index)
            except _Rejection as rejection:
                outcome.violations = ((rejection.code, rejection.parameter or "",
                                       rejection.rule),)
                outcome.not_validated(f"refused before authentication: {rejection.code}")
                raise
            refused = self._authenticate(request, path, query, now, outcome, index)
            body: dict[str, Any] | None = None
            unusable: _Rejection | None = None
            expectation: Expectation | None = None
            if refused is None:  # work in proportion to trust: only now read the body
                body, unusable = self._read_body(request, outcome, index)
                expectation, unusable = self._expect(action, body, outcome, unusable)
            if self.faults:
                forced = self.faults.take(action, body, trusted=refused is None)
                outcome.fault = forced.label if forced is not None else None
            if forced is not None and forced.replaces_answer:
                return self._forced(request, forced, now, action, version, outcome)
            if refused is not None:
                raise refused
            if unusable is not None or body is None:
                raise unusable or _Rejection("InvalidParameter", "body")
            if expectation is not None and not expectation.ok:
                first = expectation.violations[0]
                raise _Rejection(first.code, first.parameter)
            result = self._actions[action](body, expectation, request.body)
            if forced is not None and forced.fail_items and "FailList" in result:
                result = {**result, "FailList": _forced_fail_list(
                    result["FailList"], forced.fail_items, body)}
            fail_list = result.get("FailList")
            response = self._envelope(now, 200, action, version, result=result)
            code = None
        except _Rejection as rejection:
            code = rejection.code
            status = error_code(code).status
            response = self._envelope(now, status, action, version, error=rejection)
        if fail_list:
            outcome.fail_types = tuple(str(item["Type"]) for item in fail_list)
        self._record(request, response.status, code, outcome)
        if forced is not None and forced.delay:
            return HttpResponse(response.status, response.headers, response.body, forced.delay)
        return response

    def _gateway(self, request: HttpRequest, path: str, params: Mapping[str, str],
                 index: _Index) -> str:
        """Host, route, method and size: what a gateway refuses before authentication."""
        refusal = host_refusal(request, index)
        if refusal is not None:
            raise _Rejection.refusal(refusal)
        action, version = params.get("Action"), params.get("Version")
        if path != "/" or action not in self._actions or version != VERSION:
            raise _Rejection.refusal("route")
        if request.method.upper() != "POST":
            # Routing ignores the method's letter case; the signature, which covers the
            # method as sent, then refuses a "post" (the strategies' method-changed case).
            raise _Rejection.refusal("method")
        if request.body_too_large or len(request.body) > self.max_body_bytes:
            # A gateway refuses what it will not read before it checks a signature.
            raise _Rejection.refusal("body-size")
        return action

    def _authenticate(self, request: HttpRequest, path: str, query: str, now: datetime,
                      outcome: _Outcome, index: _Index) -> _Rejection | None:
        """None when the request authenticated, else the refusal to answer (recorded)."""
        verification = verify_indexed(
            request.method, path, query, index[0], index[1], request.body,
            credentials=self.credentials, now=now, max_skew=self.max_skew, service=SERVICE,
            regions=self.regions)
        outcome.region = verification.region
        if verification.ok:
            return None
        code = verification.code or "SignatureDoesNotMatch"
        outcome.signature, outcome.signature_reason = code, verification.reason
        outcome.signature_explain = _redact_explain(verification.explain())
        outcome.not_validated(f"signature refused: {code}")
        return _Rejection(code, message=verification.message)

    def _read_body(self, request: HttpRequest, outcome: _Outcome,
                   index: _Index) -> tuple[dict[str, Any] | None, _Rejection | None]:
        """The media type, then the parse; a refusal is returned, not raised, so that a
        forced answer still applies to an authenticated request with a bad body."""
        refusal = content_type_refusal(request, self.missing_content_type, index)
        if refusal is not None:
            rejection = _Rejection.refusal(refusal)
            outcome.violations = ((rejection.code, rejection.parameter or "", rejection.rule),)
            outcome.not_validated(f"media type refused: {request.header('content-type')}")
            return None, rejection
        try:
            return self._parse(request), None
        except _Rejection as rejection:
            outcome.violations = ((rejection.code, rejection.parameter or "body", "body:parse"),)
            return None, rejection

    def _expect(self, action: str, body: dict[str, Any] | None, outcome: _Outcome,
                unusable: _Rejection | None) -> tuple[Expectation | None, _Rejection | None]:
        if action != "CreateTask" or body is None:
            return None, unusable
        try:
            expectation = self._validate(body)
        except UnusableBody:
            # parsed, but nested deeper than the validator goes: no CreateTask body is,
            # so it is treated like one that does not parse
            outcome.violations = (("InvalidParameter", "body", "body:parse"),)
            return None, _Rejection("InvalidParameter", "body")
        if expectation.violations:
            outcome.violations = tuple(
                (v.code, v.parameter, v.rule) for v in expectation.violations)
        return expectation, unusable

    def _parse(self, request: HttpRequest) -> dict[str, Any]:
        raw = request.body
        if not raw.strip():
            raise _Rejection("MissingRequestInfo", "body")
        try:
            body = parse_body(raw)
        except UnusableBody:
            raise _Rejection("InvalidParameter", "body") from None
        if not isinstance(body, dict):
            raise _Rejection("InvalidParameter", "body")
        return body

    def _forced(self, request: HttpRequest, forced: ForcedAnswer, now: datetime, action: str,
                version: str, outcome: _Outcome) -> HttpResponse:
        if forced.drop:
            response = HttpResponse(0, (), b"", forced.delay, drop=True)
            code = None
        elif forced.gateway_502:
            response = HttpResponse(502, _HTML, GATEWAY_502_PAGE, forced.delay)
            code = None
        else:
            code = forced.code
            assert code is not None
            status = forced.status if forced.status is not None else error_code(code).status
            response = self._envelope(now, status, action, version,
                                      error=_Rejection(code, forced.parameter))
            response = HttpResponse(response.status, response.headers, response.body,
                                    forced.delay)
        self._record(request, response.status, code, outcome)
        return response

    def _record(self, request: HttpRequest, status: int, code: str | None,
                outcome: _Outcome) -> None:
        self.recorder.record(
            request, status=status, code=code, signature=outcome.signature,
            signature_reason=outcome.signature_reason, violations=outcome.violations,
            fault=outcome.fault, validated=outcome.validated,
            not_validated_reason=outcome.not_validated_reason,
            signature_explain=outcome.signature_explain, fail_types=outcome.fail_types,
            region=outcome.region)

    # -- actions ----------------------------------------------------------------------

    def _create_task(self, body: dict[str, Any], expectation: Expectation | None,
                     sent: bytes) -> Any:
        assert expectation is not None
        token = body.get("ClientToken")
        fail_list = [item.as_dict() for item in expectation.fail_list]
        with self._lock:
            if token is not None and token in self._by_token:
                previous = self._by_token[token]
                if sent != previous.sent and \
                        _task_fingerprint(previous) != _fingerprint(body):
                    raise _Rejection("IdempotentParameterMismatch")
                return {"TaskOpenId": previous.task_open_id, "FailList": fail_list}
            if expectation.dry_run:
                raise _Rejection("DryRunOperation")
            if self._active >= self.max_active_tasks:
                raise _Rejection("ExceedTaskNumLimit")
            task_open_id = f"{next(self._ids)}{self._random.getrandbits(32):08x}"
            task = Task(task_open_id, str(body.get("Name", "")),
                        "running" if body.get("Start") else "created", body, token,
                        sent=sent if token is not None else None)
            self._tasks[task_open_id] = task
            self._active += 1
            if token is not None:
                self._by_token[token] = task
        return {"TaskOpenId": task_open_id, "FailList": fail_list}

    def _transition(self, body: dict[str, Any], target: str) -> Any:
        task_id = body.get("TaskOpenId")
        if task_id is None:
            raise _Rejection("MissingParameter", "TaskOpenId")
        with self._lock:
            task = self._tasks.get(task_id) if isinstance(task_id, str) else None
            if task is None:
                raise _Rejection("InvalidParameter", "TaskOpenId")
            if task.state == "stopped" and target != "stopped":
                raise _Rejection("OperationDenied")
            if task.state != "stopped" and target == "stopped":
                self._active -= 1
                self._stop(task)
            task.state = target
        return {"TaskOpenId": task_id, "State": target}

    def _stop(self, task: Task) -> None:
        # A stopped task can only be listed, refused a resume or matched by its
        # ClientToken: keep what that needs.
        if task.client_token is not None:
            _task_fingerprint(task)
        task.body = task.sent = None
        self._stopped.append(task.task_open_id)
        while len(self._stopped) > self.max_stopped_tasks:
            forgotten = self._tasks.pop(self._stopped.popleft())
            if forgotten.client_token is not None:
                self._by_token.pop(forgotten.client_token, None)

    # -- answers ----------------------------------------------------------------------

    def _request_id(self, now: datetime) -> str:
        # Vendor format: UTC timestamp digits, then uppercase hex (32 characters here):
        # a per-service counter keeps ids unique, the random part apart from other
        # services' (another process, another test).
        if now.tzinfo is timezone.utc:  # the usual clock: its fields are UTC already
            second = (now.year, now.month, now.day, now.hour, now.minute, now.second)
            if second != self._last_stamp[0]:
                self._last_stamp = (second, now.strftime("%Y%m%d%H%M%S"))
            stamp = self._last_stamp[1]
        else:
            stamp = _stamp(int(now.timestamp()))
        return f"{stamp}{next(self._ids) % 0xFFFFFF:06X}{self._random.getrandbits(48):012X}"

    def _envelope(self, now: datetime, status: int, action: str, version: str, *,
                  result: Any = None, error: _Rejection | None = None) -> HttpResponse:
        request_id = self._request_id(now)
        metadata: dict[str, Any] = {
            "RequestId": request_id, "Action": action, "Version": version,
            "Service": SERVICE, "Region": self.region,
        }
        doc: dict[str, Any] = {"ResponseMetadata": metadata}
        if error is not None:
            entry = error_code(error.code)
            err: dict[str, Any] = {"Code": entry.code,
                                   "Message": error.message or entry.format(error.parameter)}
            if entry.code_n is not None:
                err["CodeN"] = entry.code_n
            metadata["Error"] = err
        else:
            doc["Result"] = result
        headers = (*_JSON, ("X-Tt-Logid", request_id))
        return HttpResponse(status, headers, orjson.dumps(doc))


def _forced_fail_list(computed: list[dict[str, Any]], forced: tuple[tuple[int, str], ...],
                      body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The computed FailList with the forced entries in place of those at the same index."""
    phones = body.get("PhoneList")
    phones = phones if isinstance(phones, list) else []
    items = {item["Index"]: item for item in computed}
    for index, kind in forced:
        entry = phones[index] if index < len(phones) else None
        phone = entry.get("Phone") if isinstance(entry, dict) else None
        items[index] = {"Index": index, "Phone": phone if isinstance(phone, str) else "",
                        "Type": kind, "Desc": FAIL_DESC.get(kind, kind)}
    return [items[i] for i in sorted(items)]


# Verification.explain() shows the canonical request, whose signed headers and query may
# hold a session token (a secret, unlike the rest of it): the record keeps it out.
_TOKEN_LINE = re.compile(r"(?im)^(x-security-token:).*$")
_TOKEN_QUERY = re.compile(r"(?i)(X-Security-Token=)[^&\s]*")


def _redact_explain(text: str) -> str:
    return _TOKEN_QUERY.sub(r"\1<redacted>", _TOKEN_LINE.sub(r"\1<redacted>", text))


@lru_cache(maxsize=4)
def _stamp(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).strftime("%Y%m%d%H%M%S")


@lru_cache(maxsize=256)
def _query_params(query: str) -> Mapping[str, str]:
    """Each query key's first value, decoded; a repeated key keeps its first value.

    Cached: a client sends the same few query strings (Action and Version) every time.
    """
    params: dict[str, str] = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        # Not signing's parse_query: Action and Version are echoed in the answer, so
        # undecodable bytes become U+FFFD here instead of surrogates orjson refuses.
        params.setdefault(unquote(name), unquote(value))
    return MappingProxyType(params)
