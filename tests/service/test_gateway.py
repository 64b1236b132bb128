"""What the gateway refuses (issue 9 items 2 and 3) and how little it works for it (issue 12)."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

import vmsspec
from tests.service.helpers import CREATE, HOST, NOW, answer, signed
from vmsspec import REFUSALS
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY, HttpRequest, ReferenceService

TARGET = "/?Action=CreateTask&Version=2022-01-01"


def error_of(doc: dict[str, Any]) -> tuple[str, str]:
    error = doc["ResponseMetadata"]["Error"]
    return error["Code"], error["Message"]


# -- regions -----------------------------------------------------------------------------

@pytest.mark.parametrize("region", ["cn-beijing", "cn-north-1"])
def test_both_documented_regions_are_accepted_by_default(service: ReferenceService,
                                                         region: str) -> None:
    assert answer(service, signed(vmsspec.example_bytes(), region=region))[0] == 200
    assert service.exchanges[-1].region == region


@pytest.mark.parametrize("region", ["cn-shanghai", "ap-southeast-1", "CN-BEIJING"])
def test_another_region_is_refused_naming_it(service: ReferenceService, region: str) -> None:
    status, doc = answer(service, signed(vmsspec.example_bytes(), region=region))
    code, message = error_of(doc)
    assert (status, code) == (401, REFUSALS["region"].code)
    assert region in message and "cn-beijing" in message and "cn-north-1" in message
    exchange = service.exchanges[-1]
    assert (exchange.region, exchange.validated, exchange.signature) == (
        region, False, "SignatureDoesNotMatch")
    assert service.tasks == {}


def test_the_accepted_regions_are_configurable() -> None:
    service = ReferenceService(clock=lambda: NOW, regions=["cn-shanghai"])
    assert answer(service, signed(vmsspec.example_bytes(), region="cn-shanghai"))[0] == 200
    assert answer(service, signed(vmsspec.example_bytes(), region="cn-beijing"))[0] == 401
    with pytest.raises(ValueError, match="at least one region"):
        ReferenceService(regions=())


# -- methods -----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"])
def test_only_post_reaches_the_api(service: ReferenceService, method: str) -> None:
    # signed with the method it is sent with: a valid signature does not open the route
    request = signed(vmsspec.example_bytes(), method=method)
    status, doc = answer(service, request)
    assert (status, error_of(doc)[0]) == (REFUSALS["method"].status, REFUSALS["method"].code)
    assert (status, error_of(doc)[0]) == (404, "InvalidActionOrVersion")
    assert vmsspec.check_response(status, doc) == []
    exchange = service.exchanges[-1]
    assert not exchange.validated and exchange.violations[0][2] == "http:method"
    assert exchange.signature is None  # never read: routing comes first
    assert service.tasks == {}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_only_post_reaches_the_api_on_the_real_port(live_server: ThreadedServer,
                                                    method: str) -> None:
    auth = VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY)
    response = httpx.request(method, live_server.url + "/", params=CREATE, auth=auth,
                             content=vmsspec.example_bytes())
    assert response.status_code == 404
    assert response.json()["ResponseMetadata"]["Error"]["Code"] == "InvalidActionOrVersion"


# -- media types -------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
    "APPLICATION/JSON", "Application/Json ; charset=utf-8"])
def test_json_media_types_are_accepted(service: ReferenceService, content_type: str) -> None:
    assert answer(service, signed(vmsspec.example_bytes(), content_type=content_type))[0] == 200


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/jsonx", "text/json", "", "application/octet-stream"])
def test_other_media_types_are_refused(service: ReferenceService, content_type: str) -> None:
    status, doc = answer(service, signed(vmsspec.example_bytes(), content_type=content_type))
    refusal = REFUSALS["content-type"]
    assert (status, error_of(doc)) == (
        refusal.status, (refusal.code, "The specified parameter Content-Type is invalid."))
    exchange = service.exchanges[-1]
    assert not exchange.validated and "media type refused" in exchange.not_validated_reason
    assert service.tasks == {}


def test_a_missing_content_type_is_read_as_json_by_default(service: ReferenceService) -> None:
    assert answer(service, signed(vmsspec.example_bytes(), content_type=None))[0] == 200


def test_a_missing_content_type_can_be_refused() -> None:
    strict = ReferenceService(clock=lambda: NOW, missing_content_type="refuse")
    status, doc = answer(strict, signed(vmsspec.example_bytes(), content_type=None))
    assert (status, error_of(doc)) == (400, ("MissingRequestInfo",
                                             "The request is missing Content-Type."))
    assert answer(strict, signed(vmsspec.example_bytes()))[0] == 200
    with pytest.raises(ValueError, match="missing_content_type"):
        ReferenceService(missing_content_type="maybe")


# -- Host --------------------------------------------------------------------------------

def test_http_1_1_without_host_is_400_with_an_envelope(service: ReferenceService) -> None:
    request = signed(vmsspec.example_bytes())
    headers = tuple((k, v) for k, v in request.headers if k.lower() != "host")
    status, doc = answer(service, HttpRequest(request.method, request.target, headers,
                                              request.body))
    assert (status, error_of(doc)) == (400, ("MissingRequestInfo", "The request is missing Host."))
    assert vmsspec.check_response(status, doc) == []
    old = HttpRequest("POST", TARGET, headers, request.body, http_version="1.0")
    assert error_of(answer(service, old)[1])[0] != "MissingRequestInfo"  # 1.0 may omit Host


def test_two_host_headers_are_400(service: ReferenceService) -> None:
    request = signed(vmsspec.example_bytes())
    twice = HttpRequest(request.method, request.target, (*request.headers, ("Host", "evil")),
                        request.body)
    status, doc = answer(service, twice)
    assert (status, error_of(doc)[0]) == (400, "InvalidParameter")


def raw_http(server: ThreadedServer, head: bytes) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=5) as conn:
        conn.sendall(head)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
            if b"}" in chunk:
                break
    return b"".join(chunks)


def test_no_host_on_the_real_port_is_400_with_an_envelope(live_server: ThreadedServer) -> None:
    reply = raw_http(live_server, f"POST {TARGET} HTTP/1.1\r\nContent-Length: 2\r\n"
                                  f"Connection: close\r\n\r\n{{}}".encode())
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b'"MissingRequestInfo"' in body and b"missing Host" in body


# -- work in proportion to trust ---------------------------------------------------------

@pytest.fixture
def spied(service: ReferenceService, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    from vmsspec.service import _service

    real_parse, real_validate = _service.parse_body, service._validate

    def parse(raw: bytes) -> Any:
        calls.append("parse")
        return real_parse(raw)

    def validate(body: Any) -> Any:
        calls.append("validate")
        return real_validate(body)

    monkeypatch.setattr(_service, "parse_body", parse)
    monkeypatch.setattr(service, "_validate", validate)
    return calls


@pytest.mark.parametrize("kind", ["unsigned", "bad-signature", "bad-region", "wrong-action",
                                  "get"])
def test_a_request_refused_before_authentication_succeeds_is_not_parsed(
        service: ReferenceService, spied: list[str], kind: str) -> None:
    body = vmsspec.example_bytes()
    request = {
        "unsigned": HttpRequest.build("POST", TARGET, {"Host": HOST}, body),
        "bad-signature": signed(body, secret_key="not-the-secret"),
        "bad-region": signed(body, region="cn-shanghai"),
        "wrong-action": HttpRequest.build("POST", "/?Action=Nope&Version=2022-01-01",
                                          {"Host": HOST}, body),
        "get": signed(body, method="GET"),
    }[kind]
    status = service.handle(request).status
    assert status in (401, 404)
    assert spied == []
    exchange = service.exchanges[-1]
    assert not exchange.validated
    assert exchange.not_validated_reason.startswith(
        ("signature refused: ", "refused before authentication: "))
    assert spied == [] and answer(service, signed(body))[0] == 200
    assert spied == ["parse", "validate"]


def test_a_signature_failure_records_the_servers_canonical_request(
        service: ReferenceService) -> None:
    request = signed(vmsspec.example_bytes(), secret_key="not-the-secret")
    answer(service, request)
    exchange = service.exchanges[-1]
    assert exchange.not_validated_reason == "signature refused: SignatureDoesNotMatch"
    assert "Canonical request (server):" in exchange.signature_explain
    assert "String to sign (server):" in exchange.signature_explain
    signature = dict(request.headers)["Authorization"].rsplit("Signature=", 1)[1]
    assert signature not in exchange.signature_explain
    assert exchange.as_dict()["signature_explain"] == exchange.signature_explain
    assert "body not validated: signature refused" in exchange.describe()


def test_a_session_token_never_reaches_the_explanation(service: ReferenceService) -> None:
    from vmsspec.signing import sign_request

    token = "SessionTokenSecretValue0123456789"
    result = sign_request("POST", "/", CREATE, {"Host": HOST, "Content-Type": "application/json"},
                          b"{}", access_key=TEST_ACCESS_KEY, secret_key="wrong",
                          region="cn-beijing", service="vms", now=NOW, session_token=token)
    answer(service, HttpRequest.build("POST", TARGET, result.headers, b"{}"))
    exchange = service.exchanges[-1]
    assert exchange.signature == "SignatureDoesNotMatch"
    assert token not in exchange.signature_explain and token not in repr(exchange.as_dict())


# -- bounded state -----------------------------------------------------------------------

def test_stopped_tasks_keep_only_what_the_api_returns(full_body: dict[str, Any]) -> None:
    service = ReferenceService(clock=lambda: NOW, max_stopped_tasks=2)
    ids = []
    for n in range(3):
        ids.append(answer(service, signed({**full_body, "ClientToken": f"t{n}"}))[1][
            "Result"]["TaskOpenId"])
    for task_id in ids:
        assert answer(service, signed({"TaskOpenId": task_id}, action="StopTask"))[0] == 200
    assert list(service.tasks) == ids[1:]  # the oldest stopped task is forgotten
    assert all(t.body is None and t.state == "stopped" for t in service.tasks.values())
    assert error_of(answer(service, signed({"TaskOpenId": ids[1]}, action="ResumeTask"))[1])[
        0] == "OperationDenied"
    assert answer(service, signed({"TaskOpenId": ids[0]}, action="ResumeTask"))[0] == 400
    # a ClientToken of a remembered stopped task still answers its task
    again = answer(service, signed({**full_body, "ClientToken": "t2"}))[1]["Result"]
    assert again["TaskOpenId"] == ids[2]
