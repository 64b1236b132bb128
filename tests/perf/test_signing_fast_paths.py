"""The signer's and the httpx auth's caches give exactly what the uncached paths give.

sign_request caches a plan per (method, path, query, headers) for plain dicts, lists and
tuples; any other mapping or an unhashable value takes the uncached path. The same
inputs through both must sign alike, whatever the values hold (a '%', a NUL, the
placeholders themselves).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.signing import format_x_date, sign_request, verify_request
from vmsspec.signing._signer import _DATE_MARK, _HASH_MARK

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)

names = st.sampled_from(["Host", "Content-Type", "X-Custom", "X-A", "x-lower", "Accept",
                         "X-Date", "Authorization", "X-Zz"])
values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["%s", "%(h)s", "a\0b", _HASH_MARK, _DATE_MARK, " spaced ", "h:443"]),
)
headers_st = st.dictionaries(names, values, max_size=6)
query_st = st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=4)


def sign(headers: object, query: object, body: bytes = b"{}",
         token: str | None = None) -> tuple[dict[str, str], str, str]:
    s = sign_request("POST", "/p a", query, headers, body,  # type: ignore[arg-type]
                     access_key=AK, secret_key=SK, region="cn-beijing", service="vms",
                     now=T0, session_token=token)
    return dict(s.headers), s.canonical_request, s.signature


@settings(max_examples=150, deadline=None)
@given(headers=headers_st, query=query_st, body=st.binary(max_size=20),
       token=st.sampled_from([None, "", "tok"]))
def test_cached_plan_signs_like_the_uncached_path(
        headers: dict[str, str], query: dict[str, str], body: bytes,
        token: str | None) -> None:
    cached = sign(headers, query, body, token)
    again = sign(dict(headers), dict(query), body, token)  # a cache hit
    uncached = sign(OrderedDict(headers), OrderedDict(query), body, token)  # never cached
    assert cached == again == uncached
    as_pairs = sign(list(headers.items()), list(query.items()), body, token)
    assert as_pairs == cached


def test_a_placeholder_in_a_value_is_signed_as_written() -> None:
    headers = {"X-Trap": _HASH_MARK + _DATE_MARK, "Content-Type": "application/json",
               "Host": "cloud-vms.volcengineapi.com"}
    sent, canonical, _ = sign(headers, {"Action": "CreateTask"})
    assert f"x-trap:{_HASH_MARK}{_DATE_MARK}\n" in canonical
    wire = {k: v for k, v in sent.items()}
    verdict = verify_request("POST", "/p%20a", "Action=CreateTask", wire, b"{}",
                             credentials={AK: SK}, now=T0)
    assert verdict.ok


def test_unhashable_query_values_take_the_uncached_path() -> None:
    repeated = sign({"Host": "h"}, {"k": ["2", "1"]})
    assert "\nk=2&k=1\n" in repeated[1]


def test_x_date_memo_follows_the_time_given() -> None:
    assert format_x_date(T0) == "20250527T114634Z"
    assert format_x_date(T0 + timedelta(seconds=1)) == "20250527T114635Z"
    assert format_x_date(T0) == "20250527T114634Z"
    beijing = timezone(timedelta(hours=8))
    assert format_x_date(T0.astimezone(beijing)) == "20250527T114634Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_x_date(T0.replace(tzinfo=None))  # right after the equal aware instant


def test_current_x_date_is_now() -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    text = format_x_date(None)
    after = datetime.now(timezone.utc)
    stamp = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert before <= stamp <= after


def _auth_headers(request: httpx.Request, auth: VolcSignatureAuth) -> list[tuple[str, str]]:
    signed = next(auth.sync_auth_flow(request))
    return [(k.decode(), v.decode("utf-8")) for k, v in signed.headers.raw]


@pytest.mark.parametrize("preset", [{}, {"X-Date": "19990101T000000Z"}, {"authorization": "x"}])
def test_auth_adds_the_signers_headers_whether_or_not_the_request_had_them(
        preset: dict[str, str]) -> None:
    auth = VolcSignatureAuth(AK, SK, session_token="tok", clock=lambda: T0)
    url = "https://cloud-vms.volcengineapi.com/a%20b?Action=CreateTask&Version=2022-01-01"
    for _ in range(2):  # the second request hits the auth's cache
        request = httpx.Request("POST", url, content=b'{"a":1}',
                                headers={"Content-Type": "application/json", **preset})
        got = dict((k.lower(), v) for k, v in _auth_headers(request, auth))
        expected = sign_request(
            "POST", "/a b", {"Action": "CreateTask", "Version": "2022-01-01"},
            [(k.decode(), v.decode()) for k, v in httpx.Request(
                "POST", url, content=b'{"a":1}',
                headers={"Content-Type": "application/json", **preset}).headers.raw],
            b'{"a":1}', access_key=AK, secret_key=SK, region="cn-beijing", service="vms",
            now=T0, session_token="tok").headers
        for name in ("X-Date", "X-Content-Sha256", "X-Security-Token", "Authorization"):
            assert got[name.lower()] == expected[name]
        names = [k.lower() for k, _ in request.headers.raw]
        assert len(names) == len(set(names)), "each header once"


def test_async_flow_signs_a_streamed_body() -> None:
    import asyncio

    auth = VolcSignatureAuth(AK, SK)

    async def handler(request: httpx.Request) -> httpx.Response:
        raw_path, _, raw_query = request.url.raw_path.partition(b"?")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        verdict = verify_request(request.method, raw_path, raw_query, headers, request.content,
                                 credentials={AK: SK})
        return httpx.Response(200 if verdict.ok else 401)

    async def go() -> int:
        async def chunks():  # type: ignore[no-untyped-def]
            yield b'{"streamed": '
            yield b"true}"

        async with httpx.AsyncClient(auth=auth, transport=httpx.MockTransport(handler)) as c:
            response = await c.post("https://cloud-vms.volcengineapi.com/?Action=CreateTask",
                                    content=chunks())
            return response.status_code

    assert asyncio.run(go()) == 200
