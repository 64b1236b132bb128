"""The terminal report: progress, the drift table, findings with their replay, the summary."""

from __future__ import annotations

import io
import time
from pathlib import Path

from tests.conformance import report_samples as samples
from vmsspec.conformance._reports import TerminalReport, load_replay
from vmsspec.conformance._results import CheckOutcome, RunFinished, RunStarted


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(tmp_path: Path, *, verbose: bool = False, stream: io.StringIO | None = None,
           events=None, side_effects: bool = False) -> str:
    out = stream if stream is not None else io.StringIO()
    report = TerminalReport(out, verbose=verbose, replay_dir=tmp_path / "replays", secrets=[])
    for event in samples.events(samples.run(side_effects=side_effects)) if events is None \
            else events:
        report(event)
    report.close()
    return out.getvalue()


def test_plain_progress_counts_cases_and_prints_findings_as_they_come(tmp_path: Path) -> None:
    text = render(tmp_path)
    assert "\r" not in text and "\x1b" not in text
    lines = text.split("\n\nChecks:")[0].splitlines()
    assert lines == [
        f"vmsspec check {samples.TARGET}: seed {samples.SEED}, 7 cases planned",
        "probe reachable: ok: HTTP 400 in 3 ms",
        "probe credentials: ok: accepted",
        "probe dry-run: FAILED: DryRun was ignored: a task was created and stopped",
        "[1/7 cases] 1 passed  now: envelope.schema",
        "[2/7 cases] 2 passed  now: Name:required",
        "FAILED rejection.code[RingAgainTimes:maximum]: RingAgainTimes 99 was accepted",
        "[3/7 cases] 3 passed, 1 failed  now: RingAgainTimes:maximum",
        "FAILED rejection.code[RingAgainTimes:maximum]: RingAgainTimes 9 was accepted",
        "FAILED rejection.code[Resource:required]: answered with another code",
        "[4/7 cases] 3 passed, 3 failed  now: Resource:required",
        "FAILED auth.wrong-signature: a wrong signature was accepted",
        "[5/7 cases] 3 passed, 4 failed  now: auth.wrong-signature",
        "ERROR status.no-5xx[PhoneList:maxItems]: no answer: the connection was reset",
        "[6/7 cases] 3 passed, 4 failed, 1 error  now: PhoneList:maxItems",
        "[7/7 cases] 3 passed, 4 failed, 1 skipped, 1 error  now: dry-run.honoured",
    ]


def test_plain_progress_on_a_long_run_is_a_line_per_tenth(tmp_path: Path) -> None:
    out = io.StringIO()
    report = TerminalReport(out, replay_dir=tmp_path, secrets=[])
    report(RunStarted(samples.TARGET, 1, 500))
    for case in range(500):
        for check in ("envelope.schema", "status.no-5xx"):
            report(CheckOutcome(check, "passed", "ok", rule_id=f"case-{case}"))
    report.close()
    progress = [line for line in out.getvalue().splitlines() if line.startswith("[")]
    assert progress[0] == "[1/500 cases] 1 passed  now: case-0"
    assert progress[1] == "[51/500 cases] 101 passed  now: case-50"
    assert len(progress) == 10


def test_the_checks_table_counts_each_check(tmp_path: Path) -> None:
    text = render(tmp_path)
    table = text.split("Checks:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert table[0].split() == ["check", "passed", "failed", "skipped", "error"]
    assert [line.split() for line in table[1:]] == [
        ["envelope.schema", "1", ".", ".", "."],
        ["rejection.code", "2", "3", ".", "."],
        ["auth.wrong-signature", ".", "1", ".", "."],
        ["status.no-5xx", ".", ".", ".", "1"],
        ["dry-run.honoured", ".", ".", "1", "."],
    ]


def test_drift_table_shows_what_is_not_documented(tmp_path: Path) -> None:
    text = render(tmp_path)
    assert "Drift per rule: 1 documented, 1 other-code, 1 not-enforced, 1 not-reached" in text
    rows = [line.split() for line in text.splitlines() if line.startswith("  ")]
    assert ["Resource:required", "other-code", "MissingParameter", "Resource", "400",
            "InvalidParameter", "Resource"] in rows
    assert ["RingAgainTimes:maximum", "not-enforced", "InvalidParameter", "RingAgainTimes",
            "200", "accepted"] in rows
    assert ["PhoneList:maxItems", "not-reached", "InvalidParameter", "PhoneList", "-"] in rows
    assert not any(r[:2] == ["Name:required", "documented"] for r in rows)
    assert "(1 rules enforced as documented; --verbose lists them)" in text
    verbose = render(tmp_path, verbose=True)
    assert any(line.split()[:2] == ["Name:required", "documented"]
               for line in verbose.splitlines())


def test_every_finding_has_expected_actual_request_and_a_replay_that_exists(
        tmp_path: Path) -> None:
    text = render(tmp_path)
    findings = text.split("Findings (4):", 1)[1].split("\nFINDINGS:", 1)[0]
    blocks = [b for b in findings.split("\n\n") if b.strip()]
    assert [b.strip().splitlines()[0] for b in blocks] == [
        "1. FAILED rejection.code[RingAgainTimes:maximum] (2 cases; the smallest)",
        "2. FAILED rejection.code[Resource:required]",
        "3. FAILED auth.wrong-signature",
        "4. ERROR status.no-5xx[PhoneList:maxItems]",
    ]
    for block in blocks:
        assert "   expected: " in block and "   actual:   " in block
        assert "curl -sS -X POST" in block
        path = block.split("replay: vmsspec replay ", 1)[1].split()[0]
        replay = load_replay(path)
        assert replay.check_id in block
    # the smaller of the two RingAgainTimes cases is the one shown and replayed
    assert '"RingAgainTimes": 9' in blocks[0] and '"RingAgainTimes": 99' not in blocks[0]
    assert "tampered: wrong-signature" in blocks[2]
    # a body that is not UTF-8 is shown exactly, as bash $'...' quoting
    assert "--data-binary $'\\xff\\xfe not UTF-8 \\x00'" in blocks[3]


def test_summary_has_counts_seed_tasks_and_the_rerun_command(tmp_path: Path) -> None:
    text = render(tmp_path, side_effects=True)
    summary = text.split("\nFINDINGS: ", 1)[1]
    assert summary.startswith(
        f"3 passed, 4 failed, 1 skipped, 1 error against {samples.TARGET}"
        f" (seed {samples.SEED}, profile documented)")
    assert "tasks (side effects allowed): 2 created, 1 stopped" in summary
    assert "LEFT RUNNING: task-open-2" in summary
    assert "coverage rules: 3 of 4" in summary
    assert (f"same seed again: vmsspec check {samples.TARGET} --seed {samples.SEED}"
            " --allow-side-effects") in summary
    safe = render(tmp_path)
    assert "tasks (no side effects): 0 created, 0 stopped" in safe


def test_a_conformant_run_prints_conformant(tmp_path: Path) -> None:
    report = samples.run()
    passed = tuple(o for o in report.outcomes if o.verdict == "passed")
    clean = report.__class__(**{**report.__dict__, "outcomes": passed, "probes": ()})
    text = render(tmp_path, events=[RunStarted(clean.target, clean.seed, 3), *passed,
                                    RunFinished(clean)])
    assert "\nCONFORMANT: 3 passed against" in text and "Findings" not in text
    assert not (tmp_path / "replays").exists()


def test_close_without_run_finished_says_interrupted(tmp_path: Path) -> None:
    events = samples.events()[:6]
    text = render(tmp_path, events=events)
    assert "\nINTERRUPTED: 2 passed" in text
    assert f"seed {samples.SEED}" in text


def test_tty_progress_redraws_one_line_and_clears_it(tmp_path: Path) -> None:
    text = render(tmp_path, stream=Tty())
    assert "\r\x1b[2K[1/7 cases] 1 passed  envelope.schema" in text
    # the status line is cleared before the summary; no plain progress lines on a TTY
    before_summary, summary = text.split("\nChecks:")
    assert before_summary.endswith("\r\x1b[2K")
    assert "\x1b" not in summary
    assert "  now: " not in text


def test_tty_redraws_are_throttled(tmp_path: Path) -> None:
    out = Tty()
    report = TerminalReport(out, replay_dir=tmp_path, secrets=[])
    report(RunStarted(samples.TARGET, 1, 3000))
    started = time.monotonic()
    for case in range(3000):
        report(CheckOutcome("envelope.schema", "passed", "ok", rule_id=str(case)))
    elapsed = time.monotonic() - started
    redraws = out.getvalue().count("\r\x1b[2K[")
    assert 1 <= redraws <= elapsed / 0.1 + 2


def test_verbose_prints_a_line_per_case_and_the_answer(tmp_path: Path) -> None:
    text = render(tmp_path, verbose=True)
    assert "[3/7 cases] 3 passed, 1 failed FAILED rejection.code[RingAgainTimes:maximum]:" \
           " RingAgainTimes 99 was accepted" in text
    assert sum(1 for line in text.splitlines() if line.startswith("[")) == 9  # one per outcome
    assert "   answer:" in text and "HTTP 200" in text


def test_an_unwritable_replay_directory_is_said_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = io.StringIO()
    report = TerminalReport(out, replay_dir=blocker / "replays", secrets=[])
    for event in samples.events():
        report(event)
    report.close()
    assert "(replay file not written:" in out.getvalue()
    assert "vmsspec replay" not in out.getvalue().split("same seed again:")[0]


def test_a_run_stopped_by_a_failed_probe_says_so(tmp_path: Path) -> None:
    from vmsspec.conformance._results import ProbeResult

    events = [RunStarted(samples.TARGET, 5, 120),
              ProbeResult("reachable", False, "no answer: ConnectError")]
    text = render(tmp_path, events=events)
    assert f"\nSTOPPED AFTER THE PROBES: nothing run against {samples.TARGET} (seed 5)" in text
    assert "probe reachable failed: no answer: ConnectError" in text
    assert "INTERRUPTED" not in text
