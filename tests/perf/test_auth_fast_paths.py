"""VolcSignatureAuth's fast path puts on the request exactly what the general path puts.

The auth keeps the last request shape it signed (method, target, httpx's header list)
with the signer's plan for it, computes the signature from that plan, and appends the
four headers to httpx's own list. The general path is sign_request itself and httpx's
public ``headers[name] = value``. Whatever the headers, path, query, body and token,
the two must leave the same header list (bytes, order) on the request, on a first
request and on a repeat that reuses the shape, and the verifier must accept it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsspec.adapters import httpx_auth
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.signing import parse_query, sign_request, verify_request

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)
ADDED = ("X-Date", "X-Content-Sha256", "X-Security-Token", "Authorization")
MANAGED = {name.lower() for name in ADDED}

names = st.sampled_from(["Content-Type", "X-Custom", "X-A", "x-lower", "Accept", "X-Zz",
                         "X-Date", "authorization", "X-Security-Token", "Content-MD5"])
# str values must be ASCII for httpx; bytes values may carry Latin-1 (httpx then picks
# another encoding for the request's headers). The signer's own values are ASCII (an
# STS token is base64), so either path writes the same bytes for them.
ascii_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10)
values = st.one_of(ascii_text, st.binary(max_size=8).map(lambda b: bytes(
    c for c in b if c >= 0x20 and c != 0x7F)), st.sampled_from(["\0h\0", " x ", "a%20"]))
headers_st = st.dictionaries(names, values, max_size=5)
# '%' only in valid UTF-8 escapes: the auth decodes a path's escapes as UTF-8 (a stray
# byte becomes U+FFFD), which the verifier then cannot match; unchanged here.
segments = st.lists(st.one_of(st.text(st.sampled_from("ab é+~/ "), max_size=4),
                              st.sampled_from(["a%20b", "%C3%A9", "%2F"])), max_size=3)
params_st = st.lists(st.tuples(st.text(st.sampled_from("kv é+&="), max_size=3),
                               st.text(st.sampled_from("1 2é+/*"), max_size=3)), max_size=3)


def request(method: str, path: str, params: list[tuple[str, str]],
            headers: dict[str, str | bytes], body: bytes) -> httpx.Request:
    return httpx.Request(method, "https://cloud-vms.volcengineapi.com/" + path,
                         params=params, headers=headers,  # type: ignore[arg-type]
                         content=body)


def general(req: httpx.Request, token: str | None) -> list[tuple[bytes, bytes]]:
    """sign_request on the request's wire form, set through httpx's public setter."""
    # Decoded as the auth decodes them; computed on a copy, since the setter encodes with
    # the request's own cached encoding, else UTF-8 (as the auth's general path does).
    encoding = httpx.Headers(req.headers.raw).encoding
    raw_path, _, raw_query = req.url.raw_path.partition(b"?")
    sent = sign_request(
        req.method, unquote(raw_path.decode()) or "/", parse_query(raw_query.decode()),
        [(k.decode(encoding), v.decode(encoding)) for k, v in req.headers.raw], req.content,
        access_key=AK, secret_key=SK, region="cn-beijing", service="vms", now=T0,
        session_token=token).headers
    for name in ADDED:
        if name in sent:
            req.headers[name] = sent[name]
    return req.headers.raw


# One auth per token kept across examples: each example's request follows another
# example's, so a kept shape that wrongly matched would sign the wrong request.
SHARED = {token: VolcSignatureAuth(AK, SK, session_token=token, clock=lambda: T0)
          for token in (None, "", "tok")}


def through_auth(auth: VolcSignatureAuth, req: httpx.Request) -> list[tuple[bytes, bytes]]:
    return next(auth.sync_auth_flow(req)).headers.raw


@settings(max_examples=120, deadline=None)
@given(method=st.sampled_from(["POST", "GET", "put"]), path=segments, params=params_st,
       headers=headers_st, body=st.binary(max_size=16),
       token=st.sampled_from([None, "", "tok"]))
def test_fast_path_leaves_what_the_general_path_leaves(
        method: str, path: list[str], params: list[tuple[str, str]],
        headers: dict[str, str | bytes], body: bytes, token: str | None) -> None:
    target = "/".join(path)

    def make() -> httpx.Request:
        return request(method, target, params, headers, body)

    expected = general(make(), token or None)
    auth = VolcSignatureAuth(AK, SK, session_token=token, clock=lambda: T0)
    first = through_auth(auth, make())
    again = through_auth(auth, make())  # the same shape: the kept plan
    after_another = through_auth(SHARED[token], make())
    assert first == again == after_another == expected

    generic = VolcSignatureAuth(AK, SK, session_token=token, clock=lambda: T0)
    with pytest.MonkeyPatch.context() as patch:  # an httpx without the known layouts
        patch.setattr(httpx_auth, "_APPEND_RAW", False)
        patch.setattr(httpx_auth, "_URI_REFERENCE", False)
        assert through_auth(generic, make()) == expected

    if any(name.lower() in MANAGED for name in headers):
        # The general path re-sets a caller's copy through httpx's setter, which encodes
        # a Latin-1 value as UTF-8 (unchanged by the fast path; the verifier then sees
        # other bytes than were signed): the fast path is what is checked below.
        return
    signed = make()  # a fresh request, signed on the kept shape, checked by the verifier
    through_auth(auth, signed)
    raw_path, _, raw_query = signed.url.raw_path.partition(b"?")
    encoding = signed.headers.encoding
    verdict = verify_request(
        signed.method, raw_path, raw_query,
        [(k.decode(encoding), v.decode(encoding)) for k, v in signed.headers.raw],
        body, credentials={AK: SK}, now=T0)
    assert verdict.ok, verdict.explain()


def test_the_fast_layouts_are_in_use_with_this_httpx() -> None:
    assert httpx_auth._APPEND_RAW
    assert httpx_auth._URI_REFERENCE


VARIANTS: dict[str, tuple[str, str, list[tuple[str, str]], dict[str, str | bytes], bytes]] = {
    "first": ("POST", "a", [("Action", "CreateTask")], {"X-Custom": "1"}, b"{}"),
    "header": ("POST", "a", [("Action", "CreateTask")], {"X-Custom": "2"}, b"{}"),
    "path": ("POST", "b", [("Action", "CreateTask")], {"X-Custom": "1"}, b"{}"),
    "query": ("POST", "a", [("Action", "Other")], {"X-Custom": "1"}, b"{}"),
    "method": ("PUT", "a", [("Action", "CreateTask")], {"X-Custom": "1"}, b"{}"),
    "body": ("POST", "a", [("Action", "CreateTask")], {"X-Custom": "1"}, b"[]"),
    "region": ("POST", "a", [("Action", "CreateTask")], {"X-Custom": "1"}, b"{}"),
}


@pytest.mark.parametrize("change", [name for name in VARIANTS if name != "first"])
def test_a_request_that_differs_from_the_last_is_signed_for_itself(change: str) -> None:
    auth = VolcSignatureAuth(AK, SK, clock=lambda: T0)
    through_auth(auth, request(*VARIANTS["first"]))
    if change == "region":
        auth.region = "cn-north-1"
    got = dict(through_auth(auth, request(*VARIANTS[change])))
    reference = request(*VARIANTS[change])
    raw_path, _, raw_query = reference.url.raw_path.partition(b"?")
    sent = sign_request(
        reference.method, unquote(raw_path.decode()), parse_query(raw_query.decode()),
        [(k.decode(), v.decode()) for k, v in reference.headers.raw], reference.content,
        access_key=AK, secret_key=SK, region=auth.region, service="vms", now=T0).headers
    assert got[b"Authorization"] == sent["Authorization"].encode()
    assert got[b"X-Content-Sha256"] == sent["X-Content-Sha256"].encode()


def test_the_kept_shape_never_shows_the_session_token() -> None:
    auth = VolcSignatureAuth(AK, SK, session_token="sts-secret-token", clock=lambda: T0)
    through_auth(auth, request("POST", "", [], {}, b"{}"))
    assert auth._shape is not None
    assert "sts-secret-token" not in repr(auth._shape)
    assert "sts-secret-token" not in repr(auth)
