"""Redaction cannot be sidestepped by how a request spells its credentials (issue 12 item 7)."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmsspec.signing import (
    REDACTED,
    presign_url,
    redact_headers,
    redact_request,
    redact_target,
    sign_request,
)

SIG = "8dfae788bb9e901067c6a5734547449c20ff3951425ea09e2d57c3adf3bb7fde"
TOKEN = "STS2eyJhbGciOiJIUzI1NiJ9.c2Vzc2lvbg"
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)


@pytest.mark.parametrize("name", [
    "X-Signature", "X%2DSignature", "X%2dSignature", "x-signature", "X-SIGNATURE",
    "X%252DSignature", "%58-Signature", "X-Security-Token", "X%2DSecurity%2DToken",
    "x-security-token", "X-Security_Token",
])
def test_query_names_are_compared_after_decoding(name: str) -> None:
    secret = TOKEN if "ecurity" in name else SIG
    out = redact_target(f"/?Action=CreateTask&{name}={secret}&Version=2022-01-01")
    assert secret not in out
    assert "Action=CreateTask" in out and "Version=2022-01-01" in out


def test_repeated_keys_are_each_redacted() -> None:
    out = redact_target(f"/?X-Signature={SIG}&X-Signature={SIG[::-1]}&x-signature=zz")
    assert SIG not in out and SIG[::-1] not in out and "zz" not in out


@pytest.mark.parametrize("value", [
    f"a;X-Signature={SIG}", f"Signature%3D{SIG}", f"Signature%253D{SIG}",
    f"x%3BSignature%3D{SIG}", f"Sign%61ture%3D{SIG}",
])
def test_a_signature_mark_inside_any_value_redacts_the_rest(value: str) -> None:
    out = redact_target(f"/?Action=CreateTask&Note={value}&Version=2022-01-01")
    assert SIG not in out
    assert out.endswith("&Version=2022-01-01")


def test_a_mark_in_the_path_is_cut_too() -> None:
    assert SIG not in redact_target(f"/Signature={SIG}?Action=CreateTask")


def test_everything_after_signature_is_redacted_to_the_end_of_the_value() -> None:
    # Not only hex digits: a signature padded with other characters is still hidden.
    auth = ("HMAC-SHA256 Credential=AK/20250527/cn-beijing/vms/request, "
            f"SignedHeaders=host;x-date, Signature={SIG}-and-more tail")
    [(_, value)] = redact_headers([("Authorization", auth)])
    assert value.endswith("Signature=" + REDACTED)
    assert "SignedHeaders=host;x-date" in value and "Credential=AK/" in value
    # The C++ layout (no spaces after commas) too.
    [(_, value)] = redact_headers([("Authorization", auth.replace(", ", ","))])
    assert SIG not in value and "SignedHeaders=host;x-date" in value


@pytest.mark.parametrize("copy_name", ["X-Original-Authorization", "X-Forwarded-Auth",
                                        "Proxy-Authorization", "X-Debug", "Referer"])
def test_copies_of_the_authorization_value_are_redacted(copy_name: str) -> None:
    auth = ("HMAC-SHA256 Credential=AK/20250527/cn-beijing/vms/request, "
            f"SignedHeaders=host;x-date, Signature={SIG}")
    copies = {"X-Debug": f"sig was {SIG}", "Referer": f"https://h/?X%2DSignature%3D{SIG}"}
    headers = [("Authorization", auth), (copy_name, copies.get(copy_name, auth))]
    out = redact_headers(headers)
    assert all(SIG not in value for _, value in out), out


def test_a_lone_copy_under_another_name_is_cut_after_its_mark() -> None:
    auth = f"HMAC-SHA256 Credential=AK/x, SignedHeaders=x-date, Signature={SIG}"
    assert SIG not in str(redact_headers([("X-Copied", auth)]))


@pytest.mark.parametrize("name", ["X-Security-Token", "x-security-token", "X-Sts-Security-Token"])
def test_session_tokens_are_redacted_wherever_they_are(name: str) -> None:
    headers = [(name, TOKEN), ("X-Echo", f"token={TOKEN}"), ("Host", "h")]
    target = f"/?Action=CreateTask&Token={quote(TOKEN, safe='')}"
    out_target, out_headers = redact_request(target, headers)
    assert TOKEN not in out_target and TOKEN not in str(out_headers)
    assert ("Host", "h") in out_headers


def test_a_presigned_signature_copied_into_a_header_is_scrubbed() -> None:
    url = presign_url("GET", "/", {"Action": "CreateTask"}, access_key="AK", secret_key="SK",
                      region="cn-beijing", service="vms", now=T0, session_token=TOKEN)
    target = "/?" + url.query_string
    out_target, out_headers = redact_request(target, [("X-Cache-Key", url.signature)])
    assert url.signature not in out_target and url.signature not in str(out_headers)
    assert TOKEN not in out_target


def test_what_a_client_author_needs_survives() -> None:
    signed = sign_request("POST", "/", {"Action": "CreateTask", "Version": "2022-01-01"},
                          {"Host": "h", "Content-Type": "application/json"}, b"{}",
                          access_key="AK", secret_key="SK", region="cn-beijing", service="vms",
                          now=T0, session_token=TOKEN)
    out = dict(redact_headers(list(signed.headers.items())))
    assert out["Host"] == "h" and out["Content-Type"] == "application/json"
    assert out["X-Date"] == signed.headers["X-Date"]
    assert out["X-Security-Token"] == REDACTED
    assert signed.signature not in str(out)


@given(st.sampled_from(["X-Signature", "X-Security-Token"]),
       st.text(st.characters(codec="utf-8"), min_size=8, max_size=40),
       st.sampled_from(["plain", "percent", "percent-all", "double"]))
def test_any_encoding_of_a_secret_parameter_hides_its_value(
    name: str, secret: str, encoding: str,
) -> None:
    enc = {
        "plain": lambda s: quote(s, safe="-"),
        "percent": lambda s: quote(s, safe=""),
        "percent-all": lambda s: "".join(f"%{b:02X}" for b in s.encode()),
        "double": lambda s: quote(quote(s, safe=""), safe=""),
    }[encoding]
    raw_value = quote(secret, safe="")
    out = redact_target(f"/?a=1&{enc(name)}={raw_value}&b=2")
    assert raw_value not in out
    assert out.startswith("/?a=1&") and out.endswith("&b=2")
