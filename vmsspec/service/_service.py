"""The reference service: one sans-IO model of CreateTask that every adapter serves.

A request goes through the checks in the order a real gateway applies them: routing
(Action and Version), authentication (the signature), body parsing, then the
contract's Expectation, then the task state (idempotency, dry runs, the running-task
limit). Every answer is the vendor's envelope; nothing here raises on bad input.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

import orjson

from .._endpoint import DEFAULT_REGION, VERSION
from .._endpoint import DEFAULT_SERVICE as SERVICE
from .._errors import error_code
from ..contract import (
    DOCUMENTED,
    Expectation,
    Profile,
    UnusableBody,
    parse_body,
    request_validator,
)
from ..signing import CredentialStore, Secret, verify_request
from ._faults import FaultQueue
from ._http import HttpRequest, HttpResponse
from ._recording import Exchange, Recorder

logger = logging.getLogger("vmsspec.service")

__all__ = [
    "MAX_ACTIVE_TASKS",
    "TEST_ACCESS_KEY",
    "TEST_SECRET_KEY",
    "ReferenceService",
    "Task",
]

# The embedded test key pair: public, documented, accepted by default so that a
# newcomer can sign requests against `vmsspec serve` with no set-up. Not a secret.
TEST_ACCESS_KEY = "AKLTvmsspecTestAccessKey0000000000"
TEST_SECRET_KEY = "vmsspecTestSecretKeyNotSecret0000000000=="  # noqa: S105 - public by design

# FACTS: at most 50 running tasks per account, answered ExceedTaskNumLimit (the VMS
# business code) rather than the seed's generic QuotaExceeded.
MAX_ACTIVE_TASKS = 50
MAX_BODY_BYTES = 32 * 1024 * 1024
_JSON = (("Content-Type", "application/json; charset=utf-8"),)


@dataclass
class Task:
    task_open_id: str
    name: str
    state: str
    """``created`` (Start false), ``running``, ``paused`` or ``stopped``."""
    body: dict[str, Any]
    client_token: str | None
    fingerprint: str


def _fingerprint(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


class _Rejection(Exception):
    """Internal control flow: becomes an error envelope, never escapes ``handle``."""

    def __init__(self, code: str, parameter: str | None = None) -> None:
        self.code, self.parameter = code, parameter


class ReferenceService:
    """CreateTask (plus StopTask, PauseTask, ResumeTask) as the contract describes it.

    Thread-safe: the in-process mock and a real-port server may share one instance.
    """

    def __init__(
        self,
        *,
        credentials: Mapping[str, str | Secret] | None = None,
        profile: str | Profile = DOCUMENTED,
        region: str = DEFAULT_REGION,
        clock: Callable[[], datetime] | None = None,
        max_skew: timedelta = timedelta(minutes=15),
        max_body_bytes: int = MAX_BODY_BYTES,
        max_active_tasks: int = MAX_ACTIVE_TASKS,
    ) -> None:
        self.credentials = CredentialStore(
            credentials if credentials is not None else {TEST_ACCESS_KEY: TEST_SECRET_KEY})
        self._validate = request_validator(profile)
        self.profile = self._validate.profile
        self.region = region
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.max_skew = max_skew
        self.max_body_bytes = max_body_bytes
        self.max_active_tasks = max_active_tasks
        self.faults = FaultQueue()
        self.recorder = Recorder()
        self._tasks: dict[str, Task] = {}
        self._by_token: dict[str, Task] = {}
        self._active = 0
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        # Ids need to be unique, not secret: a seeded PRNG spares the two urandom system
        # calls per request that `secrets` costs (measured: ~3 µs of a ~115 µs call).
        self._random = random.Random()  # noqa: S311 - ids, not keys
        self._actions: dict[str, Callable[[dict[str, Any], Expectation | None], Any]] = {
            "CreateTask": self._create_task,
            "StopTask": lambda body, _: self._transition(body, "stopped"),
            "PauseTask": lambda body, _: self._transition(body, "paused"),
            "ResumeTask": lambda body, _: self._transition(body, "running"),
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

    def reset(self) -> None:
        """Forget tasks, recorded exchanges and pending faults."""
        with self._lock:
            self._tasks.clear()
            self._by_token.clear()
            self._active = 0
        self.recorder.clear()
        self.faults.clear()

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

    def _handle(self, request: HttpRequest) -> HttpResponse:
        now = self.clock()
        path, _, query = request.target.partition("?")
        path = path or "/"
        params = _query_params(query)
        action = params.get("Action") or "CreateTask"
        version = params.get("Version") or VERSION
        fault = self.faults.next() if self.faults else None
        delay = 0.0
        if fault is not None and fault.kind == "latency":
            delay, fault = fault.latency, None
        signature: str | None = None
        reason = ""
        violations: tuple[tuple[str, str, str], ...] = ()
        try:
            try:
                action = self._route(path, params)
                if request.body_too_large or len(request.body) > self.max_body_bytes:
                    # A gateway refuses what it will not read before it checks a signature.
                    raise _Rejection("QuotaExceeded", "body")
            except _Rejection as rejection:
                where = "body:size" if rejection.code == "QuotaExceeded" else "query:route"
                violations = ((rejection.code, rejection.parameter or "Action", where),)
                raise
            verification = verify_request(
                request.method, path, query, request.headers, request.body,
                credentials=self.credentials, now=now, max_skew=self.max_skew,
                service=SERVICE)
            if not verification.ok:
                signature, reason = verification.code, verification.reason
            # The verdict on the request is computed in full even when an earlier check
            # decides the answer, so that the recording says everything that was wrong.
            body: dict[str, Any] | None = None
            unusable: _Rejection | None = None
            try:
                body = self._parse(request)
            except _Rejection as rejection:
                unusable = rejection
                violations = ((rejection.code, rejection.parameter or "body", "body:parse"),)
            expectation = None
            if action == "CreateTask" and body is not None:
                try:
                    expectation = self._validate(body)
                except UnusableBody:
                    # parsed, but nested deeper than the validator goes: no CreateTask
                    # body is, so it is treated like one that does not parse
                    body, unusable = None, _Rejection("InvalidParameter", "body")
                    violations = (("InvalidParameter", "body", "body:parse"),)
                else:
                    if expectation.violations:
                        violations = tuple(
                            (v.code, v.parameter, v.rule) for v in expectation.violations)
            if fault is not None:
                raise _Rejection("InternalError" if fault.kind == "internal-error"
                                 else "Throttling")
            if signature is not None:
                raise _Rejection(signature)
            if unusable is not None or body is None:
                raise unusable or _Rejection("InvalidParameter", "body")
            if expectation is not None and not expectation.ok:
                first = expectation.violations[0]
                raise _Rejection(first.code, first.parameter)
            result = self._actions[action](body, expectation)
            response = self._envelope(now, 200, action, version, result=result)
            code = None
        except _Rejection as rejection:
            code = rejection.code
            response = self._envelope(now, error_code(code).status, action, version,
                                      error=rejection)
        self.recorder.record(
            request, status=response.status, code=code, signature=signature,
            signature_reason=reason, violations=violations,
            fault=fault.kind if fault is not None else None)
        if delay:
            return HttpResponse(response.status, response.headers, response.body, delay)
        return response

    # -- the gateway's checks ---------------------------------------------------------

    def _route(self, path: str, params: Mapping[str, str]) -> str:
        action, version = params.get("Action"), params.get("Version")
        if path != "/" or action not in self._actions or version != VERSION:
            raise _Rejection("InvalidActionOrVersion")
        return action

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

    # -- actions ----------------------------------------------------------------------

    def _create_task(self, body: dict[str, Any], expectation: Expectation | None) -> Any:
        assert expectation is not None
        token = body.get("ClientToken")
        fingerprint = _fingerprint(body) if token is not None else ""
        fail_list = [item.as_dict() for item in expectation.fail_list]
        with self._lock:
            if token is not None and token in self._by_token:
                previous = self._by_token[token]
                if previous.fingerprint != fingerprint:
                    raise _Rejection("IdempotentParameterMismatch")
                return {"TaskOpenId": previous.task_open_id, "FailList": fail_list}
            if expectation.dry_run:
                raise _Rejection("DryRunOperation")
            if self._active >= self.max_active_tasks:
                raise _Rejection("ExceedTaskNumLimit")
            task_open_id = f"{next(self._ids)}{self._random.getrandbits(32):08x}"
            task = Task(task_open_id, str(body.get("Name", "")),
                        "running" if body.get("Start") else "created", body, token, fingerprint)
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
            task.state = target
        return {"TaskOpenId": task_id, "State": target}

    # -- answers ----------------------------------------------------------------------

    def _request_id(self, now: datetime) -> str:
        # Vendor format: UTC timestamp digits, then uppercase hex (32 characters here):
        # a per-service counter keeps ids unique, the random part apart from other
        # services' (another process, another test).
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
            err: dict[str, Any] = {"Code": entry.code, "Message": entry.format(error.parameter)}
            if entry.code_n is not None:
                err["CodeN"] = entry.code_n
            metadata["Error"] = err
        else:
            doc["Result"] = result
        headers = (*_JSON, ("X-Tt-Logid", request_id))
        return HttpResponse(status, headers, orjson.dumps(doc))


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
