"""`pytest --pyargs vmsspec.conformance`: the same engine as `vmsspec check`, as test items.

Each test starts pytest in a subprocess from an empty directory (no repository ini, no
conftest), as a user's CI would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import vmsspec
from vmsspec.adapters.server import ThreadedServer

from . import servers

ENV = {"VOLC_ACCESSKEY": vmsspec.TEST_ACCESS_KEY, "VOLC_SECRETKEY": vmsspec.TEST_SECRET_KEY}


def pytest_run(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--pyargs",
         "vmsspec.conformance", *args],
        cwd=tmp_path, env={**os.environ, **ENV}, capture_output=True, text=True, timeout=300)


def test_one_item_per_check_and_case_with_readable_ids(tmp_path):
    done = pytest_run(tmp_path, "--co", "--vms-rules", "Name:required")
    ids = [line.split("::", 1)[1] for line in done.stdout.splitlines() if "::" in line]
    assert "test_conformance[rejection.code[Name:required]]" in ids
    assert "test_conformance[auth.stale-date[auth/stale-date]]" in ids
    assert len(ids) == len(set(ids))


def test_a_broken_target_fails_the_items_that_name_its_defect(tmp_path):
    with ThreadedServer(servers.MissingAsInvalid()) as server:
        done = pytest_run(tmp_path, "--vms-target", server.url, "--vms-rate-limit", "0",
                          "--vms-rules", "Name:required,Name:maxLength",
                          "--vms-exclude-checks", "auth.wrong-region", "--vms-seed", "4")
    assert done.returncode == 1, done.stdout[-2000:]
    failed = {line.split("::", 1)[1].split(" ")[0] for line in done.stdout.splitlines()
              if line.startswith("FAILED")}
    assert failed == {"test_conformance[rejection.code[Name:required]]"}
    assert "1 other-code" in done.stdout and "seed 4" in done.stdout
    assert vmsspec.TEST_SECRET_KEY not in done.stdout


@pytest.mark.slow
def test_under_xdist_drift_is_merged_on_the_controller(tmp_path):
    junit = tmp_path / "out.xml"
    done = pytest_run(tmp_path, "-n", "2", "--vms-rules",
                      "Name:required,RingAgainTimes:maximum,PhoneList[].Phone:format",
                      "--vms-check-report", f"junit:{junit}")
    assert done.returncode == 0, done.stdout[-2000:]
    # three rules, reached on either worker, counted once on the controller
    assert "3 documented, 0 other-code, 0 not-enforced, 0 not-reached" in done.stdout
    cases = ET.parse(junit).getroot().iter("testcase")
    assert any("rejection.code[RingAgainTimes:maximum]" in (c.get("name") or "")
               for c in cases)


def test_an_unreachable_target_stops_the_session_with_status_2(tmp_path):
    from vmsspec.adapters.server import free_port

    done = pytest_run(tmp_path, "--vms-target", f"http://127.0.0.1:{free_port()}",
                      "--vms-rules", "Name:required")
    assert done.returncode == 2, done.stdout[-2000:]
    assert "unreachable" in done.stdout + done.stderr
