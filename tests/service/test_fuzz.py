"""Malformed requests never crash the service: every answer is a vendor error envelope."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vmsspec
from tests.service.helpers import NOW, signed
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import HttpRequest, ReferenceService

TARGETS = st.sampled_from([
    "/?Action=CreateTask&Version=2022-01-01", "/?Action=StopTask&Version=2022-01-01",
    "/", "/?Action=CreateTask", "/x?Action=CreateTask&Version=2022-01-01",
    "/?Action=%FF&Version=%", "/?&&==&Action=CreateTask&Version=2022-01-01&Action=",
])
HEADER_NAMES = st.sampled_from([
    "Authorization", "X-Date", "X-Content-Sha256", "Host", "Content-Type", "X-Expires",
    "X-Security-Token", "X-Anything",
])
# Field values HTTP allows (visible ASCII, space, obs-text): a message that breaks HTTP's
# own syntax never reaches the app; see test_malformed_http_is_refused_by_the_server.
HEADER_VALUES = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
            max_size=80),
    st.sampled_from([
        "HMAC-SHA256 Credential=AKLTvmsspecTestAccessKey0000000000/20250527/cn-beijing/vms/"
        "request, SignedHeaders=host;x-date, Signature=00",
        "HMAC-SHA256 Credential=/, SignedHeaders=, Signature=", "HMAC-SHA256", "20250527T114634Z",
        "99999999T999999Z", "-1",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]),
)
# The sans-IO service takes whatever an adapter hands it, control characters included.
ANY_HEADER_VALUES = st.one_of(HEADER_VALUES, st.text(st.characters(max_codepoint=255)))
BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"{}", b"[]", b"null", b'{"Name": 1}', b"[" * 3000, b'{"a":' * 400,
                     b'{"Name":' + b"[" * 400 + b"]" * 400 + b"}"]),
    st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(
        st.sampled_from(["Name", "PhoneList", "Concurrency", "ForbidTimeList", "ClientToken",
                         "DryRun", "TaskOpenId", "StartTime"]),
        st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8),
        max_size=5)),
)


def assert_envelope(status: int, body: bytes) -> None:
    assert status != 500
    doc = json.loads(body)
    if status == 200:
        assert vmsspec.check_success_response(doc) == [] or "State" in doc.get("Result", {})
    else:
        assert vmsspec.check_error_response(doc) == []


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["POST", "GET", "PUT"]), target=TARGETS,
       headers=st.lists(st.tuples(HEADER_NAMES, ANY_HEADER_VALUES), max_size=6), body=BODIES,
       sign_it=st.booleans())
def test_sans_io_service_answers_garbage_with_envelopes(
        method: str, target: str, headers: list[tuple[str, str]], body: bytes,
        sign_it: bool) -> None:
    service = ReferenceService(clock=lambda: NOW)
    request = HttpRequest.build(method, target, headers, body)
    if sign_it:
        # a correctly signed garbage body reaches the parser and the contract
        request = signed(body)
    response = service.handle(request)
    assert_envelope(response.status, response.body)


@pytest.fixture(scope="module")
def server() -> ThreadedServer:
    with ThreadedServer(ReferenceService(max_body_bytes=64 * 1024)) as running:
        yield running  # type: ignore[misc]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(target=TARGETS, headers=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=4),
       body=BODIES)
def test_real_port_server_answers_garbage_with_envelopes(
        server: ThreadedServer, target: str, headers: list[tuple[str, str]],
        body: bytes) -> None:
    # As bytes: the wire carries Latin-1, which httpx refuses to encode from str. Stripped:
    # HTTP has no leading or trailing white space in a field value, httpx sends none.
    safe = [(k, v.strip(" \t").encode("latin-1")) for k, v in headers
            if k.lower() not in ("host", "content-length")]
    with httpx.Client(base_url=server.url) as client:
        response = client.post(target, headers=safe, content=body)
    assert_envelope(response.status_code, response.content)


def test_malformed_http_is_refused_by_the_server_and_it_keeps_serving(
        server: ThreadedServer) -> None:
    """A control character in a header value breaks HTTP itself: uvicorn's parser answers
    400 before the app runs (a gateway would too), and the next request is served."""
    with httpx.Client(base_url=server.url) as client:
        refused = client.post("/?Action=CreateTask&Version=2022-01-01",
                              headers=[("Authorization", b"\x7f")], content=b"{}")
        assert refused.status_code == 400
        answered = client.post("/?Action=CreateTask&Version=2022-01-01", content=b"{}")
    assert answered.status_code == 401
    assert vmsspec.check_error_response(answered.json()) == []
