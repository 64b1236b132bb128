"""Deliberately broken CreateTask servers, each wrong in one documented way.

Each is a ReferenceService subclass (served on loopback by ThreadedServer), so that
everything but its one defect is the reference behaviour: a conformance run must name
exactly that defect.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import httpx
import orjson

import vmsspec
from vmsspec import HttpRequest, HttpResponse, ReferenceService
from vmsspec.contract import DOCUMENTED, Expectation
from vmsspec.signing import sign_request

__all__ = [
    "AcceptsAnySignature",
    "CountsCreates",
    "ErrorsWith200",
    "IgnoresDryRun",
    "InternalErrorOnLongPhoneLists",
    "MissingAsInvalid",
    "RecordingProxy",
    "SlowOn",
    "Throttles",
    "accepts_out_of_range_ring_again",
]


def _json_body(request: HttpRequest) -> Any:
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return None


def accepts_out_of_range_ring_again() -> ReferenceService:
    """Does not enforce the maximum of RingAgainTimes (a profile with the rule off)."""
    return ReferenceService(profile=DOCUMENTED.disable(["RingAgainTimes:maximum"]))


class AcceptsAnySignature(ReferenceService):
    """Re-signs every request itself before checking it: no signature is ever refused."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        path, _, query = request.target.partition("?")
        # "Host" spelled so: the signer signs only that spelling, the verifier requires it
        keep = [("Host" if k.lower() == "host" else k, v) for k, v in request.headers
                if k.lower() not in ("authorization", "x-date", "x-content-sha256",
                                     "x-security-token")]
        signed = sign_request(
            request.method, path or "/", vmsspec.signing.parse_query(query), keep, request.body,
            access_key=vmsspec.TEST_ACCESS_KEY, secret_key=vmsspec.TEST_SECRET_KEY,
            region=self.region, service="vms", now=self.clock())
        return super().handle(dataclasses.replace(request, headers=tuple(signed.headers.items())))


def _rewrite(response: HttpResponse, edit: Any) -> HttpResponse:
    doc = orjson.loads(response.body)
    status = edit(response.status, doc)
    return HttpResponse(status, response.headers, orjson.dumps(doc), response.delay)


class MissingAsInvalid(ReferenceService):
    """Answers a missing parameter with InvalidParameter instead of MissingParameter."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        response = super().handle(request)

        def edit(status: int, doc: dict[str, Any]) -> int:
            err = doc["ResponseMetadata"].get("Error")
            if err and err["Code"] == "MissingParameter":
                err["Code"] = "InvalidParameter"
                err["Message"] = err["Message"].replace("The required parameter",
                                                        "The specified parameter").replace(
                    "is missing.", "is invalid.")
                err.pop("CodeN", None)
            return status
        return _rewrite(response, edit)


class ErrorsWith200(ReferenceService):
    """Sends every error envelope with HTTP 200."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        return _rewrite(super().handle(request),
                        lambda status, doc: 200 if "Error" in doc["ResponseMetadata"] else status)


class IgnoresDryRun(ReferenceService):
    """Creates the task even when the body says DryRun: true."""

    def _create_task(self, body: dict[str, Any], expectation: Expectation | None,
                     sent: bytes) -> Any:
        if expectation is not None:
            expectation = dataclasses.replace(expectation, dry_run=False)
        return super()._create_task(body, expectation, sent)


class InternalErrorOnLongPhoneLists(ReferenceService):
    """Answers 500 InternalError to any PhoneList longer than 100 phones."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        body = _json_body(request)
        if isinstance(body, dict) and isinstance(body.get("PhoneList"), list) and len(
                body["PhoneList"]) > 100:
            self.faults.inject("internal-error", 1)
        return super().handle(request)


class Throttles(ReferenceService):
    """Correct, but answers 429 with Retry-After to every ``every``-th API request."""

    def __init__(self, *, every: int = 40, retry_after: str = "1", **kw: Any) -> None:
        super().__init__(**kw)
        self.every, self.retry_after = every, retry_after
        self.count = 0
        self.throttled_at: list[float] = []
        self.after_throttle: list[float] = []
        self._mutex = threading.Lock()

    def handle(self, request: HttpRequest) -> HttpResponse:
        with self._mutex:
            self.count += 1
            throttle = self.count % self.every == 0
            if self.throttled_at and len(self.after_throttle) < len(self.throttled_at):
                self.after_throttle.append(time.monotonic())
            if throttle:
                self.throttled_at.append(time.monotonic())
        if throttle:
            self.faults.inject("throttle", 1)
            response = super().handle(request)
            return HttpResponse(response.status,
                                (*response.headers, ("Retry-After", self.retry_after)),
                                response.body)
        return super().handle(request)


class CountsCreates(ReferenceService):
    """Conformant; ``created`` is set when a CreateTask first creates a task, and
    ``open_at_signal`` is what the test saw open when it interrupted the run."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.created = threading.Event()

    def _create_task(self, body: dict[str, Any], expectation: Expectation | None,
                     sent: bytes) -> Any:
        result = super()._create_task(body, expectation, sent)
        self.created.set()
        return result


class RecordingProxy(ReferenceService):
    """Forwards every request unchanged to ``upstream`` and records what passed."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream
        self.seen: list[tuple[str, str, bytes]] = []
        self._client = httpx.Client(base_url=upstream, trust_env=False)

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.seen.append((request.method, request.target, request.body))
        r = self._client.request(request.method, request.target, headers=list(request.headers),
                                 content=request.body)
        keep = tuple((k, v) for k, v in r.headers.multi_items()
                     if k.lower() not in ("content-length", "transfer-encoding", "connection"))
        return HttpResponse(r.status_code, keep, r.content)


class SlowOn(ReferenceService):
    """Answers bodies containing ``marker`` only after ``delay`` seconds."""

    def __init__(self, marker: bytes, delay: float) -> None:
        super().__init__()
        self.marker, self.delay = marker, delay

    def handle(self, request: HttpRequest) -> HttpResponse:
        response = super().handle(request)
        if self.marker in request.body:
            return dataclasses.replace(response, delay=self.delay)
        return response
