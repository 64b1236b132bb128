"""No report carries a secret key, a signature or a session token, in any encoding.

Every field of a hand-made run is planted with all three (headers left unredacted, as if
the engine had forgotten), then every report and replay file is searched for each secret
in its raw, JSON, URL, HTML, base64 and hex forms, and every base64 field is decoded and
searched too.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.conformance import report_samples as samples
from vmsspec.conformance._reports import TerminalReport, open_report
from vmsspec.conformance._results import (
    CheckOutcome,
    ProbeResult,
    Reproduction,
    RuleDrift,
    RunFinished,
    RunReport,
    RunStarted,
    WireExchange,
)

BODY = b'{"Name": "n", "Resource": "r"}'
HEADERS = samples.signed_headers(BODY)
SIGNATURE = samples.signature_of(HEADERS)
AUTHORIZATION = dict(HEADERS)["Authorization"]
SECRETS = (samples.SECRET_KEY, samples.SESSION_TOKEN, SIGNATURE)


def planted(label: str) -> str:
    """Every secret, in the ways a careless engine or server might write them."""
    return (f"{label}: key {samples.SECRET_KEY} token {samples.SESSION_TOKEN}"
            f" Authorization: {AUTHORIZATION} bare {SIGNATURE}"
            f" X-Security-Token: {samples.SESSION_TOKEN} json {json.dumps(samples.SECRET_KEY)}")


PLANTED_URL = (f"{samples.URL}&X-Signature={SIGNATURE}"
               f"&X-Security-Token={quote(samples.SESSION_TOKEN, safe='')}")
PLANTED_BODY = json.dumps({"Name": planted("body"), "Ext": samples.SESSION_TOKEN,
                           "Resource": base64.b64encode(samples.SECRET_KEY.encode()).decode()},
                          ensure_ascii=False).encode()


def planted_exchange(status: int | None) -> WireExchange:
    return WireExchange(
        method="POST", url=PLANTED_URL,
        headers=(*HEADERS, ("X-Echo", planted("header"))),
        body=PLANTED_BODY, status=status,
        response_headers=(("X-Security-Token", samples.SESSION_TOKEN),
                          ("X-Amzn-Echo", f"Signature={SIGNATURE}")),
        response_body=json.dumps({"echo": planted("response"),
                                  "url": quote_plus(samples.SECRET_KEY)}).encode(),
        error=None if status else planted("error"))


def planted_outcome(verdict: str, check: str, status: int | None) -> CheckOutcome:
    # even the ids: a check or rule id is a file name (replay files) and a JUnit name
    return CheckOutcome(
        f"{check}.{samples.SECRET_KEY}", verdict, planted("message"),
        rule_id=f"Name:required/{samples.SESSION_TOKEN}/{SIGNATURE}",
        expected=planted("expected"), actual=planted("actual"),
        exchange=planted_exchange(status),
        reproduction=Reproduction("POST", PLANTED_URL, PLANTED_BODY,
                                  headers=(("Authorization", AUTHORIZATION),
                                           ("X-Security-Token", samples.SESSION_TOKEN),
                                           ("X-Note", planted("rep header"))),
                                  region=planted("region"), tamper=planted("tamper")))


def planted_run() -> RunReport:
    return RunReport(
        target=PLANTED_URL, seed=7, profile=planted("profile"), region=planted("region"),
        started="2026-12-01T09:00:00Z", finished="2026-12-01T09:00:01Z",
        outcomes=(planted_outcome("failed", "rejection.code", 200),
                  planted_outcome("error", "status.no-5xx", None),
                  planted_outcome("passed", "envelope.schema", 400)),
        drift=(RuleDrift(f"Name:required {samples.SECRET_KEY}", "not-enforced",
                         (("MissingParameter", planted("param")),), planted("observed")),),
        probes=(ProbeResult(planted("probe name"), False, planted("probe")),),
        side_effects=True, created=(planted("task"),), stopped=(planted("stopped"),),
        coverage={"rules": (planted("coverage"),), planted("kind"): (planted("kind"),)},
    )


def planted_events() -> list[object]:
    run = planted_run()
    events: list[object] = [RunStarted(PLANTED_URL, run.seed, 3), *run.probes]
    for outcome in run.outcomes:
        events += [outcome.exchange, outcome]
    return [*events, RunFinished(run)]


def forms(secret: str) -> set[str]:
    out = set()
    # a secret cut short (by a pattern that stops at '&', by truncation) still leaks a part
    for part in (secret, secret[:12], secret[-12:]):
        raw = part.encode()
        out |= {part, json.dumps(part)[1:-1], quote(part, safe=""), quote_plus(part),
                html.escape(part), base64.b64encode(raw).decode().rstrip("="), raw.hex()}
    return out


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        for form in forms(secret):
            assert form not in text, f"{where} carries {form[:6]}... (a form of a secret)"
    # base64 fields (body_base64 in replay files and NDJSON): decoded, still clean
    for blob in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", text):
        try:
            decoded = base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "replace")
        except ValueError:
            continue
        for secret in SECRETS:
            for part in (secret[:12], secret[-12:]):
                assert part not in decoded, f"{where}: a base64 field carries a secret"


def test_the_plant_is_real() -> None:
    # the test would prove nothing if the planted values were not in the input
    events_text = repr(planted_events())
    for secret in SECRETS:
        assert secret in events_text
    assert "Signature=" + SIGNATURE in AUTHORIZATION


@pytest.mark.parametrize("kind", ["junit", "ndjson", "html"])
def test_file_reports_and_replays_carry_no_secret(kind: str, tmp_path: Path) -> None:
    replays = tmp_path / "replays"
    report = open_report(f"{kind}:{tmp_path}/out.{kind}", replay_dir=replays,
                         secrets=[samples.SECRET_KEY, samples.SESSION_TOKEN])
    for event in planted_events():
        report(event)  # type: ignore[arg-type]
    report.close()
    text = (tmp_path / f"out.{kind}").read_text()
    assert "Name:required" in text and "redacted" in text
    assert_clean(text, kind)
    files = list(replays.iterdir())
    assert files, "findings must have replay files"
    for path in files:
        assert_clean(path.read_text(), path.name)


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("tty", [False, True])
def test_terminal_carries_no_secret(verbose: bool, tty: bool, tmp_path: Path) -> None:
    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    out = Stream()
    report = TerminalReport(out, verbose=verbose, replay_dir=tmp_path,
                            secrets=[samples.SECRET_KEY, samples.SESSION_TOKEN])
    for event in planted_events():
        report(event)  # type: ignore[arg-type]
    report.close()
    assert "FINDINGS" in out.getvalue()
    assert_clean(out.getvalue(), "terminal")
    for path in tmp_path.iterdir():
        assert_clean(path.read_text(), path.name)


def test_secrets_default_to_the_environment(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLC_SECRETKEY", samples.SECRET_KEY)
    monkeypatch.setenv("VOLC_SESSION_TOKEN", samples.SESSION_TOKEN)
    report = open_report(f"ndjson:{tmp_path}/out.ndjson", replay_dir=tmp_path / "r")
    for event in planted_events():
        report(event)  # type: ignore[arg-type]
    report.close()
    assert_clean((tmp_path / "out.ndjson").read_text(), "ndjson")


def test_without_the_secrets_named_only_credential_shaped_text_is_scrubbed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the contrast that shows the secrets list matters: a bare key pasted into a body
    # cannot be recognised unless the report is told it (or finds it in the environment)
    monkeypatch.delenv("VOLC_SECRETKEY", raising=False)
    monkeypatch.delenv("VOLC_SESSION_TOKEN", raising=False)
    report = open_report(f"ndjson:{tmp_path}/out.ndjson", secrets=[],
                         replay_dir=tmp_path / "r")
    for event in planted_events():
        report(event)  # type: ignore[arg-type]
    report.close()
    text = (tmp_path / "out.ndjson").read_text()
    assert samples.SECRET_KEY in text
    # the signature and the token are learned from the headers and URLs that carry them
    assert SIGNATURE not in text and samples.SESSION_TOKEN not in text


def test_the_redactor_repr_names_no_secret() -> None:
    from vmsspec.conformance._reports import Redactor

    redactor = Redactor([samples.SECRET_KEY])
    assert samples.SECRET_KEY not in repr(redactor)
    assert redactor.text(f"x{samples.SECRET_KEY}y") == "x<redacted>y"


@pytest.mark.parametrize("kind", ["junit", "html"])
def test_a_signature_learned_late_is_masked_early_too(kind: str, tmp_path: Path) -> None:
    # the first outcome carries the bare signature where the HTML page cuts a long text,
    # in the middle of it; only the last exchange's (unredacted) header says it is one
    from vmsspec.conformance._reports._html import _INLINE_LIMIT

    early = CheckOutcome("envelope.schema", "failed", f"echo {SIGNATURE}",
                         expected="x" * (_INLINE_LIMIT - 20) + SIGNATURE)
    late = planted_outcome("failed", "rejection.code", 200)
    run = planted_run()
    events = [RunFinished(RunReport(**{**run.__dict__, "target": samples.TARGET,
                                       "outcomes": (early, late)}))]
    report = open_report(f"{kind}:{tmp_path}/out.{kind}", replay_dir=tmp_path / "r",
                         secrets=[samples.SECRET_KEY, samples.SESSION_TOKEN])
    for event in events:
        report(event)
    report.close()
    assert_clean((tmp_path / f"out.{kind}").read_text(), kind)


def test_ndjson_lines_streamed_before_a_secret_was_learned_are_scrubbed_at_close(
        tmp_path: Path) -> None:
    early = CheckOutcome("envelope.schema", "failed", f"echo {SIGNATURE}")
    late = planted_exchange(200)  # its Authorization header is what reveals the signature
    report = open_report(f"ndjson:{tmp_path}/out.ndjson", replay_dir=tmp_path / "r",
                         secrets=[])
    report(early)
    report(late)
    mid = next(tmp_path.glob(".out.ndjson.*.tmp"))
    report._file.stream.flush()  # type: ignore[attr-defined]
    assert SIGNATURE in mid.read_text()  # streamed before anything said it was a secret
    report.close()
    text = (tmp_path / "out.ndjson").read_text()
    assert SIGNATURE not in text and SIGNATURE[:12] not in text
    assert [json.loads(line)["event"] for line in text.splitlines()] == [
        "outcome", "exchange", "run-finished"]
    assert list(tmp_path.glob(".out.ndjson.*")) == []
