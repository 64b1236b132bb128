"""`vmsspec serve` as a user runs it: prints where it listens, stops on Ctrl-C, records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

import vmsspec
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY


def start(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    """The running server, its base URL and its banner (read here: communicate() later
    reads the pipe's file descriptor and would miss lines already buffered)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "vmsspec", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    banner = ""
    while "(Ctrl-C stops)" not in banner:
        line = process.stdout.readline()
        assert line, banner + process.stderr.read()  # type: ignore[union-attr]
        banner += line
    url = banner.splitlines()[0].rsplit(" at ", 1)[1].strip()
    return process, url, banner


def wait_ready(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(f"{url}/_vmsspec/health", timeout=1)
            return
        except httpx.TransportError:
            import time

            time.sleep(0.05)
    raise AssertionError("server did not come up")


def test_serve_answers_stops_on_ctrl_c_and_writes_the_record(tmp_path: Path) -> None:
    record = tmp_path / "exchanges.json"
    process, url, _ = start("--record", str(record))
    try:
        wait_ready(url)
        auth = VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY)
        with httpx.Client(auth=auth, base_url=url) as client:
            ok = client.post("/", params={"Action": "CreateTask", "Version": "2022-01-01"},
                             content=vmsspec.example_bytes())
            bad = client.post("/", params={"Action": "CreateTask", "Version": "2022-01-01"},
                              content=b'{"Name": 1}')
        assert (ok.status_code, bad.status_code) == (200, 400)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped after 2 requests, 1 not conformant" in out
    exchanges = json.loads(record.read_text())
    assert [e["status"] for e in exchanges] == [200, 400]
    assert TEST_SECRET_KEY not in record.read_text()
    assert not list(tmp_path.glob(".exchanges.json.*"))  # no temporary file left behind


def test_serve_prints_the_test_credentials() -> None:
    process, url, banner = start()
    try:
        wait_ready(url)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert TEST_ACCESS_KEY in banner and TEST_SECRET_KEY in banner


def test_serve_refuses_a_busy_port_with_one_line() -> None:
    process, url, _ = start()
    try:
        wait_ready(url)
        port = url.rsplit(":", 1)[1]
        busy = subprocess.run([sys.executable, "-m", "vmsspec", "serve", "--port", port],
                              capture_output=True, text=True, timeout=30, check=False)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert busy.returncode == 2
    assert "cannot listen on 127.0.0.1:" in busy.stderr
    assert busy.stderr.count("\n") == 1


def test_serve_refuses_bad_arguments(tmp_path: Path) -> None:
    for args, message in [(["--profile", "nope"], "unknown profile"),
                          (["--record", str(tmp_path / "no" / "x.json")], "no such directory"),
                          (["--port", "70000"], "not a TCP port")]:
        result = subprocess.run([sys.executable, "-m", "vmsspec", "serve", *args],
                                capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 2, args
        assert message in result.stderr and "Traceback" not in result.stderr


def test_headers_from_vmsspec_sign_are_accepted_by_vmsspec_serve(tmp_path: Path) -> None:
    """The two commands a client author uses by hand agree with each other."""
    body = tmp_path / "body.json"
    body.write_bytes(vmsspec.example_bytes())
    process, url, _ = start()
    try:
        wait_ready(url)
        target = f"{url}/?Action=CreateTask&Version=2022-01-01"
        env = {**os.environ, "VOLC_ACCESSKEY": TEST_ACCESS_KEY,
               "VOLC_SECRETKEY": TEST_SECRET_KEY}
        signed = subprocess.run([sys.executable, "-m", "vmsspec", "sign", str(body), "--url",
                                 target], capture_output=True, text=True, env=env, check=True,
                                timeout=30)
        headers = [(name, value) for name, _, value in
                   (line.partition(": ") for line in signed.stdout.splitlines())]
        response = httpx.post(target, headers=headers, content=body.read_bytes())
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert response.status_code == 200, response.text
    assert TEST_SECRET_KEY not in signed.stdout + signed.stderr
