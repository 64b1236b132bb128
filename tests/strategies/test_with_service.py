"""The strategies' labels hold for the whole reference service, not just its parts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

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
def test_signed_invalid_bodies_get_their_labelled_outcome_from_the_service(
    pair: tuple[vst.InvalidBody, vst.SignedHTTPRequest],
) -> None:
    case, request = pair
    response, answer = send(request)
    assert case.expectation.accepts(response.status, error_code(answer), case.parameter
                                    if case.status != 200 else None)
    if case.status == 200 and not case.expectation.dry_run:
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
