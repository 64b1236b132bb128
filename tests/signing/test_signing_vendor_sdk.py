"""Differential tests: vmsspec's signer against the vendor's older SDK (PyPI ``volcengine``).

Both sign the same randomly generated requests; the Authorization headers must be
identical. Skipped when the SDK (a test extra) is not installed.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

volc_signer = pytest.importorskip("volcengine.auth.SignerV4")
from volcengine.auth.SignParam import SignParam  # noqa: E402
from volcengine.base.Request import Request  # noqa: E402
from volcengine.Credentials import Credentials as VolcCredentials  # noqa: E402

from vmsspec.signing import presign_url, sign_request  # noqa: E402

SignerV4 = volc_signer.SignerV4
AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="

# Text the SDK can encode: any code point but lone surrogates.
text = st.text(st.characters(codec="utf-8"), max_size=8)
ascii_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8)
mixed_text = st.one_of(text, ascii_text)
# Names that exercise the selection rule: exact spellings, other casings, X- and x-.
header_name = st.one_of(
    st.sampled_from(["Content-Type", "content-type", "Content-Md5", "Content-MD5",
                     "User-Agent", "Accept", "X-Sdk-Request", "X-Tt-Logid", "x-custom"]),
    st.from_regex(r"X-[A-Za-z0-9_-]{1,8}", fullmatch=True),
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,8}", fullmatch=True),
)
MANAGED = {"x-date", "x-content-sha256", "authorization", "x-security-token", "host"}
hosts = st.one_of(
    st.sampled_from(["cloud-vms.volcengineapi.com", "h:443", "h:80", "h:8080", "h:80:x",
                     "[::1]:443", "127.0.0.1:8000"]),
    st.from_regex(r"[a-z0-9.-]{1,12}(:[0-9]{1,5})?", fullmatch=True),
)
query_value = st.one_of(mixed_text, st.lists(mixed_text, min_size=1, max_size=3))
times = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
    timezones=st.just(dt.timezone.utc),
).map(lambda t: t.replace(microsecond=0))


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    headers: OrderedDict[str, str] = OrderedDict()
    seen: set[str] = set()
    for name in draw(st.lists(header_name, max_size=6)):
        if name.lower() in seen or name.lower() in MANAGED:
            continue
        seen.add(name.lower())
        headers[name] = draw(mixed_text)
    if draw(st.booleans()):
        headers["Host"] = draw(hosts)
    return {
        "method": draw(st.sampled_from(["POST", "GET", "PUT", "DELETE", "post", "PATCH"])),
        "path": "/" + draw(mixed_text),
        "query": OrderedDict(draw(st.dictionaries(mixed_text, query_value, max_size=5))),
        "headers": headers,
        "body": draw(st.one_of(text, st.binary(max_size=64))),
        "now": draw(times),
        "token": draw(st.sampled_from(["", "", "STS/token+value=="])),
        "region": draw(st.sampled_from(["cn-beijing", "cn-north-1"])),
    }


def _vendor_sign_only(req: dict[str, Any]) -> Any:
    param = SignParam()
    param.set_method(req["method"])
    param.set_path(req["path"])
    param.set_query(OrderedDict((k, list(v) if isinstance(v, list) else v)
                                for k, v in req["query"].items()))
    param.set_header_list(OrderedDict(req["headers"]))
    param.set_body(req["body"])
    # sign_only formats the datetime as given: pass the UTC wall time.
    param.set_date(req["now"].replace(tzinfo=None))
    creds = VolcCredentials(AK, SK, "vms", req["region"], req["token"])
    return SignerV4.sign_only(param, creds)


def _ours(req: dict[str, Any], *, as_pairs: bool = False) -> Any:
    query: Any = req["query"]
    if as_pairs:
        query = [(k, item) for k, v in query.items()
                 for item in (v if isinstance(v, list) else [v])]
    return sign_request(
        req["method"], req["path"], query, list(req["headers"].items()), req["body"],
        access_key=AK, secret_key=SK, region=req["region"], service="vms",
        now=req["now"], session_token=req["token"] or None,
    )


@given(requests(), st.booleans())
def test_authorization_matches_vendor_sign_only(req: dict[str, Any], as_pairs: bool) -> None:
    vendor = _vendor_sign_only(req)
    ours = _ours(req, as_pairs=as_pairs)
    assert ours.headers["Authorization"] == vendor.authorization
    assert ours.headers["X-Content-Sha256"] == vendor.xContextSha256


@given(requests())
def test_headers_match_vendor_sign(monkeypatch_x_date: Any, req: dict[str, Any]) -> None:
    """The code path the SDK's Service.json() uses; it adds a Content-Type when absent."""
    # sign() would add "Content-Type" next to a "content-type" (sent twice, signed once);
    # vmsspec refuses a name given twice, so that input is not comparable.
    req["headers"] = OrderedDict(
        (n, v) for n, v in req["headers"].items()
        if n.lower() != "content-type" or n == "Content-Type"
    )
    if "Content-Type" not in req["headers"] and req["method"] != "GET":
        req["headers"]["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    request = Request()
    request.set_method(req["method"])
    request.set_path(req["path"])
    request.set_query(OrderedDict(req["query"]))
    request.set_headers(OrderedDict(req["headers"]))
    request.set_body(req["body"])
    monkeypatch_x_date(req["now"].strftime("%Y%m%dT%H%M%SZ"))
    SignerV4.sign(request, VolcCredentials(AK, SK, "vms", req["region"], req["token"]))
    ours = _ours(req)
    assert dict(ours.headers) == dict(request.headers)


@pytest.fixture(scope="module")
def monkeypatch_x_date() -> Any:
    """Pin SignerV4's clock (its only time source) for the duration of the module."""
    original = SignerV4.get_current_format_date
    current = {"value": ""}
    SignerV4.get_current_format_date = staticmethod(lambda: current["value"])

    def set_value(value: str) -> None:
        current["value"] = value

    yield set_value
    SignerV4.get_current_format_date = original


@given(
    st.sampled_from(["GET", "POST"]),
    st.text(st.characters(codec="utf-8"), max_size=8).map(lambda p: "/" + p),
    st.dictionaries(mixed_text.filter(lambda k: not k.startswith("X-")), mixed_text, max_size=4),
    times,
    st.sampled_from(["", "STS/token+value=="]),
)
def test_presign_matches_vendor_sign_url(
    monkeypatch_x_date: Any,
    method: str, path: str, query: dict[str, str], now: dt.datetime, token: str,
) -> None:
    request = Request()
    request.set_method(method)
    request.set_path(path)
    request.set_query(OrderedDict(query))
    monkeypatch_x_date(now.strftime("%Y%m%dT%H%M%SZ"))
    vendor_query = SignerV4.sign_url(request, VolcCredentials(AK, SK, "vms", "cn-beijing", token))
    ours = presign_url(
        method, path, query, access_key=AK, secret_key=SK, region="cn-beijing", service="vms",
        now=now, expires=None, session_token=token or None,
    )
    assert dict(ours.query) == dict(parse_qsl(vendor_query, keep_blank_values=True))
