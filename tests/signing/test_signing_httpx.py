"""The httpx adapter: sync and async clients sign every request, and the verifier
accepts what they send (in-process transports and a loopback HTTP server)."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, ClassVar

import httpx
import pytest

from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.signing import Credentials, CredentialsError, Secret, Verification, verify_request

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
URL = "https://cloud-vms.volcengineapi.com/?Action=CreateTask&Version=2022-01-01"
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)


def server_verdict(request: httpx.Request) -> Verification:
    raw_path, _, raw_query = request.url.raw_path.partition(b"?")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    return verify_request(request.method, raw_path, raw_query, headers, request.content,
                          credentials={AK: SK}, region="cn-beijing", service="vms")


def verifying_handler(request: httpx.Request) -> httpx.Response:
    verdict = server_verdict(request)
    return httpx.Response(200 if verdict.ok else verdict.status,
                          json={"ok": verdict.ok, "code": verdict.code,
                                "signed": list(verdict.signed_headers)})


def test_sync_client_requests_verify() -> None:
    auth = VolcSignatureAuth(AK, SK)
    with httpx.Client(auth=auth, transport=httpx.MockTransport(verifying_handler)) as client:
        response = client.post(URL, json={"Name": "任务", "Concurrency": 1})
        assert response.json() == {
            "ok": True, "code": None,
            "signed": ["content-type", "host", "x-content-sha256", "x-date"],
        }
        # Odd paths and queries, extra X- headers, an empty body.
        response = client.get(
            "https://cloud-vms.volcengineapi.com/a b/é",
            params=[("k", "v 1"), ("k", "v+2"), ("é", "/*~")],
            headers={"X-Custom": " spaced "},
        )
        assert response.json()["ok"] is True
        assert "x-custom" in response.json()["signed"]


def test_async_client_requests_verify() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return verifying_handler(request)

    async def go() -> list[Any]:
        auth = VolcSignatureAuth(AK, SK, session_token="sts-token")
        async with httpx.AsyncClient(auth=auth, transport=httpx.MockTransport(handler)) as client:
            first = await client.post(URL, content=b'{"a": 1}')

            async def chunks() -> Any:
                yield b'{"streamed": '
                yield b"true}"

            second = await client.post(URL, content=chunks())
            return [first.json(), second.json()]

    first, second = asyncio.run(go())
    assert first["ok"] is True and second["ok"] is True
    assert "x-security-token" in first["signed"]


def test_headers_added_and_fixed_clock() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    auth = VolcSignatureAuth(AK, SK, clock=lambda: T0)
    with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as client:
        client.post(URL, content=b"", headers={"x-date": "stale", "Content-Type": "text/plain"})
    (request,) = seen
    assert request.headers["X-Date"] == "20250527T114634Z"
    assert request.headers.get_list("x-date") == ["20250527T114634Z"]
    assert request.headers["Authorization"].startswith(
        f"HMAC-SHA256 Credential={AK}/20250527/cn-beijing/vms/request, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, Signature="
    )


def test_region_and_service_are_configurable() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    auth = VolcSignatureAuth(AK, SK, region="cn-north-1", service="sms")
    with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as client:
        client.get(URL)
    assert "/cn-north-1/sms/request," in seen[0].headers["Authorization"]


def test_credentials_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLC_ACCESSKEY", AK)
    monkeypatch.setenv("VOLC_SECRETKEY", SK)
    monkeypatch.setenv("VOLC_SESSION_TOKEN", "env-token")
    auth = VolcSignatureAuth()
    assert auth.access_key == AK
    with httpx.Client(auth=auth, transport=httpx.MockTransport(verifying_handler)) as client:
        response = client.post(URL, content=b"{}")
    assert response.json()["ok"] is True
    assert "x-security-token" in response.json()["signed"]


def test_an_explicit_session_token_overrides_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLC_ACCESSKEY", AK)
    monkeypatch.setenv("VOLC_SECRETKEY", SK)
    monkeypatch.delenv("VOLC_SESSION_TOKEN", raising=False)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return verifying_handler(request)

    for token, sent in [("explicit-token", "explicit-token"), ("", None)]:
        auth = VolcSignatureAuth(session_token=token)
        with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as client:
            assert client.post(URL, content=b"{}").json()["ok"] is True
        assert seen[-1].headers.get("X-Security-Token") == sent


def test_missing_environment_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOLC_ACCESSKEY", raising=False)
    monkeypatch.setenv("VOLC_SECRETKEY", SK)
    with pytest.raises(CredentialsError, match="VOLC_ACCESSKEY"):
        VolcSignatureAuth()
    with pytest.raises(TypeError, match="both"):
        VolcSignatureAuth(AK)
    explicit = VolcSignatureAuth(credentials=Credentials(AK, Secret(SK)))
    assert explicit.access_key == AK


class _Handler(http.server.BaseHTTPRequestHandler):
    # Without this the stdlib server stalls ~40 ms per keep-alive request.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    verdicts: ClassVar[list[Verification]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        raw_path, _, raw_query = self.path.partition("?")
        verdict = verify_request(self.command, raw_path, raw_query, list(self.headers.items()),
                                 body, credentials={AK: SK})
        type(self).verdicts.append(verdict)
        payload = b'{"ResponseMetadata": {}, "Result": {}}'
        self.send_response(200 if verdict.ok else verdict.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[Verification]]]:
    _Handler.verdicts = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", _Handler.verdicts
    finally:
        server.shutdown()
        server.server_close()


def test_over_a_real_socket(loopback: tuple[str, list[Verification]]) -> None:
    host, verdicts = loopback
    with httpx.Client(auth=VolcSignatureAuth(AK, SK), trust_env=False) as client:
        response = client.post(f"http://{host}/?Action=CreateTask&Version=2022-01-01",
                               json={"Name": "t"})
    assert response.status_code == 200, verdicts[-1].explain()
    assert verdicts[-1].ok


def test_the_vendor_sdk_over_a_real_socket(loopback: tuple[str, list[Verification]]) -> None:
    service_mod = pytest.importorskip("volcengine.base.Service")
    from volcengine.ApiInfo import ApiInfo
    from volcengine.Credentials import Credentials as VolcCredentials
    from volcengine.ServiceInfo import ServiceInfo

    host, verdicts = loopback
    info = ServiceInfo(host, {"Accept": "application/json"},
                       VolcCredentials(AK, SK, "vms", "cn-beijing"), 5, 5)
    api = {"CreateTask": ApiInfo("POST", "/", {"Action": "CreateTask", "Version": "2022-01-01"},
                                 {}, {})}
    service = service_mod.Service(info, api)
    service.session.trust_env = False
    service.service_info.credentials.set_ak(AK)
    service.service_info.credentials.set_sk(SK)
    service.json("CreateTask", {}, '{"Name": "\\u4efb\\u52a1", "Concurrency": 1}')
    assert verdicts[-1].ok, verdicts[-1].explain()
    assert verdicts[-1].signed_headers == ("content-type", "host", "x-content-sha256", "x-date")
