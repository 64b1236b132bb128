"""Every official SDK's signing is accepted; forgeries of each kind are refused.

The requests come from ``sdk_requests``: one builder per SDK, written from that SDK's
signer source (FACTS section 7), independent of vmsspec's canonicalizer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.signing import sdk_requests as sdk
from vmsspec.signing import Verification, verify_request

NOW = datetime(2025, 5, 27, 11, 46, 40, tzinfo=timezone.utc)
REGIONS = ("cn-beijing", "cn-north-1")
CREDENTIALS = {sdk.AK: sdk.SK}


def verify(wire: sdk.Wire, **kw: Any) -> Verification:
    kw.setdefault("regions", REGIONS)
    return verify_request(wire.method, wire.path, wire.query, wire.headers, wire.body,
                          credentials=CREDENTIALS, now=NOW, service="vms", **kw)


# Each SDK's SignedHeaders for a VMS JSON call (FACTS section 7), checked against what
# the builder produced, so a builder cannot drift from the table.
EXPECTED_SIGNED = {
    "go": "content-type;host;x-content-sha256;x-date",
    "go-generated": "content-type;host;x-content-sha256;x-date",
    "java": "content-type;host;x-content-sha256;x-date",
    "java-generated": "x-date",
    "php": "host;x-date",
    "php-generated": "content-type;host;x-content-sha256;x-date",
    "cpp": "content-type;x-date",
    "node": "x-content-sha256;x-date",
    "node-generated": "host;x-content-sha256;x-date",
}


@pytest.mark.parametrize("name", sorted(sdk.HEADER_SIGNERS))
def test_each_sdk_request_is_accepted(name: str) -> None:
    wire = sdk.HEADER_SIGNERS[name]()
    auth = wire.header("Authorization") or ""
    assert f"SignedHeaders={EXPECTED_SIGNED[name]}" in auth
    assert (wire.header("X-Content-Sha256") is not None) == (name in sdk.SENDS_CONTENT_SHA256)
    result = verify(wire)
    assert result.ok, result.explain()
    assert result.region == wire.region
    assert ";".join(result.signed_headers) == EXPECTED_SIGNED[name]


@pytest.mark.parametrize("name", sorted(sdk.HEADER_SIGNERS))
def test_each_sdk_with_a_session_token(name: str) -> None:
    wire = sdk.HEADER_SIGNERS[name](token=sdk.TOKEN)
    assert wire.header("X-Security-Token") == sdk.TOKEN
    result = verify(wire)
    assert result.ok, result.explain()
    # The generated Java SDK sends the token without signing it (VolcstackSign.java).
    assert ("x-security-token" in result.signed_headers) == (name != "java-generated")


@pytest.mark.parametrize("name", ["php", "node", "node-generated"])
def test_collapsing_sdks_sign_whitespace_runs_as_one_space(name: str) -> None:
    wire = sdk.HEADER_SIGNERS[name](extra={"X-Trace-Note": "two  spaces\tand a tab"})
    result = verify(wire)
    assert result.ok, result.explain()
    assert "collapsed" in result.variant
    # The fold covers whitespace only: any other change still breaks the signature.
    assert not verify(wire.with_header("X-Trace-Note", "two  spaces\tand a tap"))


@pytest.mark.parametrize("name", ["go", "java"])
def test_trimming_sdks_sign_values_without_surrounding_space(name: str) -> None:
    wire = sdk.HEADER_SIGNERS[name](extra={"X-Trace-Note": "  padded  "})
    result = verify(wire)
    assert result.ok, result.explain()
    assert result.variant == "header values trimmed (Go, Java SDKs)"


def test_go_signs_host_without_the_default_port_it_sends() -> None:
    wire = sdk.go_handwritten(sdk.go_json(sdk.TASK), host=sdk.HOST + ":80")
    assert wire.header("Host") == sdk.HOST + ":80"
    assert "host:" + sdk.HOST + "\n" in wire.canonical_request
    assert verify(wire).ok


def test_a_client_that_signs_the_default_port_verbatim() -> None:
    # The generated Node.js SDK signs the Host it is given, port included.
    wire = sdk.node_generated(sdk.compact_json(sdk.TASK), host=sdk.HOST + ":443")
    result = verify(wire)
    assert result.ok, result.explain()
    assert "Host with its default port" in result.variant


def test_cpp_authorization_without_spaces_is_parsed() -> None:
    wire = sdk.HEADER_SIGNERS["cpp"]()
    assert ",SignedHeaders=" in (wire.header("Authorization") or "")
    assert verify(wire).ok


def test_a_retry_with_the_same_signature_is_accepted() -> None:
    # Go and Node generated SDKs resend the very same X-Date and Signature on a retry.
    wire = sdk.HEADER_SIGNERS["go-generated"]()
    assert verify(wire).ok and verify(wire).ok


@pytest.mark.parametrize("name", sorted(sdk.PRESIGNERS))
@pytest.mark.parametrize("token", [None, sdk.TOKEN])
def test_each_sdk_presigned_url_is_accepted(name: str, token: str | None) -> None:
    if name == "php-presigned" and token:
        pytest.skip("volc-sdk-php's signRequestToUrl takes no session token")
    wire = sdk.PRESIGNERS[name](token=token) if token else sdk.PRESIGNERS[name]()
    result = verify(wire)
    assert result.ok and result.presigned, result.explain()


# --- forgeries --------------------------------------------------------------


def test_x_date_not_signed_is_refused() -> None:
    wire = sdk.HEADER_SIGNERS["java-generated"]()
    # Sign host only, correctly: the refusal must come from the rule, not the HMAC.
    canonical = "\n".join(["POST", "/", "Action=CreateTask&Version=2022-01-01",
                           f"host:{sdk.HOST}\n", "host", sdk._sha(wire.body)])
    auth = sdk._authorization("host", sdk.hmac_signature(canonical, wire.region), wire.region)
    result = verify(wire.with_header("Authorization", auth))
    assert result.code == "SignatureDoesNotMatch" and result.status == 401
    assert "x-date" in result.reason


@pytest.mark.parametrize("name", sorted(set(sdk.HEADER_SIGNERS) - sdk.SENDS_CONTENT_SHA256))
def test_body_changed_without_content_sha256_is_refused(name: str) -> None:
    wire = sdk.HEADER_SIGNERS[name]()
    changed = replace(wire, body=wire.body.replace(b'"Concurrency":2', b'"Concurrency":9'))
    assert changed.body != wire.body
    result = verify(changed)
    assert result.code == "SignatureDoesNotMatch"
    assert "canonical request" in result.reason
    # The server put the hash of what it received into its canonical request.
    assert result.canonical_request is not None
    assert result.canonical_request.endswith(sdk._sha(changed.body))


@pytest.mark.parametrize("name", sorted(sdk.SENDS_CONTENT_SHA256))
def test_content_sha256_not_matching_the_body_is_refused(name: str) -> None:
    wire = sdk.HEADER_SIGNERS[name]()
    result = verify(replace(wire, body=wire.body + b" "))
    assert result.code == "SignatureDoesNotMatch"
    assert "X-Content-Sha256" in result.reason
    assert result.message == "X-Content-Sha256 does not match the SHA-256 of the request body."


def test_a_region_not_accepted_is_refused_with_a_message_naming_it() -> None:
    wire = sdk.HEADER_SIGNERS["go"]()  # cn-north-1
    result = verify(wire, regions=("cn-beijing",))
    assert result.code == "SignatureDoesNotMatch" and result.status == 401
    assert result.region == "cn-north-1"
    assert result.message is not None
    assert "cn-north-1" in result.message and "cn-beijing" in result.message
    assert verify(wire, regions=None).ok
    other = sdk.go_handwritten(sdk.go_json(sdk.TASK), region="cn-shanghai")
    result = verify(other)
    assert result.message == ("The credential scope region cn-shanghai is not accepted here;"
                              " accepted regions: cn-beijing, cn-north-1.")


def test_a_hostile_region_is_echoed_safely() -> None:
    wire = sdk.go_handwritten(sdk.go_json(sdk.TASK), region="x\x1b[2J" + "r" * 200)
    result = verify(wire)
    assert result.message is not None
    assert "\x1b" not in result.message and len(result.message) < 200


def test_a_presigned_url_for_a_region_not_accepted_is_refused() -> None:
    result = verify(sdk.go_presigned(region="cn-shanghai"))
    assert result.code == "SignatureDoesNotMatch" and result.presigned
    assert result.message is not None and "cn-shanghai" in result.message


def test_a_scope_date_that_is_not_x_dates_date_is_refused() -> None:
    wire = sdk.HEADER_SIGNERS["node"]()
    auth = (wire.header("Authorization") or "").replace("/20250527/", "/20250526/")
    result = verify(wire.with_header("Authorization", auth))
    assert result.code == "SignatureDoesNotMatch"
    assert "20250526" in result.reason and "X-Date" in result.reason


@pytest.mark.parametrize("key", ["Action", "Version"])
def test_a_meaningful_key_outside_x_signed_queries_is_refused(key: str) -> None:
    # Signed correctly over the other keys: only the rule can refuse it.
    query = sdk._presign_base("cn-north-1")
    keys = sorted(k for k in query if k != key)
    query["X-SignedQueries"] = ";".join(keys)
    wire = sdk._presigned("forged", query, keys, "cn-north-1", sdk.SK, sdk._sha(b""))
    result = verify(wire)
    assert result.code == "SignatureDoesNotMatch" and result.presigned
    assert key in result.reason and "X-SignedQueries" in result.reason


def test_an_unlisted_key_is_tolerated_but_not_signed() -> None:
    wire = sdk.go_presigned()
    assert verify(replace(wire, query=wire.query + "&Cache=1")).ok
    assert verify(replace(wire, query=wire.query + "&Cache=2")).ok


def test_a_token_outside_x_signed_queries_may_change_only_when_unsigned() -> None:
    # Generated Java: the token is outside both the list and the signature.
    java = sdk.java_generated_presigned(token=sdk.TOKEN)
    assert verify(java).ok
    # Go lists and signs it: changing it breaks the signature.
    go = sdk.go_presigned(token=sdk.TOKEN)
    assert not verify(replace(go, query=go.query.replace("STS2example", "STS2exampleX")))


def test_php_presigned_body_is_bound_by_its_signature() -> None:
    wire = sdk.php_presigned(sdk.compact_json(sdk.TASK))
    result = verify(wire)
    assert result.ok and "PHP" in result.variant, result.explain()
    assert not verify(replace(wire, body=wire.body + b" "))


def test_wrong_secret_explains_every_form_tried_without_a_signature() -> None:
    wire = sdk.php_handwritten(sdk.compact_json(sdk.TASK), secret="not-the-secret",
                               extra={"X-Trace-Note": "a  b"})
    result = verify(wire)
    assert result.code == "SignatureDoesNotMatch"
    text = result.explain()
    assert "whitespace-collapsed" in text
    assert "x-trace-note:a b\n" in text and "x-trace-note:a  b\n" in text
    good = sdk.php_handwritten(sdk.compact_json(sdk.TASK), extra={"X-Trace-Note": "a  b"})
    signature = (good.header("Authorization") or "").rpartition("Signature=")[2]
    assert signature not in text and signature not in repr(result)


def test_skew_still_applies_to_every_sdk() -> None:
    wire = sdk.HEADER_SIGNERS["cpp"]()
    late = verify_request(wire.method, wire.path, wire.query, wire.headers, wire.body,
                          credentials=CREDENTIALS, now=NOW + timedelta(hours=1))
    assert late.code == "InvalidTimestamp"


# --- properties ---------------------------------------------------------------

header_text = st.text(st.sampled_from(" \t\xa0ab-é"), max_size=12)


@given(header_text, st.data())
def test_whitespace_folding_accepts_only_whitespace_changes(value: str, data: Any) -> None:
    wire = sdk.node_generated(sdk.compact_json(sdk.TASK), extra={"x-note": value})
    assert verify(wire).ok
    solid = [i for i, ch in enumerate(value) if ch not in " \t\xa0"]
    if solid:
        i = data.draw(st.sampled_from(solid))
        swapped = "b" if value[i] != "b" else "a"
        changed = wire.with_header("x-note", value[:i] + swapped + value[i + 1:])
        assert verify(changed).code == "SignatureDoesNotMatch"


def _repeated_query_wire(pairs: list[tuple[str, str]], values_sort: str) -> sdk.Wire:
    """A Node.js (values sorted encoded) or PHP (values sorted raw) signer's request
    whose query repeats keys, signing x-date only (the headers do not matter here)."""
    enc = sdk._rfc3986
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    parts = []
    for key in sorted(grouped):
        values = sorted(grouped[key], key=enc if values_sort == "encoded" else None)
        parts += [f"{enc(key)}={enc(v)}" for v in values]
    canonical = "\n".join(["POST", "/", "&".join(parts), f"x-date:{sdk.X_DATE}\n", "x-date",
                           sdk._sha(b"{}")])
    auth = sdk._authorization("x-date", sdk.hmac_signature(canonical, "cn-beijing"),
                              "cn-beijing")
    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)
    return sdk.Wire("repeated", "POST", "/", query,
                    (("X-Date", sdk.X_DATE), ("Authorization", auth)), b"{}", "cn-beijing")


@given(st.lists(st.tuples(st.sampled_from(["a", "B", "é"]), st.text("aZ é~*", max_size=3)),
                min_size=1, max_size=5),
       st.sampled_from(["encoded", "raw"]))
def test_repeated_query_keys_in_any_sdks_value_order(pairs: list[tuple[str, str]],
                                                       values_sort: str) -> None:
    wire = _repeated_query_wire([*sdk.QUERY.items(), *pairs], values_sort)
    result = verify(wire)
    assert result.ok, result.explain()
    # A value the signer did not sign is never accepted, in any order.
    assert not verify(replace(wire, query=wire.query + "&a=extra"))
