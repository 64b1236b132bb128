"""The secret key never shows: not in any repr, str or format of any object, not in
exception text, not in log output, not in what the CLI prints."""

from __future__ import annotations

import copy
import hmac
import logging
import pickle
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.cli import main
from vmsspec.signing import (
    Credentials,
    CredentialStore,
    Secret,
    derive_signing_key,
    presign_url,
    sign_request,
    verify_request,
)
from vmsspec.signing._keys import signing_key

AK = "AKLTsecrecyTestAccessKey"
# Distinctive enough that any leak, whole or in part, is found by a substring search.
SECRET = "Sup3rS3cretValue-ZQXJ"
TOKEN = "SessionTok3n-WVKP"
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)
FRAGMENTS = (SECRET, SECRET[:10], SECRET[-10:], SECRET.encode().hex()[:16])


def assert_hidden(text: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text, f"secret leaked: {text!r}"


def renderings(obj: object) -> list[str]:
    return [repr(obj), str(obj), f"{obj}", f"{obj!r}", format(obj, ""), "%s" % (obj,)]  # noqa: UP031


def signed_objects() -> list[object]:
    secret = Secret(SECRET)
    signed = sign_request(
        "POST", "/", {"Action": "CreateTask"}, {"Host": "h"}, b"{}",
        access_key=AK, secret_key=secret, region="cn-beijing", service="vms", now=T0,
        session_token=TOKEN,
    )
    good = verify_request("POST", "/", "Action=CreateTask", dict(signed.headers), b"{}",
                          credentials=CredentialStore({AK: SECRET}), now=T0)
    bad = verify_request("POST", "/", "Action=Other", dict(signed.headers), b"{}",
                         credentials={AK: SECRET}, now=T0)
    assert good.ok and bad.code == "SignatureDoesNotMatch"
    return [
        secret,
        Credentials(AK, secret, Secret(TOKEN)),
        Credentials.from_env({"VOLC_ACCESSKEY": AK, "VOLC_SECRETKEY": SECRET}),
        CredentialStore([(AK, SECRET), ("other", secret)]),
        signed,
        presign_url("GET", "/", {}, access_key=AK, secret_key=SECRET, region="r",
                    service="s", now=T0, session_token=TOKEN),
        good,
        bad,
        VolcSignatureAuth(AK, SECRET, session_token=TOKEN),
        signing_key(SECRET, "20250527", "cn-beijing", "vms"),
    ]


def test_no_rendering_of_any_object_shows_the_secret() -> None:
    for obj in signed_objects():
        # A signature (and so the Authorization header) is a credential until it expires.
        signature = getattr(obj, "signature", None)
        for text in renderings(obj):
            assert_hidden(text)
            assert TOKEN not in text
            assert signature is None or signature not in text


def test_explain_and_dataclass_fields() -> None:
    for obj in signed_objects():
        if isinstance(obj, Secret):
            continue  # its one slot is the value itself
        explain = getattr(obj, "explain", None)
        if explain is not None:
            assert_hidden(explain())
        for name in getattr(type(obj), "__slots__", ()):
            value = getattr(obj, name, None)
            if not isinstance(value, Secret):
                assert_hidden(repr(value))


def test_secret_survives_copying_but_not_pickling() -> None:
    secret = Secret(SECRET)
    assert f"{secret:>12}" == "    ********"
    assert not Secret("") and secret
    assert copy.deepcopy(secret) is secret
    assert copy.copy(Credentials(AK, secret)).secret_key == Secret(SECRET)
    with pytest.raises(TypeError) as info:
        pickle.dumps(secret)
    assert_hidden(str(info.value))
    assert Secret(SECRET) == Secret(SECRET) and Secret(SECRET) != Secret("other")
    assert hash(Secret(SECRET)) == hash(Secret(SECRET))


def _raises(fn: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as info:  # noqa: PT011 -- each case raises its own type
        fn()
    return info.value


def test_exception_text_never_contains_the_secret() -> None:
    common: dict[str, Any] = {"access_key": AK, "secret_key": SECRET, "region": "r",
                              "service": "s"}
    cases: list[Callable[[], object]] = [
        lambda: Secret(SECRET.encode()),  # type: ignore[arg-type]
        lambda: sign_request("POST", "/", {}, {}, b"", now=datetime(2025, 1, 1), **common),
        lambda: sign_request("POST", "/", {}, [("X-A", "1"), ("x-a", SECRET)], b"", **common),
        lambda: sign_request("POST", "/", {"k": 1}, {}, b"", **common),  # type: ignore[arg-type]
        lambda: sign_request("POST", "/", {}, {"X-A": 1}, b"", **common),  # type: ignore[arg-type]
        lambda: sign_request("POST", "/\udc00", {}, {}, b"", **common),
        lambda: presign_url("GET", "/", {"X-Signature": "x"}, **common),
        lambda: Credentials("", Secret(SECRET)),
        lambda: Credentials(AK, Secret("")),
        lambda: CredentialStore({"": SECRET}),
        lambda: Credentials.from_env({"VOLC_SECRETKEY": SECRET}),
        lambda: derive_signing_key(SECRET, "2025\udc00", "r", "s"),
        # a lone surrogate no codec can write: the UTF-8 codec's error quotes its input
        lambda: derive_signing_key(SECRET + "\ud800", "20250101", "r", "s"),
        lambda: verify_request("POST", "/", "", {}, b"", credentials={AK: SECRET},
                               now=datetime(2025, 1, 1)),
    ]
    for case in cases:
        error = _raises(case)
        assert_hidden(str(error))
        assert_hidden(repr(error))
        assert_hidden(repr(error.args))


def test_a_secret_from_a_non_utf8_environment_signs_with_its_bytes() -> None:
    # os.environ hands undecodable bytes over as lone surrogates (surrogateescape).
    raw = SECRET.encode() + b"\xff"
    from_env = raw.decode("utf-8", "surrogateescape")
    key = hmac.digest(raw, b"20250101", "sha256")
    for part in ("r", "s", "request"):
        key = hmac.digest(key, part.encode(), "sha256")
    assert derive_signing_key(from_env, "20250101", "r", "s") == key


def test_log_output_never_contains_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    signed_objects()  # verifications log their rejections at DEBUG

    def handler(request: httpx.Request) -> httpx.Response:
        verdict = verify_request(
            request.method, request.url.raw_path.partition(b"?")[0], request.url.query,
            list(request.headers.items()), request.content, credentials={AK: SECRET},
            now=datetime.now(timezone.utc) + timedelta(hours=1),
        )
        return httpx.Response(verdict.status)

    auth = VolcSignatureAuth(AK, SECRET)
    with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as client:
        assert client.post("https://h/?a=b", content=b"x").status_code == 400
    assert any(r.name == "vmsspec.signing" for r in caplog.records)
    assert_hidden(caplog.text)
    for record in caplog.records:
        assert_hidden(record.getMessage())


@pytest.mark.parametrize(
    "argv",
    [[], ["--curl"], ["--explain"], ["--date", "bad"], ["--header", "x"],
     ["--header", f"X-A: {SECRET[:3]}", "--header", "x-a: 2"]],
)
def test_cli_output_never_contains_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.setenv("VOLC_ACCESSKEY", AK)
    monkeypatch.setenv("VOLC_SECRETKEY", SECRET)
    main(["sign", *argv])
    out, err = capsys.readouterr()
    assert_hidden(out)
    assert_hidden(err)
