"""Hand-made conformance runs for the report tests: built from the shared model, signed by
the real signer, so the reports are tested without waiting for (or trusting) the engine."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import vmsspec
from vmsspec.conformance._results import (
    CheckOutcome,
    ProbeResult,
    Reproduction,
    RuleDrift,
    RunEvent,
    RunFinished,
    RunReport,
    RunStarted,
    WireExchange,
)
from vmsspec.signing import parse_query, redact_headers

TARGET = "http://127.0.0.1:8960"
URL = f"{TARGET}/?Action=CreateTask&Version=2022-01-01"
NOW = datetime(2026, 12, 1, 9, 0, 0, tzinfo=timezone.utc)
SEED = 424242

# Planted by the redaction test: each must never reach any report, in any encoding.
SECRET_KEY = "PlantedSecretKey/with+slash=and==="
SESSION_TOKEN = "PlantedSessionToken&with<angle>\"quote\""


def body(**overrides: object) -> bytes:
    doc = json.loads(vmsspec.example_bytes())
    doc.update(overrides)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def signed_headers(payload: bytes, *, secret: str = SECRET_KEY,
                   token: str | None = SESSION_TOKEN) -> list[tuple[str, str]]:
    """Real signed headers (Authorization with a signature, X-Security-Token)."""
    signed = vmsspec.sign_request(
        "POST", "/", parse_query("Action=CreateTask&Version=2022-01-01"),
        [("Host", "127.0.0.1:8960"), ("Content-Type", "application/json")], payload,
        access_key=vmsspec.TEST_ACCESS_KEY, secret_key=secret, region="cn-beijing",
        service="vms", now=NOW, session_token=token)
    return list(signed.headers.items())


def signature_of(headers: list[tuple[str, str]]) -> str:
    auth = dict(headers)["Authorization"]
    return auth.rsplit("Signature=", 1)[1]


def exchange(payload: bytes, status: int | None, answer: dict[str, object] | None, *,
             redacted: bool = True, error: str | None = None) -> WireExchange:
    headers = signed_headers(payload)
    return WireExchange(
        method="POST", url=URL,
        headers=tuple(redact_headers(headers)) if redacted else tuple(headers),
        body=payload, status=status,
        response_headers=(("Content-Type", "application/json"),) if status else (),
        response_body=json.dumps(answer).encode() if answer is not None else b"",
        elapsed=0.0123, error=error)


def error_answer(code: str, message: str, status: int = 400) -> dict[str, object]:
    return {"ResponseMetadata": {"RequestId": "20261201090000ABCDEF0123456789ABCD",
                                 "Action": "CreateTask", "Version": "2022-01-01",
                                 "Service": "vms", "Region": "cn-beijing",
                                 "Error": {"Code": code, "Message": message}}}


def reproduction(payload: bytes, tamper: str | None = None) -> Reproduction:
    return Reproduction(method="POST", url=URL, body=payload,
                        headers=(("Content-Type", "application/json"),), tamper=tamper)


def outcomes() -> list[CheckOutcome]:
    ring_small = body(RingAgainTimes=9)
    ring_large = body(RingAgainTimes=99, Name="x" * 50)
    accepted = {"ResponseMetadata": {"RequestId": "20261201090000ABCDEF0123456789ABCD"},
                "Result": {"TaskOpenId": "task-open-1", "FailList": []}}
    missing = body()
    return [
        CheckOutcome("envelope.schema", "passed", "the envelope matches its schema"),
        CheckOutcome("rejection.code", "passed", "refused with MissingParameter Name",
                     rule_id="Name:required", expected="400 MissingParameter Name",
                     actual="400 MissingParameter Name"),
        CheckOutcome("rejection.code", "passed", "refused with MissingParameter Name",
                     rule_id="Name:required", expected="400 MissingParameter Name",
                     actual="400 MissingParameter Name"),
        CheckOutcome("rejection.code", "failed", "RingAgainTimes 99 was accepted",
                     rule_id="RingAgainTimes:maximum",
                     expected="400 InvalidParameter RingAgainTimes", actual="200 accepted",
                     exchange=exchange(ring_large, 200, accepted),
                     reproduction=reproduction(ring_large)),
        CheckOutcome("rejection.code", "failed", "RingAgainTimes 9 was accepted",
                     rule_id="RingAgainTimes:maximum",
                     expected="400 InvalidParameter RingAgainTimes", actual="200 accepted",
                     exchange=exchange(ring_small, 200, accepted),
                     reproduction=reproduction(ring_small)),
        CheckOutcome("rejection.code", "failed", "answered with another code",
                     rule_id="Resource:required", expected="400 MissingParameter Resource",
                     actual="400 InvalidParameter Resource",
                     exchange=exchange(missing, 400, error_answer(
                         "InvalidParameter", "invalid parameter: Resource")),
                     reproduction=reproduction(missing)),
        CheckOutcome("auth.wrong-signature", "failed", "a wrong signature was accepted",
                     expected="401 SignatureDoesNotMatch", actual="200 accepted",
                     exchange=exchange(missing, 200, accepted),
                     reproduction=reproduction(missing, tamper="wrong-signature")),
        CheckOutcome("status.no-5xx", "error", "no answer: the connection was reset",
                     rule_id="PhoneList:maxItems", expected="an answer", actual="no answer",
                     exchange=exchange(missing, None, None, error="connection reset"),
                     reproduction=reproduction(b"\xff\xfe not UTF-8 \x00")),
        CheckOutcome("dry-run.honoured", "skipped", "only with --allow-side-effects"),
    ]


DRIFT = (
    RuleDrift("Name:required", "documented", (("MissingParameter", "Name"),),
              "400 MissingParameter Name"),
    RuleDrift("Resource:required", "other-code", (("MissingParameter", "Resource"),),
              "400 InvalidParameter Resource"),
    RuleDrift("RingAgainTimes:maximum", "not-enforced",
              (("InvalidParameter", "RingAgainTimes"),), "200 accepted"),
    RuleDrift("PhoneList:maxItems", "not-reached", (("InvalidParameter", "PhoneList"),), ""),
)
PROBES = (
    ProbeResult("reachable", True, "HTTP 400 in 3 ms"),
    ProbeResult("credentials", True, "accepted"),
    ProbeResult("dry-run", False, "DryRun was ignored: a task was created and stopped"),
)


def run(*, side_effects: bool = False) -> RunReport:
    return RunReport(
        target=TARGET, seed=SEED, profile="documented", region="cn-beijing",
        started="2026-12-01T09:00:00Z", finished="2026-12-01T09:00:05Z",
        outcomes=tuple(outcomes()), drift=DRIFT, probes=PROBES, side_effects=side_effects,
        created=("task-open-1", "task-open-2") if side_effects else (),
        stopped=("task-open-1",) if side_effects else (),
        coverage={"rules": ("Name:required", "Resource:required", "RingAgainTimes:maximum"),
                  "rules_missed": ("PhoneList:maxItems",),
                  "codes": ("MissingParameter", "InvalidParameter"),
                  "codes_missed": ("QuotaExceeded",)},
    )


def events(report: RunReport | None = None) -> list[RunEvent]:
    """The events an engine emits for ``report``, in order."""
    report = report or run()
    cases = {o.rule_id or o.check_id for o in report.outcomes}
    out: list[RunEvent] = [RunStarted(report.target, report.seed, len(cases))]
    out += list(report.probes)
    for outcome in report.outcomes:
        if outcome.exchange is not None:
            out.append(outcome.exchange)
        out.append(outcome)
    out.append(RunFinished(report))
    return out
