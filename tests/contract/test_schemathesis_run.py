"""examples/schemathesis/run.sh end to end: Schemathesis finds only the documented answers.

Schemathesis is not a vmsspec dependency: it lives in its own virtual environment
(``VMSSPEC_ST_VENV``, as run.sh makes it). Without one this test is skipped, saying so.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "examples" / "schemathesis" / "run.sh"
VENV = Path(os.environ.get("VMSSPEC_ST_VENV", Path(
    os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "vmsspec" / "venv-schemathesis"))

# What the service answers by design (examples/schemathesis/README.md): stateful answers
# to a schema-valid body, and 404 InvalidActionOrVersion for a method other than POST.
EXPECTED = {
    "ST202": {"IdempotentParameterMismatch", "DryRunOperation"},
    "ST204": {"InvalidActionOrVersion"},
}


@pytest.mark.slow
@pytest.mark.skipif(not (VENV / "bin" / "st").exists(),
                    reason=f"no Schemathesis virtual environment at {VENV} "
                           "(examples/schemathesis/run.sh makes one; set VMSSPEC_ST_VENV)")
def test_schemathesis_reports_only_the_documented_answers() -> None:
    env = {**os.environ, "VMSSPEC_ST_VENV": str(VENV)}
    result = subprocess.run([str(SCRIPT), "--max-examples", "40", "--seed", "1"],
                            capture_output=True, text=True, env=env, timeout=600, check=False)
    out = result.stdout + result.stderr
    assert "Loaded specification" in out, out[-3000:]
    assert "ST100" not in out and "Server error" not in out  # no 5xx
    refused = re.search(r"Schema-valid cases not answered 200, by code: (.*)", out)
    if refused is not None:  # else: "Every schema-valid case was answered 200."
        codes = {part.rsplit(" ", 1)[0] for part in refused.group(1).split(", ")}
        assert codes <= EXPECTED["ST202"], codes
    else:
        assert "Every schema-valid case was answered 200." in out
    assert "Answers of the reference service" in out
    failures = re.split(r"\n- (ST\d+) ", out)[1:]
    for check, text in zip(failures[::2], failures[1::2], strict=True):
        assert check in EXPECTED, text[:2000]
        codes = set(re.findall(r'"Code":"(\w+)"', text.split("\n- ST", 1)[0]))
        assert codes and codes <= EXPECTED[check], (check, codes)
