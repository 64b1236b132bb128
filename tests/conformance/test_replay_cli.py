"""`vmsspec replay FILE [--url URL]`: a finding's request sent again, signed afresh, judged.

The replay files come from a real `vmsspec check` run against a deliberately broken
server on loopback, so these tests also show that what the reports write is what the
replay reads.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import vmsspec
from vmsspec.adapters.server import ThreadedServer, free_port
from vmsspec.cli import main
from vmsspec.conformance._reports import load_replay

from . import report_samples as samples
from . import servers

ENV = {"VOLC_ACCESSKEY": vmsspec.TEST_ACCESS_KEY, "VOLC_SECRETKEY": vmsspec.TEST_SECRET_KEY}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VOLC_SESSION_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # the default replay directory is .vmsspec/replays here
    return tmp_path


@pytest.fixture(scope="module")
def broken() -> ThreadedServer:
    with ThreadedServer(servers.accepts_out_of_range_ring_again()) as server:
        yield server


@pytest.fixture(scope="module")
def good() -> ThreadedServer:
    with ThreadedServer() as server:
        yield server


def finding_from_a_run(url: str, capsys: pytest.CaptureFixture[str]) -> Path:
    """Run `vmsspec check` for the one rule the broken server ignores; its replay file."""
    code = main(["check", url, "--rate-limit", "0", "--seed", "11",
                 "--rules", "RingAgainTimes:maximum", "--checks", "rejection.code"])
    out = capsys.readouterr().out
    assert code == 1, out
    printed = out.split("replay: vmsspec replay ", 1)[1].split()[0]
    return Path(printed)


def test_a_run_finding_replays_against_the_broken_and_the_fixed_server(
        env: Path, broken: ThreadedServer, good: ThreadedServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = finding_from_a_run(broken.url, capsys)
    assert path.resolve().parent == (env / ".vmsspec" / "replays").resolve()
    replay = load_replay(path)
    assert (replay.check_id, replay.rule_id) == ("rejection.code", "RingAgainTimes:maximum")
    assert json.loads(replay.reproduction.body)["RingAgainTimes"] > 5

    assert main(["replay", str(path), "--url", broken.url]) == 1
    out = capsys.readouterr().out
    assert f"against {broken.url}" in out
    assert "verdict:  FAILED rejection.code" in out
    assert "expected: 400 InvalidParameter RingAgainTimes" in out
    # signed now (a signature is only good for 15 minutes), never shown
    assert "Authorization: HMAC-SHA256 Credential=" in out and "Signature=<redacted>" in out
    assert not any(len(w) == 64 and w.startswith("Signature=") for w in out.split())

    assert main(["replay", str(path), "--url", good.url]) == 0
    assert "verdict:  PASSED rejection.code" in capsys.readouterr().out
    # no URL: the embedded reference service, with the embedded test pair
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert "against the embedded reference service" in out and "PASSED" in out


def _replay_file(tmp_path: Path, **fields: object) -> Path:
    doc = {"vmsspec_replay": 1, "check": "auth.wrong-signature",
           "rule": "auth/wrong-signature", "expected": "401 SignatureDoesNotMatch",
           "actual": "200 accepted", "method": "POST", "url": samples.URL,
           "headers": [["Content-Type", "application/json"]],
           "body_base64": base64.b64encode(samples.body(DryRun=True)).decode(),
           "region": "cn-beijing", "tamper": "wrong-signature"}
    doc.update(fields)
    path = tmp_path / "finding.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_tamper_is_applied_again_after_signing(env: Path, good: ThreadedServer,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = _replay_file(env)
    assert main(["replay", str(path), "--url", good.url]) == 0
    out = capsys.readouterr().out
    assert "then tampered: wrong-signature" in out
    assert "SignatureDoesNotMatch" in out and "PASSED auth.wrong-signature" in out
    with ThreadedServer(servers.AcceptsAnySignature()) as lax:
        assert main(["replay", str(path), "--url", lax.url]) == 1
    assert "FAILED auth.wrong-signature" in capsys.readouterr().out


def test_the_secret_and_token_never_appear(env: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOLC_SECRETKEY", samples.SECRET_KEY)
    monkeypatch.setenv("VOLC_SESSION_TOKEN", samples.SESSION_TOKEN)
    service = vmsspec.ReferenceService(
        credentials={vmsspec.TEST_ACCESS_KEY: samples.SECRET_KEY})
    with ThreadedServer(service) as server:
        path = _replay_file(env, tamper=None, check="dry-run.honoured", rule="dry-run/minimal")
        code = main(["replay", str(path), "--url", server.url])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "DryRunOperation" in out
    for secret in (samples.SECRET_KEY, samples.SESSION_TOKEN, samples.SESSION_TOKEN[:12]):
        assert secret not in out + err


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: d / "missing.json", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: _write(d, b"\xff\xfe"), "not UTF-8"),
    (lambda d: _write(d, b"{not json"), "invalid JSON at line 1"),
    (lambda d: _write(d, b'{"check": "x"}'), "no vmsspec_replay field"),
    (lambda d: _write(d, b'{"vmsspec_replay": 99}'), "replay format 99 is not supported"),
    (lambda d: _replay_file(d, body_base64="***"), "reproduction is malformed"),
    (lambda d: _replay_file(d, url=None, method=None) and _drop(d, "url"),
     "lacks the field 'url'"),
    (lambda d: _replay_file(d, check="no.such.check"), "unknown check 'no.such.check'"),
    (lambda d: _replay_file(d, tamper="sideways"), "unknown tamper 'sideways'"),
    (lambda d: _replay_file(d, profile="lenient"), "unknown profile 'lenient'"),
    (lambda d: _replay_file(d, check="idempotency.client-token",
                            rule="idempotency/client-token", tamper=None),
     "judges a sequence of requests"),
])
def test_a_bad_file_is_one_line_and_exit_2(setup, message: str, env: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = setup(env)
    assert main(["replay", str(path)]) == 2
    out, err = capsys.readouterr()
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert out == ""


def _write(directory: Path, data: bytes) -> Path:
    path = directory / "bad.json"
    path.write_bytes(data)
    return path


def _drop(directory: Path, key: str) -> Path:
    path = directory / "finding.json"
    doc = json.loads(path.read_text())
    del doc[key]
    path.write_text(json.dumps(doc))
    return path


def test_an_unreachable_url_is_one_line_and_exit_2(env: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = _replay_file(env)
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["replay", str(path), "--url", url]) == 2
    err = capsys.readouterr().err
    assert f"{url}: unreachable" in err and err.count("\n") == 1


def test_a_url_needs_credentials_in_the_environment(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("VOLC_SECRETKEY")
    assert main(["replay", str(_replay_file(env)), "--url", "http://127.0.0.1:9"]) == 2
    assert "VOLC_SECRETKEY" in capsys.readouterr().err


def test_a_bad_url_is_one_line(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(_replay_file(env)), "--url", "ftp://x"]) == 2
    assert "expected an absolute http:// or https:// URL" in capsys.readouterr().err
