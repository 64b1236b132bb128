"""The file reports (junit:, ndjson:, html:): what they hold, and that they appear whole."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conformance import report_samples as samples
from vmsspec.conformance._reports import (
    HtmlReport,
    JUnitReport,
    NdjsonReport,
    load_replay,
    open_report,
)
from vmsspec.conformance._results import RunFinished


def write(spec: str, tmp_path: Path, events=None) -> Path:
    report = open_report(spec, replay_dir=tmp_path / "replays", secrets=[])
    for event in samples.events() if events is None else events:
        report(event)
    report.close()
    return Path(spec.partition(":")[2])


# -- open_report: bad specs -----------------------------------------------------------

@pytest.mark.parametrize(("spec", "says"), [
    ("xml:out.xml", "unknown kind 'xml'"),
    ("junit", "expected KIND:FILE"),
    ("junit:", "names no file"),
    ("html:   ", "names no file"),
])
def test_bad_spec_is_one_line(spec: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as info:
        open_report(spec)
    assert "\n" not in str(info.value)


def test_directory_and_missing_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a directory"):
        open_report(f"junit:{tmp_path}")
    with pytest.raises(ValueError, match="no such directory"):
        open_report(f"html:{tmp_path}/nope/out.html")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_unwritable_directory_is_refused_before_the_run(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="cannot write"):
            open_report(f"ndjson:{locked}/out.ndjson")
    finally:
        locked.chmod(0o700)


def test_unwritable_path_is_refused(tmp_path: Path) -> None:
    # a regular file where a directory should be: fails for root too
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="no such directory"):
        open_report(f"junit:{blocker}/out.xml")


def test_kinds_map_to_their_classes(tmp_path: Path) -> None:
    for spec, cls in (("junit", JUnitReport), ("ndjson", NdjsonReport), ("html", HtmlReport)):
        report = open_report(f"{spec}:{tmp_path}/out.{spec}")
        assert isinstance(report, cls)
        report.discard()
    assert list(tmp_path.iterdir()) == []


# -- atomicity ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["junit", "ndjson", "html"])
def test_nothing_appears_before_close_and_no_temp_file_after(kind: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{kind}"
    target.write_text("the previous report\n")
    report = open_report(f"{kind}:{target}", replay_dir=tmp_path / "r")
    for event in samples.events()[:-1]:
        report(event)
    # mid-run: the old file is untouched, the new one is a hidden temporary twin
    assert target.read_text() == "the previous report\n"
    temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(temps) == 1 and temps[0].name.startswith(f".out.{kind}.")
    report.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert target.read_text() != "the previous report\n"
    assert oct(target.stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize("kind", ["junit", "ndjson", "html"])
def test_discard_leaves_the_previous_file(kind: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{kind}"
    target.write_text("before")
    report = open_report(f"{kind}:{target}")
    report(samples.events()[0])
    report.discard()
    report.close()  # after discard: nothing
    assert target.read_text() == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out.{kind}"]


def test_a_failure_while_writing_keeps_the_previous_file(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.html"
    target.write_text("before")
    report = open_report(f"html:{target}", replay_dir=tmp_path / "r")
    for event in samples.events():
        report(event)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.close()
    assert target.read_text() == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html", "r"]


# -- JUnit ----------------------------------------------------------------------------

def test_junit_one_testcase_per_check_and_rule(tmp_path: Path) -> None:
    path = write(f"junit:{tmp_path}/out.xml", tmp_path)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    outcomes = samples.outcomes()
    assert [c.get("name") for c in cases] == list(dict.fromkeys(o.test_id for o in outcomes))
    by_name = {c.get("name"): c for c in cases}
    # two passed cases of one rule: one testcase, passed
    assert list(by_name["rejection.code[Name:required]"]) == []
    # two failed cases of one rule: one failure showing the smaller request
    failure = by_name["rejection.code[RingAgainTimes:maximum]"].find("failure")
    assert failure.get("message") == "RingAgainTimes 9 was accepted"
    assert "expected: 400 InvalidParameter RingAgainTimes" in failure.text
    assert "actual:   200 accepted" in failure.text
    assert '"RingAgainTimes": 9' in failure.text and "2 cases failed" in failure.text
    assert "curl -sS -X POST" in failure.text
    replay = failure.text.split("replay: vmsspec replay ", 1)[1].split()[0]
    assert load_replay(replay).rule_id == "RingAgainTimes:maximum"
    assert by_name["status.no-5xx[PhoneList:maxItems]"].find("error") is not None
    assert by_name["dry-run.honoured"].find("skipped").get("message") == \
        "only with --allow-side-effects"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"),
            suite.get("skipped")) == (str(len(cases)), "3", "1", "1")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["seed"] == str(samples.SEED)
    assert props["target"] == samples.TARGET
    assert props["profile"] == "documented"
    assert props["probe.dry-run"].startswith("FAILED")
    assert f"--seed {samples.SEED}" in props["reproduce"]


def test_junit_is_valid_xml_with_control_characters(tmp_path: Path) -> None:
    from vmsspec.conformance._results import CheckOutcome

    report = samples.run()
    odd = CheckOutcome("envelope.schema", "failed", "bad \x00 byte \x1b[31m in the answer",
                       actual="\x07")
    events = samples.events(report.__class__(**{**report.__dict__, "outcomes": (odd,)}))
    path = write(f"junit:{tmp_path}/out.xml", tmp_path, events)
    failure = ET.parse(path).getroot().find(".//failure")
    assert failure.get("message") == "bad \\x00 byte \\x1b[31m in the answer"


# -- NDJSON ---------------------------------------------------------------------------

def test_ndjson_has_every_event_in_order(tmp_path: Path) -> None:
    events = samples.events()
    path = write(f"ndjson:{tmp_path}/out.ndjson", tmp_path, events)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    kinds = {"RunStarted": "run-started", "ProbeResult": "probe", "WireExchange": "exchange",
             "CheckOutcome": "outcome", "RunFinished": "run-finished"}
    assert [doc["event"] for doc in lines] == [kinds[type(e).__name__] for e in events]
    exchanges = [doc for doc in lines if doc["event"] == "exchange"]
    assert len(exchanges) == sum(1 for o in samples.outcomes() if o.exchange is not None)
    assert exchanges[0]["status"] == 200 and exchanges[0]["method"] == "POST"
    assert json.loads(exchanges[0]["response_body"])["Result"]["TaskOpenId"] == "task-open-1"
    outcome = next(d for d in lines if d["event"] == "outcome" and d["verdict"] == "failed")
    assert outcome["test_id"] == "rejection.code[RingAgainTimes:maximum]"
    assert outcome["reproduction"]["body_base64"]
    # the exchange it was judged on is named, not repeated
    assert "exchange" not in outcome
    assert exchanges[outcome["exchange_seq"] - 1]["body"] == \
        samples.outcomes()[3].exchange.body.decode()
    assert [e["seq"] for e in exchanges] == list(range(1, len(exchanges) + 1))
    last = lines[-1]
    assert last["seed"] == samples.SEED and last["exit_code"] == 1
    assert last["interrupted"] is False and "outcomes" not in last
    assert [f["test_id"] for f in last["findings"]] == [
        "rejection.code[RingAgainTimes:maximum]", "rejection.code[Resource:required]",
        "auth.wrong-signature", "status.no-5xx[PhoneList:maxItems]"]
    assert all(Path(f["replay"]).is_file() for f in last["findings"])


def test_ndjson_writes_a_shared_reproduction_once(tmp_path: Path) -> None:
    from vmsspec.conformance._results import CheckOutcome

    shared = samples.reproduction(samples.body(RingAgainTimes=9))
    events = [CheckOutcome(check, "failed", "m", rule_id="RingAgainTimes:maximum",
                           reproduction=shared)
              for check in ("rejection.code", "rejection.parameter", "status.documented")]
    path = write(f"ndjson:{tmp_path}/out.ndjson", tmp_path, events)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["reproduction"]["body_base64"]
    assert [d.get("reproduction_of") for d in lines[1:3]] == [1, 1]
    assert "reproduction" not in lines[1] and "reproduction" not in lines[2]
    # the replay files (written from the whole outcome) still hold the body
    assert all(Path(f["replay"]).is_file() for f in lines[-1]["findings"])


def test_ndjson_keeps_bodies_that_are_not_utf8(tmp_path: Path) -> None:
    import base64

    from vmsspec.conformance._results import WireExchange

    raw = b"\xff\xfe{\x00"
    ex = WireExchange("POST", samples.URL, (), raw, 400, response_body=b"ok")
    path = write(f"ndjson:{tmp_path}/out.ndjson", tmp_path, [ex])
    doc = json.loads(path.read_text().splitlines()[0])
    assert base64.b64decode(doc["body_base64"]) == raw
    assert "response_body_base64" not in doc


def test_outcomes_only_in_run_finished_still_get_lines(tmp_path: Path) -> None:
    path = write(f"ndjson:{tmp_path}/out.ndjson", tmp_path, [RunFinished(samples.run())])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert sum(d["event"] == "outcome" for d in lines) == len(samples.outcomes())
    # no exchange line came first, so each outcome carries its exchange whole
    failed = next(d for d in lines if d["event"] == "outcome" and d["verdict"] == "failed")
    assert failed["exchange"]["status"] == 200
    assert sum(d["event"] == "probe" for d in lines) == len(samples.PROBES)


@pytest.mark.parametrize("kind", ["junit", "ndjson", "html"])
def test_an_interrupted_run_is_a_whole_report_marked_interrupted(kind: str,
                                                                 tmp_path: Path) -> None:
    events = samples.events()[:6]  # RunStarted, probes, two outcomes; no RunFinished
    path = write(f"{kind}:{tmp_path}/out.{kind}", tmp_path, events)
    text = path.read_text()
    if kind == "ndjson":
        last = json.loads(text.splitlines()[-1])
        assert last["event"] == "run-finished" and last["interrupted"] is True
        assert last["exit_code"] == 1 and last["seed"] == samples.SEED
    elif kind == "junit":
        props = {p.get("name"): p.get("value")
                 for p in ET.fromstring(text).iter("property")}
        assert props["interrupted"] == "true"
    else:
        assert "The run was interrupted" in text and text.rstrip().endswith("</html>")


# -- HTML -----------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.drift_rows: list[str | None] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr" and dict(attrs).get("class") == "drift-row":
            self.drift_rows.append(dict(attrs).get("data-state"))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page(tmp_path: Path) -> None:
    path = write(f"html:{tmp_path}/out.html", tmp_path)
    page = _Page()
    page.feed(path.read_text())
    names = [t for t, _ in page.tags]
    assert names.count("html") == 1 and "style" in names
    # nothing fetched: no scripts, links, images, frames or external URLs in attributes
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(names)
    for _, attrs in page.tags:
        for key in ("src", "href"):
            assert attrs.get(key) is None or attrs[key].startswith("#")
    assert "@import" not in path.read_text() and "url(" not in path.read_text()


def test_html_shows_drift_coverage_findings_and_seed(tmp_path: Path) -> None:
    path = write(f"html:{tmp_path}/out.html", tmp_path)
    page = _Page()
    page.feed(path.read_text())
    text = " ".join(page.text)
    assert page.drift_rows == [d.state for d in samples.DRIFT]
    for state in ("documented", "other-code", "not-enforced", "not-reached"):
        assert f"{state} (1)" in text
    assert "Coverage" in text and "QuotaExceeded" in text and "3 of 4" in text
    assert "Findings (4)" in text
    assert "curl -sS -X POST" in text and "expected" in text
    assert "400 InvalidParameter RingAgainTimes" in text
    assert str(samples.SEED) in text and f"--seed {samples.SEED}" in text
    replays = [t.split("vmsspec replay ", 1)[1] for t in page.text if "vmsspec replay " in t]
    assert len(replays) == 4 and all(Path(p.strip()).is_file() for p in replays)


def test_html_of_a_conformant_run_says_so(tmp_path: Path) -> None:
    report = samples.run()
    passed = tuple(o for o in report.outcomes if o.verdict == "passed")
    clean = report.__class__(**{**report.__dict__, "outcomes": passed, "probes": ()})
    path = write(f"html:{tmp_path}/out.html", tmp_path, [RunFinished(clean)])
    text = path.read_text()
    assert "conformant" in text and "Findings</h2><p>None.</p>" in text
    assert not (tmp_path / "replays").exists()


def test_html_of_a_run_stopped_by_a_probe_says_no_check_ran(tmp_path: Path) -> None:
    from vmsspec.conformance._results import ProbeResult, RunStarted

    events = [RunStarted(samples.TARGET, 5, 120), ProbeResult("reachable", False, "refused")]
    text = write(f"html:{tmp_path}/out.html", tmp_path, events).read_text()
    assert "stopped after the probes" in text and "no check was run" in text
    assert "interrupted</span>" not in text
