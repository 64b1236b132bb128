"""SIGINT and SIGTERM midway through `vmsspec check --report ...`: every report is whole.

A real run in a subprocess against `vmsspec serve`'s server on loopback, interrupted once
it is under way: each report file must exist and parse completely (XML, one JSON object
per line, an HTML page that ends), say the run was interrupted, and leave no temporary file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vmsspec
from vmsspec.adapters.server import ThreadedServer

ENV = {"VOLC_ACCESSKEY": vmsspec.TEST_ACCESS_KEY, "VOLC_SECRETKEY": vmsspec.TEST_SECRET_KEY}


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_leaves_whole_reports(sig: signal.Signals, tmp_path: Path) -> None:
    with ThreadedServer() as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vmsspec", "check", server.url, "--rate-limit", "5",
             "--seed", "5", "--report", f"junit:{tmp_path}/out.xml",
             "--report", f"ndjson:{tmp_path}/out.ndjson", "--report", f"html:{tmp_path}/out.html"],
            env={**os.environ, **ENV}, cwd=tmp_path, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            seen = []
            while time.monotonic() < deadline:
                line = proc.stdout.readline()
                seen.append(line)
                if line.startswith("[") or not line:
                    break  # the first case has been judged: the run is under way
            assert seen[-1].startswith("["), "".join(seen)
            # mid-run: the reports exist only as hidden temporary files
            assert not (tmp_path / "out.xml").exists()
            assert len(list(tmp_path.glob(".out.*.tmp"))) == 3
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert "INTERRUPTED" in out
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []

    props = {p.get("name"): p.get("value")
             for p in ET.parse(tmp_path / "out.xml").getroot().iter("property")}
    assert props["interrupted"] == "true" and props["seed"] == "5"
    lines = [json.loads(line) for line in (tmp_path / "out.ndjson").read_text().splitlines()]
    assert lines[0]["event"] == "run-started" and lines[-1]["event"] == "run-finished"
    assert lines[-1]["interrupted"] is True
    assert any(d["event"] == "outcome" for d in lines)
    page = (tmp_path / "out.html").read_text()
    assert page.rstrip().endswith("</html>") and "interrupted" in page
