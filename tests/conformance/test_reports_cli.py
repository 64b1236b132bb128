"""`vmsspec check --report KIND:FILE`: the reports of real runs, as CI reads them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vmsspec
from vmsspec.adapters.server import ThreadedServer
from vmsspec.cli import main
from vmsspec.conformance._reports import load_replay

from . import servers

RULES = "Name:required,RingAgainTimes:maximum"


def _run(tmp_path: Path, *argv: str) -> tuple[int, ET.Element, list[dict]]:
    code = main(["check", *argv, "--seed", "2", "--rules", RULES,
                 "--report", f"junit:{tmp_path}/out.xml",
                 "--report", f"ndjson:{tmp_path}/out.ndjson"])
    suite = ET.parse(tmp_path / "out.xml").getroot().find("testsuite")
    lines = [json.loads(x) for x in (tmp_path / "out.ndjson").read_text().splitlines()]
    return code, suite, lines


def test_junit_and_ndjson_of_an_embedded_run_agree(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, suite, lines = _run(tmp_path)
    capsys.readouterr()
    assert code == 0
    outcomes = [d for d in lines if d["event"] == "outcome"]
    names = [c.get("name") for c in suite.findall("testcase")]
    # one testcase per check and rule, in the order the run judged them
    assert names == list(dict.fromkeys(d["test_id"] for d in outcomes))
    assert len(names) == len(set(names))
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["seed"] == "2" and props["target"] == "embedded"
    finished = lines[-1]
    assert finished["event"] == "run-finished" and finished["exit_code"] == 0
    assert {d["rule"] for d in finished["drift"]} == set(RULES.split(","))
    assert all(d["state"] == "documented" for d in finished["drift"])
    exchanges = [d for d in lines if d["event"] == "exchange"]
    assert exchanges and all(d["status"] is not None for d in exchanges)
    # every outcome judged on an exchange names one that was written
    seqs = {d["seq"] for d in exchanges}
    assert all(d["exchange_seq"] in seqs for d in outcomes if "exchange_seq" in d)


def test_a_broken_server_is_a_junit_failure_with_a_replay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOLC_ACCESSKEY", vmsspec.TEST_ACCESS_KEY)
    monkeypatch.setenv("VOLC_SECRETKEY", vmsspec.TEST_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    with ThreadedServer(servers.accepts_out_of_range_ring_again()) as server:
        code, suite, lines = _run(tmp_path, server.url, "--rate-limit", "0",
                                  "--exclude-checks", "auth.wrong-region")
    capsys.readouterr()
    assert code == 1
    failed = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["rejection.code[RingAgainTimes:maximum]"]
    text = failed[0].find("failure").text
    assert "expected: 400 InvalidParameter RingAgainTimes" in text
    replay = load_replay(text.split("replay: vmsspec replay ", 1)[1].split()[0])
    assert replay.rule_id == "RingAgainTimes:maximum" and replay.seed == 2
    drift = {d["rule"]: d["state"] for d in lines[-1]["drift"]}
    assert drift == {"Name:required": "documented", "RingAgainTimes:maximum": "not-enforced"}


def test_a_bad_report_spec_writes_no_other_report(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    earlier = tmp_path / "out.html"
    earlier.write_text("the last run's report")
    assert main(["check", "--report", f"html:{earlier}", "--report", "pdf:x.pdf"]) == 2
    assert "unknown kind 'pdf'" in capsys.readouterr().err
    # the usage error ran nothing: the earlier report stays, and no temporary file is left
    assert earlier.read_text() == "the last run's report"
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]
