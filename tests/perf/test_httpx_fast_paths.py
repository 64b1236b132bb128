"""The in-process adapters' fast httpx.Response is the one httpx itself builds.

``to_httpx_response`` fills a read ``httpx.Response`` directly (httpx's generic
``content=`` path reads a byte string through its stream machinery, ~25 us a call) when
an import-time check finds httpx's layout unchanged. These tests hold it to
``httpx.Response(status, headers=..., content=..., request=...)`` on every kind of
answer the service gives, and through sync and async clients.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from vmsspec.adapters import httpx_transport as t
from vmsspec.service import HttpResponse, ReferenceService
from vmsspec.service._gateway import GATEWAY_502_PAGE

ANSWERS = [
    HttpResponse(200, (("Content-Type", "application/json; charset=utf-8"),
                       ("X-Tt-Logid", "20261201000000000001ABCDEF")), b'{"Result":{}}'),
    HttpResponse(400, (("Content-Type", "application/json; charset=utf-8"),),
                 '{"Message":"参数错误"}'.encode()),
    HttpResponse(502, (("Content-Type", "text/html"),), GATEWAY_502_PAGE),
    HttpResponse(204, (), b""),  # empty: httpx's own path (no Content-Length)
    HttpResponse(200, (("Content-Length", "2"),), b"{}"),  # its own length: httpx's path
]


def test_the_fast_layout_is_in_use_with_this_httpx() -> None:
    assert t._READ_RESPONSE_LAYOUT
    assert t._RAW_TRIPLES


@pytest.mark.parametrize("answer", ANSWERS)
def test_fast_response_equals_httpx_response(answer: HttpResponse) -> None:
    request = httpx.Request("POST", "https://cloud-vms.volcengineapi.com/?Action=CreateTask",
                            content=b"{}")
    made = t.to_httpx_response(answer, request)
    reference = httpx.Response(answer.status, headers=answer.headers, content=answer.body,
                               request=request)
    assert t._layout(made) == t._layout(reference)
    assert made.request is request
    assert made.headers.multi_items() == reference.headers.multi_items()
    assert made.headers.encoding == reference.headers.encoding
    assert made.content == reference.content == answer.body
    assert made.text == reference.text
    assert list(made.iter_bytes()) == list(reference.iter_bytes())
    assert (made.is_closed, made.is_stream_consumed) == (True, True)
    assert repr(made) == repr(reference)


def test_non_ascii_header_value_fails_as_httpx_fails() -> None:
    request = httpx.Request("POST", "https://h/")
    answer = HttpResponse(200, (("X-Note", "é"),), b"{}")
    with pytest.raises(UnicodeEncodeError):
        httpx.Response(200, headers=answer.headers, content=answer.body, request=request)
    with pytest.raises(UnicodeEncodeError):
        t.to_httpx_response(answer, request)


def test_clients_read_the_fast_response_like_any_other() -> None:
    service = ReferenceService()
    url = "https://cloud-vms.volcengineapi.com/?Action=CreateTask&Version=2022-01-01"
    with httpx.Client(transport=t.VmsTransport(service)) as client:
        response = client.post(url, content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert response.json()["ResponseMetadata"]["Error"]["Code"]
    assert response.headers["content-length"] == str(len(response.content))

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=t.VmsTransport(service)) as client:
            return await client.post(url, content=b"{}")

    answer = asyncio.run(main())
    assert answer.json()["ResponseMetadata"]["Error"]["Code"]
    assert answer.headers["content-length"] == str(len(answer.content))
