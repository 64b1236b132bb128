"""`vmsspec validate`, `schema`, `errata` and `rules` as a user runs them."""

from __future__ import annotations

import json
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
        assert set(violation) == {"code", "parameter", "message", "rule", "source"}


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
