"""The verifier: every error code, requests from both official SDKs, and properties
(sign -> verify round-trips; any single change is caught with the right code)."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmsspec import ERROR_CODES
from vmsspec.signing import (
    CredentialStore,
    Secret,
    Verification,
    presign_url,
    sign_request,
    verify_request,
)

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
HOST = "cloud-vms.volcengineapi.com"
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)
STORE = CredentialStore({AK: SK, "AKLTother": "another-secret"})
BODY = b'{"Name": "task", "Concurrency": 1}'


def signed(**kw: Any) -> Any:
    args: dict[str, Any] = {
        "method": "POST", "path": "/", "query": {"Action": "CreateTask", "Version": "2022-01-01"},
        "headers": {"Host": HOST, "Content-Type": "application/json"}, "body": BODY,
        "access_key": AK, "secret_key": SK, "region": "cn-beijing", "service": "vms", "now": T0,
    }
    args.update(kw)
    return sign_request(**args)


def verify(
    headers: Any,
    *,
    method: str = "POST",
    path: str | bytes = "/",
    query: str | bytes = "Action=CreateTask&Version=2022-01-01",
    body: bytes = BODY,
    now: datetime = T0 + timedelta(seconds=5),
    **kw: Any,
) -> Verification:
    return verify_request(method, path, query, headers, body, credentials=STORE, now=now, **kw)


def with_header(headers: Any, name: str, value: str | None) -> dict[str, str]:
    out = {k: v for k, v in dict(headers).items() if k.lower() != name.lower()}
    if value is not None:
        out[name] = value
    return out


def test_a_signed_request_verifies() -> None:
    result = verify(signed().headers)
    assert result.ok and bool(result)
    assert result.code is None and result.status == 200
    assert result.access_key == AK
    assert result.signed_headers == ("content-type", "host", "x-content-sha256", "x-date")


def test_a_plain_dict_of_secrets_is_a_credential_store() -> None:
    result = verify_request(
        "POST", "/", "Action=CreateTask&Version=2022-01-01", dict(signed().headers), BODY,
        credentials={AK: SK}, now=T0,
    )
    assert result.ok
    assert verify_request(
        "POST", "/", "Action=CreateTask&Version=2022-01-01", dict(signed().headers), BODY,
        credentials={AK: Secret(SK)}, now=T0,
    ).ok


def test_wire_header_names_are_case_insensitive() -> None:
    lowered = [(k.lower(), v) for k, v in signed().headers.items()]
    assert verify(lowered).ok


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "MissingAuthenticationToken"),
        ("Bearer abc", "MissingAuthenticationToken"),
        ("HMAC-SHA256 SignedHeaders=host, Signature=00", "MissingAuthenticationToken"),
        ("HMAC-SHA256 Credential=AK/20250527/cn-beijing/vms, SignedHeaders=host, Signature=00",
         "MissingAuthenticationToken"),
        (f"HMAC-SHA256 Credential={AK}/20250527/cn-beijing/vms/request, Signature=00",
         "MissingAuthenticationToken"),
        (f"HMAC-SHA256 Credential={AK}/20250527/cn-beijing/vms/request, "
         "SignedHeaders=host;x-content-sha256;x-date", "MissingSignature"),
        (f"HMAC-SHA256 Credential={AK}/20250527/cn-beijing/vms/request, "
         "SignedHeaders=host;x-content-sha256;x-date, Signature=", "MissingSignature"),
        ("HMAC-SHA256 Credential=AKLTnobody/20250527/cn-beijing/vms/request, "
         "SignedHeaders=host;x-content-sha256;x-date, Signature=00", "InvalidAccessKey"),
        (f"HMAC-SHA256 Credential={AK}/20250527/cn-beijing/vms/request, "
         "SignedHeaders=host;x-content-sha256;x-date, Signature=00", "SignatureDoesNotMatch"),
    ],
)
def test_authorization_problems(authorization: str | None, code: str) -> None:
    result = verify(with_header(signed().headers, "Authorization", authorization))
    assert not result.ok
    assert result.code == code
    assert result.error is not None and result.status == result.error.status
    assert result.status in (400, 401)


def _respaced(authorization: str, layout: str) -> str:
    fields = dict(part.split("=", 1) for part in authorization[len("HMAC-SHA256 "):].split(", "))
    cred, names, sig = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
    return "HMAC-SHA256 " + {
        "reordered": f"Signature={sig}, Credential={cred}, SignedHeaders={names}",
        "no spaces": f"Credential={cred},SignedHeaders={names},Signature={sig}",
        "extra spaces": f"Credential={cred} ,  SignedHeaders={names},   Signature={sig}",
        "junk after signature": f"Credential={cred}, SignedHeaders={names}, Signature={sig}, x",
    }[layout]


@pytest.mark.parametrize("layout", ["reordered", "no spaces", "extra spaces",
                                    "junk after signature"])
def test_authorization_fields_are_found_in_any_layout(layout: str) -> None:
    # The SDK layout has a cached fast path; every other layout takes the general
    # parse, and both must reach the same verdict.
    headers = signed().headers
    assert verify(with_header(headers, "Authorization",
                              _respaced(headers["Authorization"], layout))).ok


def test_status_codes_come_from_the_error_table() -> None:
    # The vendor's table says 401 for a missing token and 400 for a stale timestamp.
    missing = verify(with_header(signed().headers, "Authorization", None))
    stale = verify(signed().headers, now=T0 + timedelta(hours=1))
    assert (missing.code, missing.status) == ("MissingAuthenticationToken", 401)
    assert (stale.code, stale.status) == ("InvalidTimestamp", 400)
    for verdict in (missing, stale):
        assert verdict.status == ERROR_CODES[verdict.code or ""].status


@pytest.mark.parametrize(
    ("x_date", "now", "reason"),
    [
        (None, T0, "missing"),
        ("2025-05-27T11:46:34Z", T0, "not of the form"),
        ("20251327T114634Z", T0, "not of the form"),
        ("20250527T114634", T0, "not of the form"),
        ("20250527T114634Z", T0 + timedelta(minutes=15, seconds=1), "old"),
        ("20250527T114634Z", T0 - timedelta(minutes=15, seconds=1), "future"),
    ],
)
def test_invalid_timestamp(x_date: str | None, now: datetime, reason: str) -> None:
    result = verify(with_header(signed().headers, "X-Date", x_date), now=now)
    assert result.code == "InvalidTimestamp"
    assert reason in result.reason


def test_the_window_edges_are_inclusive() -> None:
    headers = signed().headers
    assert verify(headers, now=T0 + timedelta(minutes=15)).ok
    assert verify(headers, now=T0 - timedelta(minutes=15)).ok
    assert verify(headers, now=T0 + timedelta(minutes=2), max_skew=timedelta(minutes=1)).code == (
        "InvalidTimestamp"
    )


def test_signed_x_expires_sets_the_lifetime() -> None:
    short = signed(headers={"Host": HOST, "X-Expires": "60"}).headers
    assert verify(short, now=T0 + timedelta(seconds=60)).ok
    assert verify(short, now=T0 + timedelta(seconds=61)).code == "InvalidTimestamp"
    long = signed(headers={"Host": HOST, "X-Expires": "3600"}).headers
    assert verify(long, now=T0 + timedelta(minutes=59)).ok
    assert verify(long, now=T0 + timedelta(minutes=61)).code == "InvalidTimestamp"
    # The future bound stays max_skew whatever X-Expires says.
    assert verify(long, now=T0 - timedelta(minutes=16)).code == "InvalidTimestamp"
    too_long = signed(headers={"Host": HOST, "X-Expires": str(8 * 86400)}).headers
    assert "exceeds" in verify(too_long).reason
    bad = signed(headers={"Host": HOST, "X-Expires": "soon"}).headers
    assert verify(bad).code == "InvalidTimestamp"


def test_unsigned_x_expires_cannot_extend_the_window() -> None:
    headers = with_header(signed().headers, "x-expires", "86400")  # lower-case: not signed
    assert verify(headers, now=T0 + timedelta(minutes=20)).code == "InvalidTimestamp"


def test_only_x_date_must_be_signed(ref_sig: Callable[..., str]) -> None:
    # FACTS section 7: the generated Java SDK signs x-date alone. Built by hand with
    # the reference HMAC steps, so this does not test the verifier against itself.
    headers = dict(signed().headers)
    del headers["X-Content-Sha256"]
    block = "x-date:20250527T114634Z\n"
    canonical = "\n".join(["POST", "/", "Action=CreateTask&Version=2022-01-01", block,
                           "x-date", hashlib.sha256(BODY).hexdigest()])
    headers["Authorization"] = (
        f"HMAC-SHA256 Credential={AK}/20250527/cn-beijing/vms/request, "
        f"SignedHeaders=x-date, Signature={ref_sig(canonical)}"
    )
    assert verify(headers).ok
    # Without x-date among them, no signature is checked at all.
    headers["Authorization"] = headers["Authorization"].replace("=x-date,", "=host,")
    result = verify(headers)
    assert result.code == "SignatureDoesNotMatch"
    assert "x-date" in result.reason


def test_sdk_without_host_header_signs_what_it_has() -> None:
    # The older SDK signs "Host" only in that spelling; a lower-case "host" goes out
    # unsigned, and the server verifies what SignedHeaders declares.
    result = verify(signed(headers={"host": HOST}).headers)
    assert result.ok, result.explain()
    assert result.signed_headers == ("x-content-sha256", "x-date")


def test_declared_header_must_be_present_and_single() -> None:
    headers = signed(headers={"Host": HOST, "X-Extra": "1"}).headers
    assert verify(with_header(headers, "X-Extra", None)).code == "SignatureDoesNotMatch"
    doubled = [*headers.items(), ("x-extra", "1")]
    result = verify(doubled)
    assert result.code == "SignatureDoesNotMatch"
    assert "more than once" in result.reason


def test_body_must_match_its_declared_hash() -> None:
    result = verify(signed().headers, body=BODY + b" ")
    assert result.code == "SignatureDoesNotMatch"
    assert "X-Content-Sha256" in result.reason


def test_credential_scope_is_checked() -> None:
    headers = signed().headers
    assert verify(headers, region="cn-beijing", service="vms").ok
    assert "region" in verify(headers, region="cn-north-1").reason
    assert "service" in verify(headers, service="sms").reason
    # A scope date other than X-Date's day.
    auth = headers["Authorization"].replace("/20250527/", "/20250526/")
    result = verify(with_header(headers, "Authorization", auth))
    assert result.code == "SignatureDoesNotMatch"
    assert "date" in result.reason


def test_wrong_secret_is_signature_does_not_match() -> None:
    headers = signed(secret_key="not-the-secret").headers
    result = verify(headers)
    assert result.code == "SignatureDoesNotMatch"
    assert result.canonical_request == signed().canonical_request
    assert result.string_to_sign == signed().string_to_sign


def test_explain_gives_the_server_side_for_diffing_but_no_signature() -> None:
    good = signed()
    result = verify(good.headers, query="Action=CreateTask&Version=2022-01-02")
    text = result.explain()
    assert text.startswith("SignatureDoesNotMatch (HTTP 401)")
    assert "Action=CreateTask&Version=2022-01-02" in text
    assert result.canonical_request is not None and result.canonical_request in text
    assert result.string_to_sign is not None and result.string_to_sign in text
    # The server's expected signature would be a forgery oracle.
    expected = signed(query={"Action": "CreateTask", "Version": "2022-01-02"}).signature
    assert expected not in text and expected not in repr(result)
    assert verify(good.headers).explain().startswith("OK")


@pytest.mark.parametrize("wire_host", [HOST + ":443", HOST + ":80"])
def test_host_with_default_port_on_the_wire(wire_host: str) -> None:
    headers = with_header(signed().headers, "Host", wire_host)
    assert verify(headers).ok
    # And the other way round: signed with the port, arriving without it.
    assert verify(with_header(signed(headers={"Host": wire_host}).headers, "Host", HOST)).ok


def test_encoded_wire_forms_decode_to_what_was_signed() -> None:
    query = {"Action": "CreateTask", "q": "a b+c/é~*", "empty": ""}
    headers = signed(path="/a b/é", query=query).headers
    for raw_query in (urlencode(query), urlencode(query, quote_via=quote)):
        assert verify(headers, path="/a%20b/%C3%A9", query=raw_query).ok
        assert verify(headers, path=b"/a%20b/%c3%a9", query=raw_query.encode()).ok


def _newer_sdk_sign(
    method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes,
) -> dict[str, str]:
    """The newer SDK's algorithm (volcengine-python-sdk SignerV4), written out here:
    query sorted by encoded (key, value), path as given, X-Sdk-* headers signed."""
    x_date = "20250527T114634Z"
    headers = dict(headers)
    headers["X-Sdk-Invocation-Id"] = str(uuid.UUID(int=7))
    headers["X-Sdk-Request"] = "attempt=1; max=4"
    headers["X-Date"] = x_date
    body_hash = hashlib.sha256(body).hexdigest()
    headers["X-Content-Sha256"] = body_hash
    signed_h = {k.lower(): v for k, v in headers.items()
                if k in ("Content-Type", "Content-Md5", "Host") or k.startswith("X-")}
    names = sorted(signed_h)
    block = "".join(f"{n}:{signed_h[n]}\n" for n in names)
    enc = [(quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in query.items()]
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(enc))
    canonical = "\n".join([method, path, canonical_query, block, ";".join(names), body_hash])

    def h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = h(h(h(h(SK.encode(), x_date[:8]), "cn-beijing"), "vms"), "request")
    scope = f"{x_date[:8]}/cn-beijing/vms/request"
    to_sign = "\n".join(["HMAC-SHA256", x_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"HMAC-SHA256 Credential={AK}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={signature}")
    return headers


def test_requests_from_the_newer_sdk_verify() -> None:
    # Keys whose two orders differ: raw "z" < "é", but encoded "%C3%A9" < "z".
    query = {"Action": "CreateTask", "Version": "2022-01-01", "z": "1", "é": "2"}
    headers = _newer_sdk_sign(
        "POST", "/", query, {"Host": HOST, "Content-Type": "application/json"}, BODY,
    )
    result = verify(headers, query=urlencode(query))
    assert result.ok, result.explain()
    assert "x-sdk-invocation-id" in result.signed_headers
    # The older SDK's canonical form of the same request is a different string.
    older = signed(query=query, headers={k: v for k, v in headers.items()
                                          if k not in ("Authorization",)})
    assert older.headers["Authorization"] != headers["Authorization"]
    assert verify(older.headers, query=urlencode(query)).ok


def test_a_mismatch_lists_the_variants_tried() -> None:
    query = {"z": "1", "é": "2"}
    headers = signed(query=query).headers
    result = verify(headers, query=urlencode({"z": "1", "é": "3"}))
    assert result.code == "SignatureDoesNotMatch"
    assert len(result.alternatives) == 1
    assert "%C3%A9=3&z=1" in result.alternatives[0]
    assert "z=1&%C3%A9=3" in (result.canonical_request or "")


# --- presigned URLs -------------------------------------------------------


def presigned(**kw: Any) -> Any:
    args: dict[str, Any] = {
        "method": "GET", "path": "/", "query": {"Action": "CreateTask", "Version": "2022-01-01"},
        "access_key": AK, "secret_key": SK, "region": "cn-beijing", "service": "vms", "now": T0,
    }
    args.update(kw)
    return presign_url(**args)


def verify_url(url: Any, **kw: Any) -> Verification:
    kw.setdefault("method", "GET")
    kw.setdefault("body", b"")
    return verify({"Host": HOST}, query=url.query_string, **kw)


def test_presigned_url_shape_and_known_answer(ref_sig: Callable[..., str]) -> None:
    url = presigned()
    params = dict(url.query)
    assert params["X-Algorithm"] == "HMAC-SHA256"
    assert params["X-Credential"] == f"{AK}/20250527/cn-beijing/vms/request"
    assert params["X-Date"] == "20250527T114634Z"
    assert params["X-Expires"] == "900"
    assert params["X-SignedHeaders"] == ""
    assert params["X-SignedQueries"] == (
        "Action;Version;X-Algorithm;X-Credential;X-Date;X-Expires;X-NotSignBody;"
        "X-SignedHeaders;X-SignedQueries"
    )
    empty = hashlib.sha256(b"").hexdigest()
    # Four newlines between the query and the body hash: the SDK's header-block quirk.
    assert url.canonical_request == (
        "GET\n/\nAction=CreateTask&Version=2022-01-01&X-Algorithm=HMAC-SHA256&"
        f"X-Credential={AK}%2F20250527%2Fcn-beijing%2Fvms%2Frequest&X-Date=20250527T114634Z&"
        "X-Expires=900&X-NotSignBody=&X-SignedHeaders=&X-SignedQueries=Action%3BVersion%3B"
        "X-Algorithm%3BX-Credential%3BX-Date%3BX-Expires%3BX-NotSignBody%3BX-SignedHeaders%3B"
        f"X-SignedQueries\n\n\n\n{empty}"
    )
    assert url.signature == params["X-Signature"] == ref_sig(url.canonical_request)
    assert url.url("https://" + HOST + "/").startswith(f"https://{HOST}/?Action=CreateTask&")


def test_presigned_url_verifies_and_expires() -> None:
    url = presigned(expires=60)
    assert verify_url(url, now=T0 + timedelta(seconds=60)).ok
    assert verify_url(url, now=T0 + timedelta(seconds=61)).code == "InvalidTimestamp"
    assert verify_url(url).presigned
    # Without X-Expires the default window applies.
    bare = presigned(expires=None)
    assert "X-Expires" not in dict(bare.query)
    assert verify_url(bare, now=T0 + timedelta(minutes=15)).ok
    assert verify_url(bare, now=T0 + timedelta(minutes=16)).code == "InvalidTimestamp"


def test_presigned_url_with_session_token() -> None:
    url = presigned(session_token="tok+en")
    assert dict(url.query)["X-Security-Token"] == "tok+en"
    assert "X-Security-Token" not in dict(url.query)["X-SignedQueries"]
    assert verify_url(url).ok
    tampered = url.query_string.replace("tok%2Ben", "tok%2Bex")
    assert verify({"Host": HOST}, method="GET", query=tampered, body=b"").code == (
        "SignatureDoesNotMatch"
    )


def test_presigned_newer_sdk_leaves_the_token_out(ref_sig: Callable[..., str]) -> None:
    # The newer SDK computes the canonical query before adding X-Security-Token.
    url = presigned(session_token="tok")
    pairs = [(k, v) for k, v in url.query if k not in ("X-Security-Token", "X-Signature")]
    enc = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    canonical = "\n".join(["GET", "/", "&".join(f"{k}={v}" for k, v in enc), "\n", "",
                           hashlib.sha256(b"").hexdigest()])
    query = urlencode([*pairs, ("X-Security-Token", "tok"), ("X-Signature", ref_sig(canonical))])
    assert verify({"Host": HOST}, method="GET", query=query, body=b"").ok


def test_a_presigned_url_may_sign_headers(ref_sig: Callable[..., str]) -> None:
    # vmsspec's presigner signs none, but X-SignedHeaders may name some; the URL then
    # holds only with those headers as they were signed.
    pairs = [(k, "host" if k == "X-SignedHeaders" else v) for k, v in presigned().query
             if k != "X-Signature"]
    line = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                    for k, v in sorted(pairs, key=lambda kv: kv[0]))
    canonical = "\n".join(["GET", "/", line, f"host:{HOST}\n", "host",
                           hashlib.sha256(b"").hexdigest()])
    query = urlencode([*pairs, ("X-Signature", ref_sig(canonical))])

    def check(headers: dict[str, str]) -> Verification:
        return verify(headers, method="GET", query=query, body=b"")

    assert check({"Host": HOST}).ok
    assert check({"Host": HOST}).signed_headers == ("host",)
    assert check({"Host": "elsewhere.example"}).code == "SignatureDoesNotMatch"
    missing = check({})
    assert (missing.code, missing.reason) == (
        "SignatureDoesNotMatch", "signed header 'host' is not in the request")


@pytest.mark.parametrize(
    ("drop", "code"),
    [
        ("X-Signature", "MissingSignature"),
        ("X-Credential", "MissingAuthenticationToken"),
        ("X-Algorithm", "MissingAuthenticationToken"),
        ("X-Date", "InvalidTimestamp"),
        ("Version", "SignatureDoesNotMatch"),
    ],
)
def test_presigned_problems(drop: str, code: str) -> None:
    url = presigned()
    query = urlencode([(k, v) for k, v in url.query if k != drop])
    assert verify({"Host": HOST}, method="GET", query=query, body=b"").code == code


def test_presigned_unknown_key_and_refused_parameters() -> None:
    url = presigned(access_key="AKLTnobody")
    assert verify_url(url).code == "InvalidAccessKey"
    with pytest.raises(ValueError, match="X-Signature"):
        presigned(query={"X-Signature": "forged"})
    with pytest.raises(ValueError, match="non-negative"):
        presigned(expires=-1)


# --- properties -----------------------------------------------------------

TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&'*+-.^_`|~0123456789"
token = st.text(TOKEN_CHARS, min_size=1, max_size=8)
text = st.text(st.characters(codec="utf-8"), max_size=10)
header_names = st.from_regex(r"X-[A-Za-z0-9-]{1,10}", fullmatch=True).filter(
    lambda n: n.lower() not in ("x-date", "x-content-sha256", "x-security-token", "x-expires")
)
hosts = st.from_regex(r"[a-z0-9][a-z0-9.-]{0,15}(:[0-9]{1,5})?", fullmatch=True)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    extra = draw(st.dictionaries(header_names, text, max_size=4))
    headers = {"Host": draw(hosts)}
    seen = {"host"}
    for k, v in extra.items():
        if k.lower() not in seen:
            seen.add(k.lower())
            headers[k] = v
    return {
        "method": draw(token),
        "path": "/" + draw(text),
        "query": draw(st.lists(st.tuples(text, text), min_size=draw(st.sampled_from([0, 1])),
                               max_size=5)),
        "headers": headers,
        "body": draw(st.binary(max_size=200)),
        "token": draw(st.one_of(st.none(), st.just("session/token=="))),
    }


def sign_and_wire(req: dict[str, Any]) -> tuple[Any, str, str]:
    result = sign_request(
        req["method"], req["path"], req["query"], req["headers"], req["body"],
        access_key=AK, secret_key=SK, region="cn-beijing", service="vms", now=T0,
        session_token=req["token"],
    )
    raw_path = quote(req["path"], safe="/")
    raw_query = urlencode(req["query"], quote_via=quote_plus)
    return result, raw_path, raw_query


def verify_wire(req: dict[str, Any], headers: Any, raw_path: str, raw_query: str,
                now: datetime = T0) -> Verification:
    return verify_request(req["method"], raw_path, raw_query, headers, req["body"],
                          credentials=STORE, now=now)


@given(requests(), st.integers(-900, 900))
def test_round_trip(req: dict[str, Any], skew: int) -> None:
    result, raw_path, raw_query = sign_and_wire(req)
    verdict = verify_wire(req, dict(result.headers), raw_path, raw_query,
                          now=T0 + timedelta(seconds=skew))
    assert verdict.ok, verdict.explain()


def _replace_char(draw: Callable[..., Any], value: str, alphabet: str | None = None) -> str:
    """``value`` with one character replaced by a different one (from ``alphabet``)."""
    i = draw(st.integers(0, len(value) - 1))
    if alphabet is not None:
        new = draw(st.sampled_from([ch for ch in alphabet if ch != value[i]]))
    else:
        new = draw(_CHAR)
        if new == value[i]:
            new = chr(ord(new) ^ 1)  # never a surrogate: _CHAR has none, and xor 1 stays out
    return str(value[:i] + new + value[i + 1:])


_CHAR = st.characters(codec="utf-8")
_X_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z")


def _date_code(x_date: str) -> str:
    """What a one-character change of X-Date must be answered with."""
    m = _X_DATE.fullmatch(x_date)
    if m is None or not x_date.isascii():
        return "InvalidTimestamp"
    try:
        year, month, day, hour, minute, second = (int(g) for g in m.groups())
        when = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return "InvalidTimestamp"
    if abs(when - T0) > timedelta(minutes=15):
        return "InvalidTimestamp"
    return "SignatureDoesNotMatch"


def _mutated(
    target: str, req: dict[str, Any], result: Any, raw_path: str, raw_query: str,
    draw: Callable[..., Any],
) -> tuple[str, Verification]:
    """Change one character (one byte of the body) of ``target``; verify; return the
    code that change must produce, and the verdict."""
    headers = dict(result.headers)
    method, body, expected = req["method"], req["body"], "SignatureDoesNotMatch"
    if target == "method":
        method = _replace_char(draw, method, TOKEN_CHARS)
    elif target == "path":
        raw_path = quote(_replace_char(draw, req["path"]), safe="/")
    elif target == "query":
        pairs = list(req["query"])
        i = draw(st.sampled_from([j for j, (k, v) in enumerate(pairs) if k or v]))
        key, value = pairs[i]
        if key and (not value or draw(st.booleans())):
            key = _replace_char(draw, key)
        else:
            value = _replace_char(draw, value)
        pairs[i] = (key, value)
        raw_query = urlencode(pairs, quote_via=quote_plus)
    elif target == "body":
        changed = bytearray(body)
        i = draw(st.integers(0, len(changed) - 1))
        changed[i] = draw(st.integers(0, 255).filter(lambda b: b != changed[i]))
        body = bytes(changed)
    elif target == "date":
        headers["X-Date"] = _replace_char(draw, headers["X-Date"])
        expected = _date_code(headers["X-Date"])
    else:
        headers[target] = _replace_char(draw, headers[target])
    verdict = verify_request(method, raw_path, raw_query, headers, body,
                             credentials=STORE, now=T0)
    return expected, verdict


@given(requests(), st.data())
def test_any_single_change_is_caught(req: dict[str, Any], data: st.DataObject) -> None:
    result, raw_path, raw_query = sign_and_wire(req)
    targets = ["method", "path", "date"]
    if any(k or v for k, v in req["query"]):
        targets.append("query")
    if req["body"]:
        targets.append("body")
    # Every other signed header with a value: Host, X-Content-Sha256, X-Security-Token
    # and the generated X-... headers.
    targets += [n for n, v in result.headers.items()
                if n.lower() in result.signed_headers and n != "X-Date" and v]
    for target in targets:
        expected, verdict = _mutated(target, req, result, raw_path, raw_query, data.draw)
        assert verdict.code == expected, (target, verdict.reason)


@given(requests())
def test_wrong_or_unknown_key_never_verifies(req: dict[str, Any]) -> None:
    result, raw_path, raw_query = sign_and_wire(req)
    headers = dict(result.headers)
    other = headers["Authorization"].replace(AK, "AKLTother")
    assert verify_wire(req, {**headers, "Authorization": other}, raw_path, raw_query).code == (
        "SignatureDoesNotMatch"
    )
    unknown = headers["Authorization"].replace(AK, "AKLTunknown")
    assert verify_wire(req, {**headers, "Authorization": unknown}, raw_path, raw_query).code == (
        "InvalidAccessKey"
    )


@given(
    token,
    text.map(lambda p: "/" + p),
    st.lists(st.tuples(text.filter(lambda k: not k.startswith("X-")), text), max_size=4),
    st.one_of(st.none(), st.integers(0, 7 * 86400)),
    st.one_of(st.none(), st.just("session/token==")),
    st.data(),
)
def test_presigned_round_trip_and_tampering(
    method: str, path: str, query: list[tuple[str, str]], expires: int | None,
    session_token: str | None, data: st.DataObject,
) -> None:
    url = presign_url(method, path, query, access_key=AK, secret_key=SK, region="cn-beijing",
                      service="vms", now=T0, expires=expires, session_token=session_token)
    raw_path = quote(path, safe="/")
    # The wire form may use either "+" or "%20" for spaces: both decode alike.
    raw_query = data.draw(st.sampled_from(
        [url.query_string, urlencode(url.query, quote_via=quote_plus)]))
    verdict = verify_request(method, raw_path, raw_query, {"Host": HOST}, b"", credentials=STORE,
                             now=T0)
    assert verdict.ok and verdict.presigned, verdict.explain()
    # Any one changed character in a signed part of the query is caught.
    pairs = list(url.query)
    candidates = [i for i, (k, v) in enumerate(pairs)
                  if v and k not in ("X-Signature", "X-Date", "X-Expires", "X-Credential",
                                     "X-Algorithm")]
    if candidates:
        i = data.draw(st.sampled_from(candidates))
        key, value = pairs[i]
        pairs[i] = (key, _replace_char(data.draw, value))
        tampered = verify_request(method, raw_path, urlencode(pairs), {"Host": HOST}, b"",
                                  credentials=STORE, now=T0)
        assert tampered.code == "SignatureDoesNotMatch", (key, tampered.reason)
