"""The verifier's fast path gives exactly the verdict the general path gives.

``verify_indexed`` first tries ``_planned.verify_planned`` (a cached plan per
Authorization head, method, path and query) and runs the general path only when that
declines. Here both run on the same requests: signed ones, then each changed in one
way a client or an attacker might change it (body, a header's value or case, X-Date,
X-Expires, the key, the scope, the Authorization layout, the signature). Whatever the
fast path returns must be what the general path returns, and the public functions must
always answer what the general path answers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.signing import sdk_requests as sdk
from vmsspec.signing import Secret, sign_request, verify_request
from vmsspec.signing import _canonical as c
from vmsspec.signing._checks import header_index
from vmsspec.signing._keys import signing_key
from vmsspec.signing._planned import plan, verify_planned
from vmsspec.signing._verifier import _verify_general, verify_indexed

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)
CREDENTIALS: dict[str, str | Secret] = {AK: SK, "AKLTother": Secret("another-secret")}
SKEW, EXPIRES = timedelta(minutes=15), timedelta(days=7)

header_values = st.one_of(
    st.sampled_from(["application/json", "cloud-vms.volcengineapi.com",
                     "cloud-vms.volcengineapi.com:443", "127.0.0.1:8080", "h:80:x", "[::1]:80",
                     " spaced  out ", "100%", "%s", "%(x)s", "60", "", "a,b"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=8),
)
header_names = st.sampled_from(["Host", "Content-Type", "X-Custom", "X-Expires", "X-Sdk-Request",
                                "Accept", "content-type"])
paths = st.sampled_from(["/", "", "/a b", "/%41", "/é/x", "/100%"])
queries = st.lists(st.tuples(st.sampled_from(["Action", "Version", "b", "A", "é", "x y"]),
                             st.sampled_from(["CreateTask", "2022-01-01", "", "a+b", "1/2"])),
                   max_size=4)

CHANGES = ["none", "body", "header value", "drop header", "repeat header", "header case",
           "x-date later", "x-date early", "x-date format", "x-expires", "unknown key",
           "other key", "drop content sha", "wrong content sha", "cpp layout",
           "signed names case", "signed names unsorted", "signature", "signature case",
           "signature non-ascii", "method", "path", "query", "region refused",
           "region expected", "service", "scope date", "no x-date signed", "secret object",
           "str body", "token", "declare subset", "declare subset, wrong content sha"]


ARGUMENT_CHANGES: dict[str, dict[str, Any]] = {
    "body": {"body": b"{}"},
    "method": {"method": "post"},
    "path": {"raw_path": "/other"},
    "query": {"raw_query": "Action=CreateTask"},
    "region refused": {"regions": frozenset({"cn-shanghai"})},
    "region expected": {"region": "cn-north-1"},
    "service": {"service": "iam"},
    "secret object": {"credentials": {AK: Secret(SK)}},
}
"""The changes made to the verifier's arguments rather than to the request's headers."""


def _signed(headers: dict[str, str], path: str, query: list[tuple[str, str]], body: bytes,
            region: str, token: str | None) -> tuple[dict[str, str], str]:
    headers = {k: v for k, v in headers.items() if k == k.title() or k.title() not in headers}
    signed = sign_request("POST", path, query, headers, body, access_key=AK, secret_key=SK,
                          region=region, service="vms", now=T0, session_token=token)
    return dict(signed.headers), signed.canonical_request


def _replace(wire: dict[str, str], name: str, value: str | None) -> dict[str, str]:
    out = {k: v for k, v in wire.items() if k.lower() != name.lower()}
    if value is not None:
        out[name] = value
    return out


def _declare(wire: dict[str, str], names: list[str], canonical_request: str,
             region: str) -> dict[str, str]:
    """``wire`` signed again in the reference form with SignedHeaders ``names`` (in that
    order and case), the way an SDK that signs fewer headers would sign it."""
    index = {k.lower(): v for k, v in wire.items()}
    block = "".join(f"{n}:{c.canonical_host(index[n]) if n == 'host' else index[n]}\n"
                    for n in names)
    method, path, query, *_, body_hash = canonical_request.split("\n")
    canonical = "\n".join((method, path, query, block, ";".join(names), body_hash))
    x_date = wire["X-Date"]
    scope = c.credential_scope(x_date[:8], region, "vms")
    signature = signing_key(SK, x_date[:8], region, "vms").sign(
        c.string_to_sign(x_date, scope, canonical))
    return _replace(wire, "Authorization", f"{c.ALGORITHM} Credential={AK}/{scope},"
                    f" SignedHeaders={';'.join(names)}, Signature={signature}")


def _changed(change: str, wire: dict[str, str], canonical_request: str, region: str,
             draw: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """The request's headers after ``change``, and the verify arguments it alters."""
    auth = wire["Authorization"]
    extra: dict[str, Any] = dict(ARGUMENT_CHANGES.get(change, {}))
    custom = [k for k in wire if k.lower() not in ("authorization", "x-date")]
    if change.startswith("declare subset"):
        chosen = draw(st.lists(st.sampled_from(custom), unique=True)) if custom else []
        dated = ["X-Date"] if draw(st.integers(0, 4)) else []  # x-date must be signed
        names = draw(st.permutations([n.lower() for n in [*chosen, *dated]]))
        wire = _declare(wire, names, canonical_request, region)
        if change.endswith("wrong content sha") and "x-content-sha256" not in names:
            wire = _replace(wire, "X-Content-Sha256", c.EMPTY_BODY_SHA256)
    elif change == "header value" and custom:
        name = draw(st.sampled_from(custom))
        wire = _replace(wire, name, wire[name] + draw(st.sampled_from([" ", "x", ":443"])))
    elif change == "drop header" and custom:
        wire = _replace(wire, draw(st.sampled_from(custom)), None)
    elif change == "repeat header":
        name = draw(st.sampled_from(sorted(wire)))
        extra["pairs"] = [*wire.items(), (name.lower(), wire[name])]
    elif change == "header case":
        extra["pairs"] = [(k.upper(), v) for k, v in wire.items()]
    elif change in ("x-date later", "x-date early"):
        extra["now"] = T0 + (SKEW + timedelta(seconds=1)) * (1 if change == "x-date later" else -1)
    elif change == "x-date format":
        wire = _replace(wire, "X-Date", draw(st.sampled_from(
            ["20250527T114634", "20251327T114634Z", "20250527t114634z", ""])))
    elif change == "x-expires":
        wire = _replace(wire, "X-Expires", draw(st.sampled_from(["1", "x", "99999999", "60"])))
    elif change == "unknown key":
        wire = _replace(wire, "Authorization", auth.replace(AK, "AKLTnobody"))
    elif change == "other key":
        wire = _replace(wire, "Authorization", auth.replace(AK, "AKLTother"))
    elif change == "drop content sha":
        wire = _replace(wire, "X-Content-Sha256", None)
    elif change == "wrong content sha":
        wire = _replace(wire, "X-Content-Sha256", draw(st.sampled_from(
            [c.EMPTY_BODY_SHA256, wire["X-Content-Sha256"].upper(), "\u00e9"])))
    elif change == "cpp layout":
        wire = _replace(wire, "Authorization", auth.replace(", ", ","))
    elif change == "signed names case":
        head, _, tail = auth.partition("SignedHeaders=")
        wire = _replace(wire, "Authorization", head + "SignedHeaders=" + tail.upper())
    elif change == "signed names unsorted":
        head, _, tail = auth.partition("SignedHeaders=")
        names, _, rest = tail.partition(",")
        wire = _replace(wire, "Authorization",
                        head + "SignedHeaders=" + ";".join(reversed(names.split(";"))) + "," + rest)
    elif change == "signature":
        wire = _replace(wire, "Authorization", auth[:-1] + ("0" if auth[-1] != "0" else "1"))
    elif change == "signature case":
        wire = _replace(wire, "Authorization", auth[:-64] + auth[-64:].upper())
    elif change == "signature non-ascii":
        wire = _replace(wire, "Authorization", auth + "\u00e9")
    elif change == "scope date":
        wire = _replace(wire, "Authorization", auth.replace("/20250527/", "/20250528/"))
    elif change == "no x-date signed":
        wire = _replace(wire, "Authorization", auth.replace(";x-date", ""))
    return wire, extra


@st.composite
def requests(draw: Any) -> tuple[dict[str, Any], str]:
    headers = draw(st.dictionaries(header_names, header_values, max_size=4))
    path, query = draw(paths), draw(queries)
    body = draw(st.binary(max_size=16))
    region = draw(st.sampled_from(["cn-beijing", "cn-north-1"]))
    token = draw(st.sampled_from([None, "tok"])) if draw(st.booleans()) else None
    change = draw(st.sampled_from(CHANGES))
    if change == "token":
        token = "tok"
    sent: bytes | str = body
    if change == "str body":
        text = body.decode("latin-1")
        sent, body = text, text.encode("utf-8")
    wire, canonical = _signed(headers, path, query, body, region, token)
    wire, extra = _changed(change, wire, canonical, region, draw)
    raw_query = draw(st.sampled_from([
        "&".join(f"{c.encode_query_component(k)}={c.encode_query_component(v)}"
                 for k, v in query),
        urlencode(query)]))
    wire_path: str | bytes = quote(path)
    wire_query: str | bytes = raw_query
    if draw(st.booleans()):  # as an ASGI server hands them over
        wire_path, wire_query = quote(path).encode(), raw_query.encode()
    args: dict[str, Any] = {
        "method": "POST", "raw_path": wire_path, "raw_query": wire_query,
        "pairs": list(wire.items()), "body": sent, "credentials": CREDENTIALS,
        "now": T0 + timedelta(seconds=3),
        "max_skew": SKEW, "max_expires": EXPIRES, "region": None, "service": "vms",
        "regions": draw(st.sampled_from([None, frozenset({"cn-beijing", "cn-north-1"})])),
    }
    args.update(extra)
    return args, change


def _general(args: dict[str, Any]) -> Any:
    index, repeated = header_index(args["pairs"])
    return _verify_general(args["method"], args["raw_path"], args["raw_query"], index, repeated,
                           args["body"], args["credentials"], args["now"], args["max_skew"],
                           args["max_expires"], args["region"], args["service"],
                           args["regions"])


def _fast(args: dict[str, Any]) -> Any:
    index, repeated = header_index(args["pairs"])
    head, _, sent = index["authorization"].rpartition("Signature=")
    known = plan(head, args["method"], args["raw_path"], args["raw_query"])
    if known is None or repeated or not sent or "," in sent:
        return None
    return verify_planned(known, sent, index, args["body"], args["credentials"], args["now"],
                          args["max_skew"], args["max_expires"], args["region"],
                          args["service"], args["regions"])


def _public(args: dict[str, Any]) -> tuple[Any, Any]:
    options = {k: args[k] for k in ("credentials", "now", "max_skew", "max_expires", "region",
                                    "service", "regions")}
    where = (args["method"], args["raw_path"], args["raw_query"])
    index, repeated = header_index(args["pairs"])
    return (verify_request(*where, args["pairs"], args["body"], **options),
            verify_indexed(*where, index, repeated, args["body"], **options))


@settings(max_examples=400, deadline=None)
@given(case=requests())
def test_fast_path_verdict_is_the_general_paths(case: tuple[dict[str, Any], str]) -> None:
    args, change = case
    general = _general(args)
    fast = _fast(args)
    if fast is not None:
        assert fast.ok, "the fast path only ever accepts"
        assert fast == general
    elif general.ok and not general.variant and not header_index(args["pairs"])[1]:
        raise AssertionError("the fast path declined a request signed in the reference form")
    by_request, by_index = _public(args)
    assert by_request == general
    assert by_index == general
    assert by_request.explain() == general.explain()
    headers = dict(args["pairs"])
    if (change in ("none", "secret object", "str body", "token", "declare subset")
            and "X-Expires" not in headers and "x-date" in headers["Authorization"]):
        assert general.ok, general.explain()  # signed as sent: the reference form matches


@settings(max_examples=100, deadline=None)
@given(headers=st.dictionaries(header_names.filter(lambda n: n != "X-Expires"), header_values,
                               max_size=4),
       path=paths, query=queries, body=st.binary(max_size=16))
def test_the_fast_path_takes_every_reference_signed_request(
        headers: dict[str, str], path: str, query: list[tuple[str, str]], body: bytes) -> None:
    wire, _ = _signed(headers, path, query, body, "cn-beijing", None)
    args = {"method": "POST", "raw_path": quote(path), "raw_query": urlencode(query),
            "pairs": list(wire.items()), "body": body, "credentials": CREDENTIALS,
            "now": T0, "max_skew": SKEW, "max_expires": EXPIRES, "region": None,
            "service": None, "regions": None}
    fast = _fast(args)
    if len({k.lower() for k in wire}) == len(wire):
        assert fast is not None and fast.ok  # the fast path is not a dead branch
        assert fast == _general(args)


@pytest.mark.parametrize("host", ["cloud-vms.volcengineapi.com:443", "h:80", "h:80:x",
                                  "127.0.0.1:8080", "[::1]:80"])
def test_the_fast_path_takes_a_host_with_a_port(host: str) -> None:
    wire, _ = _signed({"Host": host}, "/", [("Action", "CreateTask")], b"{}", "cn-beijing", None)
    args = {"method": "POST", "raw_path": "/", "raw_query": "Action=CreateTask",
            "pairs": list(wire.items()), "body": b"{}", "credentials": CREDENTIALS,
            "now": T0, "max_skew": SKEW, "max_expires": EXPIRES, "region": None,
            "service": None, "regions": None}
    fast = _fast(args)
    assert fast is not None and fast == _general(args)


def test_a_rotated_secret_is_never_served_from_the_plans_key_memo() -> None:
    wire, _ = _signed({"Host": "h"}, "/", [], b"{}", "cn-beijing", None)
    index, repeated = header_index(wire)
    head, _, sent = wire["Authorization"].rpartition("Signature=")
    known = plan(head, "POST", "/", "")
    assert known is not None

    def planned(secret: str | Secret) -> Any:
        return verify_planned(known, sent, index, b"{}", {AK: secret}, T0, SKEW, EXPIRES,
                              None, None, None)

    same = Secret(SK)
    assert planned(same) is not None and planned(same) is not None  # the memo's hit
    assert planned(Secret("rotated")) is None
    assert planned("".join(["rotated"])) is None
    assert planned(same) is not None
    assert planned(SK) is not None
    assert SK not in repr(known) and "rotated" not in repr(known)
    assert verify_indexed("POST", "/", "", index, repeated, b"{}", credentials={AK: "rotated"},
                          now=T0).code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("token", [None, sdk.TOKEN])
@pytest.mark.parametrize("name", sorted(sdk.HEADER_SIGNERS))
def test_each_official_sdks_request_through_both_paths(name: str, token: str | None) -> None:
    wire = sdk.HEADER_SIGNERS[name](token=token)
    args = {"method": wire.method, "raw_path": wire.path, "raw_query": wire.query,
            "pairs": list(wire.headers), "body": wire.body, "credentials": {sdk.AK: sdk.SK},
            "now": T0 + timedelta(seconds=6), "max_skew": SKEW, "max_expires": EXPIRES,
            "region": None, "service": "vms", "regions": ("cn-beijing", "cn-north-1")}
    general, fast = _general(args), _fast(args)
    assert general.ok, general.explain()
    assert _public(args) == (general, general)
    if general.variant:  # another SDK's canonical form: only the general path knows it
        assert fast is None
    else:
        assert fast == general


@pytest.mark.parametrize("name", sorted(sdk.HEADER_SIGNERS))
def test_an_unsigned_content_sha256_must_still_match_the_body(name: str) -> None:
    # java-generated, php and cpp do not sign X-Content-Sha256 (FACTS section 7): sent
    # anyway and wrong, it is refused on either path.
    wire = sdk.HEADER_SIGNERS[name]().with_header("X-Content-Sha256", c.EMPTY_BODY_SHA256)
    args = {"method": wire.method, "raw_path": wire.path, "raw_query": wire.query,
            "pairs": list(wire.headers), "body": wire.body, "credentials": {sdk.AK: sdk.SK},
            "now": T0, "max_skew": SKEW, "max_expires": EXPIRES, "region": None,
            "service": None, "regions": None}
    general = _general(args)
    assert general.code == "SignatureDoesNotMatch"
    assert _fast(args) is None
    assert _public(args) == (general, general)
