"""Known answers: the documented vector, then one test per SignerV4 quirk.

Each expected canonical request below is written out by hand from the algorithm
(FACTS section 2 as restated in vmsspec/signing/_canonical.py); the expected
signature comes from a test-side HMAC over that text, not from vmsspec.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from hashlib import sha256
from typing import Any

import pytest

from vmsspec.signing import (
    derive_signing_key,
    encode_path,
    encode_query_component,
    format_x_date,
    sign_request,
)

EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
HOST = "cloud-vms.volcengineapi.com"
CREATE_TASK = {"Action": "CreateTask", "Version": "2022-01-01"}


def sign(example_creds: dict[str, Any], **kw: Any) -> Any:
    args: dict[str, Any] = {
        "method": "POST", "path": "/", "query": CREATE_TASK,
        "headers": {"Host": HOST}, "body": b"",
    }
    args.update(kw)
    return sign_request(**args, **example_creds)


def test_documented_vector(example_creds: dict[str, Any]) -> None:
    signed = sign(example_creds)
    assert signed.signature == "8dfae788bb9e901067c6a5734547449c20ff3951425ea09e2d57c3adf3bb7fde"
    assert signed.signed_headers == ("host", "x-content-sha256", "x-date")
    assert signed.canonical_request == (
        "POST\n/\nAction=CreateTask&Version=2022-01-01\n"
        f"host:{HOST}\nx-content-sha256:{EMPTY}\nx-date:20250527T114634Z\n\n"
        f"host;x-content-sha256;x-date\n{EMPTY}"
    )
    assert signed.string_to_sign == (
        "HMAC-SHA256\n20250527T114634Z\n20250527/cn-beijing/vms/request\n"
        + sha256(signed.canonical_request.encode()).hexdigest()
    )
    assert dict(signed.headers) == {
        "Host": HOST,
        "X-Date": "20250527T114634Z",
        "X-Content-Sha256": EMPTY,
        "Authorization": "HMAC-SHA256 Credential=AKLTexampleAccessKeyId0000000000/20250527/"
        "cn-beijing/vms/request, SignedHeaders=host;x-content-sha256;x-date, "
        "Signature=8dfae788bb9e901067c6a5734547449c20ff3951425ea09e2d57c3adf3bb7fde",
    }


def test_documented_signing_key(example_creds: dict[str, Any]) -> None:
    key = derive_signing_key(example_creds["secret_key"], "20250527", "cn-beijing", "vms")
    assert key.hex() == "81b2e0ab12becdba88f857baffcc84c3b91e30bae2b15a38659562d1e435dcc3"


def test_x_date_is_utc_of_an_aware_time() -> None:
    beijing = timezone(timedelta(hours=8))
    assert format_x_date(datetime(2025, 5, 27, 19, 46, 34, 999999, tzinfo=beijing)) == (
        "20250527T114634Z"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        format_x_date(datetime(2025, 5, 27, 11, 46, 34))


def test_only_exact_spellings_and_capital_x_headers_are_signed(
    example_creds: dict[str, Any], ref_sig: Callable[..., str]
) -> None:
    headers = {
        "Host": HOST,
        "Content-Type": "application/json",
        "Content-MD5": "not signed: the SDK only knows Content-Md5",
        "x-lower": "not signed: lower-case x",
        "X-Upper": "signed",
        "User-Agent": "not signed",
        "Accept": "not signed",
    }
    signed = sign(example_creds, headers=headers)
    expected = (
        "POST\n/\nAction=CreateTask&Version=2022-01-01\n"
        f"content-type:application/json\nhost:{HOST}\nx-content-sha256:{EMPTY}\n"
        f"x-date:20250527T114634Z\nx-upper:signed\n\n"
        f"content-type;host;x-content-sha256;x-date;x-upper\n{EMPTY}"
    )
    assert signed.canonical_request == expected
    assert signed.signature == ref_sig(expected)
    # Unsigned headers are still sent.
    assert signed.headers["Content-MD5"].startswith("not signed")
    assert signed.headers["x-lower"] == "not signed: lower-case x"


@pytest.mark.parametrize(
    ("name", "is_signed"),
    [("Content-Md5", True), ("content-type", False), ("host", False), ("CONTENT-TYPE", False)],
)
def test_signed_header_names_are_case_sensitive(
    example_creds: dict[str, Any], name: str, is_signed: bool
) -> None:
    headers = {"X-Host-Is-Elsewhere": HOST} if name == "host" else {"Host": HOST}
    headers[name] = "v"
    signed = sign(example_creds, headers=headers)
    assert (name.lower() in signed.signed_headers) is is_signed


def test_names_lowercased_sorted_by_code_point_values_untrimmed(
    example_creds: dict[str, Any], ref_sig: Callable[..., str]
) -> None:
    headers = {"X-b": "2", "X-A": "1", "X-_": "  padded  value\t", "Host": HOST}
    signed = sign(example_creds, headers=headers)
    expected = (
        "POST\n/\nAction=CreateTask&Version=2022-01-01\n"
        f"host:{HOST}\nx-_:  padded  value\t\nx-a:1\nx-b:2\nx-content-sha256:{EMPTY}\n"
        f"x-date:20250527T114634Z\n\nhost;x-_;x-a;x-b;x-content-sha256;x-date\n{EMPTY}"
    )
    assert signed.canonical_request == expected
    assert signed.signature == ref_sig(expected)


def _query_line(signed: Any) -> str:
    return str(signed.canonical_request.split("\n")[2])


def test_query_ordered_by_raw_key_case_sensitive(example_creds: dict[str, Any]) -> None:
    query = {"b": "1", "B": "2", "a": "3", "A": "4", "_": "5", "é": "6", "z": "7"}
    signed = sign(example_creds, query=query)
    # Code-point order of the raw keys: "A" < "B" < "_" < "a" < "b" < "z" < "é".
    # Sorting the encoded keys would put "%C3%A9" first instead.
    assert _query_line(signed) == "A=4&B=2&_=5&a=3&b=1&z=7&%C3%A9=6"


def test_repeated_keys_keep_given_order(
    example_creds: dict[str, Any], ref_sig: Callable[..., str]
) -> None:
    pairs = [("k", "2"), ("a", "x"), ("k", "1"), ("k", "10")]
    signed = sign(example_creds, query=pairs)
    assert _query_line(signed) == "a=x&k=2&k=1&k=10"
    as_mapping = sign(example_creds, query={"k": ["2", "1", "10"], "a": "x"})
    assert as_mapping.signature == signed.signature == ref_sig(signed.canonical_request)


def test_query_encoding_keeps_only_unreserved(example_creds: dict[str, Any]) -> None:
    query = {"q": "a b/c*d+e~f-g_h.i%j&k=l", "empty": "", "ü": "ü"}
    signed = sign(example_creds, query=query)
    assert _query_line(signed) == (
        "empty=&q=a%20b%2Fc%2Ad%2Be~f-g_h.i%25j%26k%3Dl&%C3%BC=%C3%BC"
    )


def test_no_query_is_an_empty_line(
    example_creds: dict[str, Any], ref_sig: Callable[..., str]
) -> None:
    signed = sign(example_creds, query=None, method="GET")
    expected = (
        f"GET\n/\n\nhost:{HOST}\nx-content-sha256:{EMPTY}\nx-date:20250527T114634Z\n\n"
        f"host;x-content-sha256;x-date\n{EMPTY}"
    )
    assert signed.canonical_request == expected
    assert signed.signature == ref_sig(expected)
    assert sign(example_creds, query=[], method="GET").signature == signed.signature


def test_path_encoding_keeps_slash_and_unreserved(example_creds: dict[str, Any]) -> None:
    signed = sign(example_creds, path="/a b/ü/~x-y_z.0/%/+*?#")
    assert signed.canonical_request.split("\n")[1] == "/a%20b/%C3%BC/~x-y_z.0/%25/%2B%2A%3F%23"
    assert encode_path("") == "/"
    assert sign(example_creds, path="").signature == sign(example_creds, path="/").signature


def test_encoders_directly() -> None:
    assert encode_query_component("/ +*~") == "%2F%20%2B%2A~"
    assert encode_path("/ +*~") == "/%20%2B%2A~"


@pytest.mark.parametrize(
    ("host", "signed_as"),
    [
        (HOST + ":443", HOST),
        (HOST + ":80", HOST),
        (HOST + ":8443", HOST + ":8443"),
        (HOST + ":4430", HOST + ":4430"),
        ("h:80:extra", "h"),  # the SDK keeps only the first colon-separated piece
        ("[::1]:443", "[::1]:443"),  # bracketed IPv6: second piece is empty, nothing dropped
        ("h:", "h:"),
    ],
)
def test_host_default_port_is_dropped_only_from_the_signed_copy(
    example_creds: dict[str, Any], ref_sig: Callable[..., str], host: str, signed_as: str
) -> None:
    signed = sign(example_creds, headers={"Host": host})
    expected = (
        "POST\n/\nAction=CreateTask&Version=2022-01-01\n"
        f"host:{signed_as}\nx-content-sha256:{EMPTY}\nx-date:20250527T114634Z\n\n"
        f"host;x-content-sha256;x-date\n{EMPTY}"
    )
    assert signed.canonical_request == expected
    assert signed.signature == ref_sig(expected)
    assert signed.headers["Host"] == host


def test_session_token_is_sent_and_signed(
    example_creds: dict[str, Any], ref_sig: Callable[..., str]
) -> None:
    signed = sign(example_creds, session_token="STStoken/+=")
    expected = (
        "POST\n/\nAction=CreateTask&Version=2022-01-01\n"
        f"host:{HOST}\nx-content-sha256:{EMPTY}\nx-date:20250527T114634Z\n"
        f"x-security-token:STStoken/+=\n\n"
        f"host;x-content-sha256;x-date;x-security-token\n{EMPTY}"
    )
    assert signed.canonical_request == expected
    assert signed.signature == ref_sig(expected)
    assert signed.headers["X-Security-Token"] == "STStoken/+="
    # An empty token is no token, as in the SDK.
    assert "X-Security-Token" not in sign(example_creds, session_token="").headers


def test_method_is_not_uppercased(
    example_creds: dict[str, Any], ref_sig: Callable[..., str]
) -> None:
    lower = sign(example_creds, method="post")
    assert lower.canonical_request.startswith("post\n")
    assert lower.signature == ref_sig(lower.canonical_request)
    assert lower.signature != sign(example_creds).signature


def test_body_hash_of_exact_bytes(
    example_creds: dict[str, Any], ref_sig: Callable[..., str]
) -> None:
    body = '{"Name": "通知"}'
    as_text = sign(example_creds, body=body)
    as_bytes = sign(example_creds, body=body.encode())
    as_view = sign(example_creds, body=memoryview(bytearray(body.encode())))
    digest = sha256(body.encode()).hexdigest()
    assert as_text.headers["X-Content-Sha256"] == digest
    assert as_text.canonical_request.endswith("\n" + digest)
    assert as_text.signature == as_bytes.signature == as_view.signature
    assert as_text.signature == ref_sig(as_text.canonical_request)


def test_caller_copies_of_managed_headers_are_replaced(example_creds: dict[str, Any]) -> None:
    signed = sign(
        example_creds,
        headers={"Host": HOST, "x-date": "19700101T000000Z", "Authorization": "Basic x",
                 "X-Content-Sha256": "0" * 64},
    )
    assert dict(signed.headers) == dict(sign(example_creds).headers)


def test_repeated_header_name_is_refused(example_creds: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="more than once"):
        sign(example_creds, headers=[("Host", HOST), ("X-A", "1"), ("x-a", "2")])


def test_signing_key_cache_is_keyed_on_the_secret(example_creds: dict[str, Any]) -> None:
    first = derive_signing_key("secret-one", "20250527", "cn-beijing", "vms")
    second = derive_signing_key("secret-two", "20250527", "cn-beijing", "vms")
    assert first != second
    assert derive_signing_key("secret-one", "20250527", "cn-beijing", "vms") == first
    assert derive_signing_key("secret-one", "20250528", "cn-beijing", "vms") != first
