"""``vmsspec sign``: output modes, fixed dates, bad input (one line, exit 2)."""

from __future__ import annotations

import io
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vmsspec.cli import main
from vmsspec.signing import verify_request

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
VECTOR_SIGNATURE = "8dfae788bb9e901067c6a5734547449c20ff3951425ea09e2d57c3adf3bb7fde"
_VECTOR_TIME = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)


def run(argv: list[str]) -> int:
    """``vmsspec sign ARGV`` through the real entry point: a bad input is one line, exit 2."""
    return main(["sign", *argv])


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLC_ACCESSKEY", AK)
    monkeypatch.setenv("VOLC_SECRETKEY", SK)
    monkeypatch.delenv("VOLC_SESSION_TOKEN", raising=False)


def parse_headers(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines())


def test_headers_for_the_documented_vector(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--date", "20250527T114634Z"]) == 0
    out, err = capsys.readouterr()
    headers = parse_headers(out)
    assert headers["Host"] == "cloud-vms.volcengineapi.com"
    assert headers["X-Date"] == "20250527T114634Z"
    assert headers["Authorization"].endswith(
        f"SignedHeaders=host;x-content-sha256;x-date, Signature={VECTOR_SIGNATURE}"
    )
    assert err == ""


@pytest.mark.parametrize(
    "date", ["2025-05-27T11:46:34Z", "2025-05-27T11:46:34+00:00", "2025-05-27T19:46:34+08:00",
             "2025-05-27T11:46:34"],
)
def test_iso_dates(capsys: pytest.CaptureFixture[str], date: str) -> None:
    assert run(["--date", date]) == 0
    assert VECTOR_SIGNATURE in capsys.readouterr().out


def test_body_file_gets_json_content_type_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = '{"Name": "通知"}'.encode()
    path = tmp_path / "body.json"
    path.write_bytes(body)
    assert run([str(path), "-H", "X-Trace: abc ", "--region", "cn-north-1"]) == 0
    headers = parse_headers(capsys.readouterr().out)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Trace"] == "abc"
    verdict = verify_request("POST", "/", "Action=CreateTask&Version=2022-01-01", headers, body,
                             credentials={AK: SK}, region="cn-north-1")
    assert verdict.ok, verdict.explain()
    assert "x-trace" in verdict.signed_headers


def test_stdin_body(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    body = b'{"a": 1}'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body)))
    assert run(["-", "--header", "Content-Type: application/json; charset=UTF-8"]) == 0
    headers = parse_headers(capsys.readouterr().out)
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    assert verify_request("POST", "/", "Action=CreateTask&Version=2022-01-01", headers, body,
                          credentials={AK: SK}).ok


def test_curl_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "my body.json"
    path.write_bytes(b"{}")
    url = "https://cloud-vms.volcengineapi.com/?Action=CreateTask&Version=2022-01-01"
    assert run([str(path), "--curl", "--url", url]) == 0
    words = shlex.split(capsys.readouterr().out)
    assert words[:5] == ["curl", "-sS", "-X", "POST", url]
    assert words[-2:] == ["--data-binary", "@" + str(path)]
    sent = dict(w.split(": ", 1) for w in words[6:-2:2])
    assert set(sent) == {"Host", "Content-Type", "X-Date", "X-Content-Sha256", "Authorization"}


def test_curl_with_stdin_embeds_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"@{'quoted'}")))
    assert run(["-", "--curl"]) == 0
    words = shlex.split(capsys.readouterr().out)
    assert words[-2:] == ["--data-raw", "@{'quoted'}"]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe")))
    assert run(["-", "--curl"]) == 2
    assert "pass it as a file" in capsys.readouterr().err


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--explain", "--date", "20250527T114634Z"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Canonical request:\nPOST\n/\nAction=CreateTask&Version=2022-01-01\n")
    assert (
        "String to sign:\nHMAC-SHA256\n20250527T114634Z\n20250527/cn-beijing/vms/request\n"
    ) in out
    assert f"Signature: {VECTOR_SIGNATURE}" in out


def test_session_token_from_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOLC_SESSION_TOKEN", "sts")
    assert run([]) == 0
    assert parse_headers(capsys.readouterr().out)["X-Security-Token"] == "sts"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--date", "yesterday"], "--date"),
        (["--date", "20251327T114634Z"], "--date"),
        (["--url", "cloud-vms.volcengineapi.com/"], "absolute"),
        (["--url", "ftp://h/"], "absolute"),
        (["--url", "https://h:port/"], "--url"),
        (["--url", "https://user:pw@h/"], "credentials"),
        (["--header", "NoColon"], "--header"),
        (["--header", "Bad Name: v"], "--header"),
        (["--header", "X-A: 1", "--header", "x-a: 2"], "more than once"),
        (["--header", "Host: a", "--header", "host: b"], "more than once"),
        (["--header", "X-A: line\nX-Injected: 1"], "control character"),
        (["--header", "X-A: carriage\rreturn"], "control character"),
        (["--header", "X-A: nul\x00"], "control character"),
        (["--method", "GE T"], "--method"),
        (["--method", ""], "--method"),
        (["--method", "POST\n"], "--method"),
        (["--region", ""], "--region"),
        (["--region", "cn beijing"], "--region"),
        (["--region", "cn/beijing"], "--region"),
        (["--service", ""], "--service"),
        (["/no/such/file"], "no such file"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("unset", ["VOLC_ACCESSKEY", "VOLC_SECRETKEY"])
def test_missing_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], unset: str
) -> None:
    monkeypatch.delenv(unset)
    assert run([]) == 2
    err = capsys.readouterr().err
    assert unset in err and err.count("\n") == 1


def test_wired_into_the_main_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sign", "--date", "20250527T114634Z"]) == 0
    assert VECTOR_SIGNATURE in capsys.readouterr().out
    assert main(["sign", "--date", "nope"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_single_host_header_replaces_the_urls_and_is_signed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["-H", "Host: vms.internal.example:8443", "--date", "20250527T114634Z"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    headers = parse_headers(out)
    assert headers["Host"] == "vms.internal.example:8443"
    assert list(headers).count("Host") == 1
    assert "SignedHeaders=host;" in headers["Authorization"]
    verdict = verify_request("POST", "/", "Action=CreateTask&Version=2022-01-01", headers, b"",
                             credentials={AK: SK}, now=_VECTOR_TIME)
    assert verdict.ok, verdict.explain()


def test_a_tab_inside_a_header_value_is_a_legal_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-H", "X-Note: a\tb", "--method", "PUT"]) == 0
    assert parse_headers(capsys.readouterr().out)["X-Note"] == "a\tb"
