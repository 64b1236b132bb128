"""`vmsspec validate`, `schema`, `errata` and `rules` as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vmsspec
from vmsspec.cli import main


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process: exit codes, streams and tracebacks as a shell sees them."""
    return subprocess.run(
        [sys.executable, "-m", "vmsspec", *args], input=stdin.decode() if stdin else None,
        capture_output=True, text=True, check=False, timeout=60,
    )


def test_bundled_example_is_valid_and_shows_its_fail_list() -> None:
    result = run("validate", "--example")
    assert result.returncode == 0, result.stderr
    assert "valid under profile documented" in result.stdout
    assert "REDUPLICATED_ITEM" in result.stdout


def test_json_output_is_exactly_one_object_of_the_documented_shape(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(vmsspec.example_bytes("seed-request"))
    result = run("validate", str(path), "--json")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert set(out) == {"valid", "status", "violations", "fail_list"}
    assert (out["valid"], out["status"], out["fail_list"]) == (False, 400, [])
    assert len(out["violations"]) == 5
    for violation in out["violations"]:
        assert set(violation) == {"code", "parameter", "message", "rule", "source", "detail"}


def test_profile_and_disable_options(tmp_path: Path) -> None:
    seed = vmsspec.example_bytes("seed-request")
    assert run("validate", "-", "--profile", "example-compatible", stdin=seed).returncode == 0
    body = json.loads(seed)
    body.update(MaxRingDuration=20, RingAgainTimes=0, NumberList=["13344445555"])
    body["ForbidTimeList"] = [{"Times": ["09:00-10:00"]}]
    del body["Resource"]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(body))
    out = json.loads(run("validate", str(path), "--json").stdout)
    assert [v["rule"] for v in out["violations"]] == ["Resource:required"]
    result = run("validate", str(path), "--json", "--disable", "Resource:required")
    assert result.returncode == 0
    assert json.loads(result.stdout)["fail_list"] == [
        {"Index": 0, "Phone": "qOUFbQIX0Oo", "Type": "INVALID_PHONE_FORMAT"}]


@pytest.mark.parametrize("args, stdin, message", [
    (["validate", "/no/such/file.json"], None, "no such file"),
    (["validate", "-"], b"{not json", "not valid JSON"),
    (["validate", "-"], b"[1, 2]", "is an array, not a JSON object"),
    (["validate", "-"], b"\xff\xff", "not valid UTF-8"),
    (["validate"], None, "give a FILE"),
    (["validate", "--example", "nope"], None, "unknown example"),
    (["validate", "--example", "--profile", "lenient"], None, "unknown profile"),
    (["validate", "--example", "--disable", "No:such"], None, "unknown rule id"),
    (["schema", "error", "--openapi"], None, "give no schema name"),
], ids=["missing-file", "bad-json", "array", "bad-utf8", "no-input", "bad-example",
        "bad-profile", "bad-rule", "openapi-with-name"])
def test_unusable_input_is_one_line_and_exit_2(args: list[str], stdin: bytes | None,
                                               message: str) -> None:
    if stdin is not None and args[-1] == "-":
        result = subprocess.run([sys.executable, "-m", "vmsspec", *args], input=stdin,
                                capture_output=True, check=False, timeout=60)
        stderr = result.stderr.decode()
    else:
        completed = run(*args)
        result, stderr = completed, completed.stderr  # type: ignore[assignment]
    assert result.returncode == 2
    assert message in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert not result.stdout


def test_directory_instead_of_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["request", "response", "error", "query"])
def test_schema_prints_the_shipped_document(name: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out) == vmsspec.load_schema(name)


def test_openapi_document_is_accepted_by_openapi_tooling(
        capsys: pytest.CaptureFixture[str]) -> None:
    from openapi_spec_validator import validate

    assert main(["schema", "--openapi"]) == 0
    doc = json.loads(capsys.readouterr().out)
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    operation = doc["paths"]["/"]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"Action", "Version"}
    assert {"200", "400", "401", "404", "500"} <= set(operation["responses"])
    text = json.dumps(doc)
    assert "#/$defs/" not in text and ".json#" not in text  # every $ref points into components


def test_errata_lists_each_erratum_with_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["errata", "--json"]) == 0
    errata = json.loads(capsys.readouterr().out)
    assert [e["number"] for e in errata] == list(range(1, 14))
    for erratum in errata:
        assert set(erratum["handling"]) == set(vmsspec.PROFILES)
    assert errata[10]["rules"][0] == "PhoneList[]:additionalProperties"
    assert main(["errata"]) == 0
    text = capsys.readouterr().out
    assert "RingAgainTimes:maximum" in text and "example-compatible:" in text
    assert "13. Credential-scope region" in text and "auth:scope-region" in text
    sdk = text.split("11. ", 1)[1].split("\n12. ", 1)[0]
    assert "SelectNumberRule:const" in sdk and "\n    sdk-compatible: " in sdk


def test_rules_lists_the_whole_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json", "--profile", "example-compatible"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == [r.id for r in vmsspec.rules("example-compatible")]
    off = {r["id"] for r in listed if not r["enabled"]}
    assert off == {"PhoneList[].Phone:format"}


def _valid_body(**extra: object) -> dict[str, object]:
    body = json.loads(vmsspec.example_bytes("example-request"))
    body.update(extra)
    return body


def test_a_dry_run_says_the_same_status_in_text_and_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dry.json"
    path.write_text(json.dumps(_valid_body(DryRun=True)))
    assert main(["validate", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["valid"], out["status"]) == (True, 400)
    assert main(["validate", str(path)]) == 0
    text = capsys.readouterr().out
    assert "HTTP 400 DryRunOperation" in text and "HTTP 200" not in text


def test_a_long_detail_is_cut_in_the_table_and_whole_in_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    phones = [{"Phone": f"138{i:08d}"} for i in range(10_001)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(_valid_body(PhoneList=phones)))
    assert main(["validate", str(path)]) == 1
    text = capsys.readouterr().out
    assert "PhoneListExceedLimit" in text
    assert max(len(line) for line in text.splitlines()) < 400
    assert "…" in text
    assert main(["validate", str(path), "--json"]) == 1
    (violation,) = json.loads(capsys.readouterr().out)["violations"]
    assert violation["code"] == "PhoneListExceedLimit"
    assert len(violation["detail"]) > 100_000  # jsonschema's message quotes the whole list


def test_every_rule_id_named_in_a_rules_text_is_one_disable_accepts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = vmsspec.rules()
    parameters = {r.parameter for r in catalog} | {"body"}
    named = set()
    rule_like = re.compile(r"(?<![\w:\]])[\w.\[\]]*:[A-Za-z][\w-]*")
    for rule in catalog:
        for token in rule_like.findall(f"{rule.source} {rule.description}"):
            prefix = token.partition(":")[0]
            if prefix == "" or prefix in parameters:  # ':calendar' or 'StartTime:calendar'
                named.add(token)
    assert "body:additionalProperties" in named
    assert named <= {r.id for r in catalog}, named
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps({**_valid_body(), "Bogus": 1}))
    assert main(["validate", str(path), "--json"]) == 1
    capsys.readouterr()
    for rule_id in sorted(named):
        assert main(["validate", str(path), "--json", "--disable", rule_id]) in (0, 1), rule_id
        assert capsys.readouterr().err == ""
    assert main(["validate", str(path), "--disable", "body:additionalProperties"]) == 0


def test_a_response_body_is_checked_against_its_envelope(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--example", "seed-response", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert (out["envelope"], out["status"]) == ("success", 200)
    assert [f["pointer"] for f in out["findings"]] == ["/Result/FailList/0/Type"]  # erratum 9
    seed = json.loads(vmsspec.example_bytes("seed-response"))
    seed["Result"]["FailList"][0]["Type"] = "REDUPLICATED_ITEM"
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(seed))
    assert main(["validate", "--response", str(path)]) == 0
    assert "a valid success response (HTTP 200)" in capsys.readouterr().out
    error = {"ResponseMetadata": {**seed["ResponseMetadata"], "Error": {
        "Code": "InvalidParameter", "Message": "The specified parameter Name is invalid."}}}
    path.write_text(json.dumps(error))
    assert main(["validate", "--response", str(path)]) == 0  # Error: the error envelope, 400
    assert "valid error response (HTTP 400)" in capsys.readouterr().out
    assert main(["validate", "--response", str(path), "--status", "200"]) == 1
    assert "not a valid success response" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["validate", "--example", "seed-response", "--status", "99"], "--status 99"),
    (["validate", "--example", "--status", "200"], "--status goes with --response"),
    (["validate", "--example", "seed-response", "--profile", "sdk-compatible"], "requests"),
])
def test_response_options_misused_are_one_line_exit_2(
        capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err
