"""Each registered check passes the reference's answer and fails the one defect it is for.

Answers start from what the reference service really sent for the case, then one thing is
changed, so each failing check fails for its own reason only.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

import vmsspec
from vmsspec import HttpRequest, ReferenceService
from vmsspec.conformance import (
    CHECKS,
    Reproduction,
    WireExchange,
    case_for,
    judge,
    judge_all,
    prepare,
    select_checks,
)

CREDS = vmsspec.Credentials(vmsspec.TEST_ACCESS_KEY, vmsspec.TEST_SECRET_KEY)
URL = "https://cloud-vms.volcengineapi.com/?Action=CreateTask&Version=2022-01-01"
VALID = json.loads(vmsspec.example_bytes())


def exchange_for(body: dict | bytes, tamper: str | None = None, service=None) -> WireExchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    rep = Reproduction("POST", URL, raw, (("Content-Type", "application/json"),), tamper=tamper)
    method, url, headers, sent = prepare(rep, CREDS)
    service = service or ReferenceService()
    response = service.handle(HttpRequest.build(method, url.split(".com", 1)[1], headers, sent))
    return WireExchange(method, url, (), sent, response.status, response.headers, response.body)


def edited(exchange: WireExchange, edit=None, status=None) -> WireExchange:
    doc = json.loads(exchange.response_body)
    if edit is not None:
        edit(doc)
    return dataclasses.replace(exchange, response_body=json.dumps(doc).encode(),
                               status=exchange.status if status is None else status)


def verdict(check_id, case, exchange):
    return judge(check_id, case, [exchange]).verdict


RULE_BODY = {**VALID, "RingAgainTimes": 99, "DryRun": True}
RULE = case_for(json.dumps(RULE_BODY).encode(), rule_id="RingAgainTimes:maximum")
RULE_X = exchange_for(RULE_BODY)


def test_the_references_answers_pass_every_applicable_check():
    for case, exchange in [(RULE, RULE_X),
                           (case_for(json.dumps(VALID).encode()), exchange_for(VALID)),
                           (case_for(RULE_X.body, tamper="stale-date"),
                            exchange_for(RULE_BODY, "stale-date"))]:
        outcomes = judge_all(case, [exchange])
        assert outcomes and all(o.verdict == "passed" for o in outcomes), outcomes


@pytest.mark.parametrize(("check_id", "edit", "status"), [
    ("envelope.schema", lambda d: d["ResponseMetadata"].pop("RequestId"), None),
    ("envelope.request-id", lambda d: d["ResponseMetadata"].update(RequestId="req-1"), None),
    ("envelope.echo", lambda d: d["ResponseMetadata"].update(Region="cn-shanghai"), None),
    ("rejection.code", lambda d: d["ResponseMetadata"]["Error"].update(Code="MissingParameter"),
     None),
    ("rejection.parameter", lambda d: d["ResponseMetadata"]["Error"].update(
        Message="The specified parameter Name is invalid."), None),
    ("status.no-5xx", None, 500),
    ("status.documented", None, 418),
    ("status.error-not-200", None, 200),
])
def test_each_check_fails_its_own_defect(check_id, edit, status):
    assert verdict(check_id, RULE, RULE_X) == "passed"
    broken = edited(RULE_X, edit, status)
    outcome = judge(check_id, RULE, [broken])
    assert outcome.verdict == "failed", outcome
    assert outcome.rule_id == "RingAgainTimes:maximum" and outcome.message


def test_rule_accepted_fails_rejection_code():
    service = ReferenceService(profile=vmsspec.DOCUMENTED.disable(["RingAgainTimes:maximum"]))
    outcome = judge("rejection.code", RULE, [exchange_for(RULE_BODY, service=service)])
    assert outcome.verdict == "failed"
    assert outcome.actual == "400 DryRunOperation"
    assert "RingAgainTimes" in outcome.expected


def test_auth_check_fails_when_the_tamper_is_accepted():
    case = case_for(RULE_X.body, tamper="wrong-signature")
    assert verdict("auth.wrong-signature", case, exchange_for(RULE_BODY, "wrong-signature")) == (
        "passed")
    assert verdict("auth.wrong-signature", case, RULE_X) == "failed"


def test_fail_list_must_match_exactly():
    body = {**VALID, "Unique": True, "PhoneList": [{"Phone": "13800138000"}] * 2}
    case = case_for(json.dumps(body).encode())
    answer = exchange_for(body)
    assert verdict("valid.fail-list", case, answer) == "passed"
    assert verdict("valid.fail-list", case,
                   edited(answer, lambda d: d["Result"].update(FailList=[]))) == "failed"


def test_dry_run_creating_a_task_fails():
    body = {**VALID, "DryRun": True}
    case = case_for(json.dumps(body).encode())
    assert case.plan.kind == "dry-run"
    assert verdict("dry-run.honoured", case, exchange_for(body)) == "passed"
    assert verdict("dry-run.honoured", case, exchange_for(VALID)) == "failed"


def test_throttled_and_unanswered_cases_are_no_findings():
    throttled = dataclasses.replace(RULE_X, status=429, attempts=4)
    assert verdict("rejection.code", RULE, throttled) == "skipped"
    gone = dataclasses.replace(RULE_X, status=None, error="ConnectError: refused")
    assert verdict("rejection.code", RULE, gone) == "error"


def test_selection_by_id_and_glob():
    assert [c.id for c in select_checks(["auth.*"], ["auth.stale-date"])] == [
        c for c in CHECKS if c.startswith("auth.") and c != "auth.stale-date"]
    with pytest.raises(ValueError, match="no check matches"):
        select_checks(["nothing.*"])
