"""The strategies' labels hold for the whole reference service, not just its parts."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vmsspec
from tests.service.helpers import NOW
from tests.service.helpers import signed as signed_with_test_key
from vmsspec import strategies as vst
from vmsspec.service import HttpRequest, HttpResponse, ReferenceService


def send(signed: vst.SignedHTTPRequest | vst.TamperedRequest) -> tuple[HttpResponse, Any]:
    """One request through a fresh service that shares the strategy's keys and clock."""
    ctx = signed.context
    service = ReferenceService(credentials=dict(ctx.credentials), clock=lambda: ctx.now,
                               max_skew=ctx.max_skew)
    req = signed.request
    target = req.raw_path + (f"?{req.raw_query}" if req.raw_query else "")
    response = service.handle(HttpRequest(req.method, target, req.headers, req.body))
    return response, json.loads(response.body)


def error_code(answer: Any) -> str | None:
    code: str | None = answer["ResponseMetadata"].get("Error", {}).get("Code")
    return code


@given(vst.tampered_requests(bodies=vst.valid_bodies(max_phones=5)))
def test_tampered_requests_get_their_labelled_error_from_the_service(
    tampered: vst.TamperedRequest,
) -> None:
    response, answer = send(tampered)
    assert (response.status, error_code(answer)) == (tampered.expected_status,
                                                     tampered.expected_code), tampered.detail


def signed(labelled: st.SearchStrategy[Any], body: Any) -> st.SearchStrategy[Any]:
    """Each labelled value with a signed request carrying its body."""
    return labelled.flatmap(lambda value: st.tuples(
        st.just(value), vst.signed_requests(bodies=st.just(body(value)))))


@given(signed(vst.invalid_bodies(max_phones=5), lambda case: case.body))
def test_signed_invalid_bodies_are_rejected_as_labelled_by_the_service(
    pair: tuple[vst.InvalidBody, vst.SignedHTTPRequest],
) -> None:
    case, request = pair
    response, answer = send(request)
    assert 400 <= response.status < 500
    assert case.expectation.accepts(response.status, error_code(answer), case.parameter)
    message = answer["ResponseMetadata"]["Error"]["Message"]
    assert case.parameter in message or "%s" not in vmsspec.ERROR_CODES[case.code].message


@given(signed(vst.fail_list_bodies(max_phones=5), lambda case: case.body))
def test_signed_fail_list_bodies_are_accepted_with_their_fail_list_by_the_service(
    pair: tuple[vst.FailListBody, vst.SignedHTTPRequest],
) -> None:
    case, request = pair
    response, answer = send(request)
    assert response.status == 200, answer
    assert answer["Result"]["FailList"] == [f.as_dict() for f in case.fail_list]
    assert {item["Type"] for item in answer["Result"]["FailList"]} == {case.code}


@given(signed(vst.labelled_bodies(max_phones=20), lambda pair: pair[0]))
def test_signed_valid_bodies_are_accepted_with_the_expected_fail_list(
    pair: tuple[tuple[dict[str, Any], Any], vst.SignedHTTPRequest],
) -> None:
    (_, expectation), request = pair
    response, answer = send(request)
    assert expectation.accepts(response.status, error_code(answer)), answer
    if expectation.dry_run:
        return
    assert answer["Result"]["FailList"] == [f.as_dict() for f in expectation.fail_list]


def test_valid_bodies_posted_one_after_another_to_one_service_are_all_accepted() -> None:
    """No stateful refusal by default: no DryRun, no ClientToken shared by two bodies."""
    service = ReferenceService(max_active_tasks=1000, clock=lambda: NOW)
    answers: list[tuple[int, Any]] = []
    bodies: list[dict[str, Any]] = []

    @settings(max_examples=200, database=None, suppress_health_check=list(HealthCheck))
    @given(vst.valid_bodies(max_phones=20))
    def post(body: dict[str, Any]) -> None:
        response = service.handle(signed_with_test_key(orjson.dumps(body)))
        answers.append((response.status, json.loads(response.body)))
        bodies.append(body)

    post()
    assert len(answers) >= 200  # Hypothesis may replay an example; none may be refused
    refused = [(status, answer["ResponseMetadata"].get("Error")) for status, answer in answers
               if status != 200]
    assert refused == []
    tokens = [b["ClientToken"] for b in bodies if "ClientToken" in b]
    assert tokens  # the parameter does come up, and never trips a mismatch
    assert not any(b.get("DryRun") is True for b in bodies)


def test_dry_runs_and_shared_tokens_are_opt_in() -> None:
    seen_dry, seen_shared = False, False
    tokens: dict[str, bytes] = {}

    @settings(max_examples=300, database=None)
    @given(vst.valid_bodies(max_phones=3, dry_run=True, client_tokens=True,
                            always=["DryRun", "ClientToken"]))
    def run(body: dict[str, Any]) -> None:
        nonlocal seen_dry, seen_shared
        seen_dry |= body["DryRun"] is True
        raw = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        previous = tokens.setdefault(body["ClientToken"], raw)
        seen_shared |= previous != raw

    run()
    assert seen_dry and seen_shared
