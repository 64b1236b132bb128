"""`vmsspec serve` as a user runs it: prints where it listens, stops on Ctrl-C, records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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


def stop(process: subprocess.Popen[str], sig: int = signal.SIGINT) -> tuple[str, str]:
    process.send_signal(sig)
    return process.communicate(timeout=30)


def create(url: str, body: bytes) -> int:
    auth = VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY)
    return httpx.post(f"{url}/?Action=CreateTask&Version=2022-01-01", content=body, auth=auth,
                      timeout=10).status_code


def test_sigterm_writes_the_record_as_sigint_does(tmp_path: Path) -> None:
    record = tmp_path / "exchanges.json"
    process, url, _ = start("--record", str(record))
    try:
        wait_ready(url)
        assert create(url, vmsspec.example_bytes()) == 200
    finally:
        out, err = stop(process, signal.SIGTERM)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "wrote 1 exchanges" in out and "stopped after 1 requests, 0 not conformant" in out
    (exchange,) = json.loads(record.read_text())
    assert exchange["status"] == 200 and exchange["delivered"] is True


def test_fail_on_nonconformant_exits_1_for_ci() -> None:
    process, url, _ = start("--fail-on-nonconformant", "--no-record")
    try:
        wait_ready(url)
        assert create(url, b'{"Name": 1}') == 400
    finally:
        out, err = stop(process, signal.SIGTERM)
    assert process.returncode == 1
    assert "1 not conformant" in out and "--fail-on-nonconformant" in err


def test_fail_on_nonconformant_exits_0_when_all_conform() -> None:
    process, url, _ = start("--fail-on-nonconformant")
    try:
        wait_ready(url)
        assert create(url, vmsspec.example_bytes()) == 200
    finally:
        stop(process)
    assert process.returncode == 0


def test_record_paths_that_cannot_be_written_are_refused_at_start(tmp_path: Path) -> None:
    for args, message in [(["--record", str(tmp_path)], "is a directory"),
                          (["--record", "/proc/vmsspec-record.json"], "cannot write in /proc"),
                          (["--record", str(tmp_path / "x"), "--no-record"], "choose one"),
                          (["--record-limit", "x"], "not a whole number"),
                          (["--read-timeout", "nan"], "not a number of seconds")]:
        result = subprocess.run([sys.executable, "-m", "vmsspec", "serve", *args],
                                capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr


def test_a_non_loopback_bind_is_warned_about_on_stderr() -> None:
    # 192.0.2.1 (TEST-NET-1) is on no interface here: the warning comes, the bind fails
    result = subprocess.run([sys.executable, "-m", "vmsspec", "serve", "--host", "192.0.2.1",
                             "--port", "0"], capture_output=True, text=True, timeout=30,
                            check=False)
    assert "warning: listening on 192.0.2.1, not loopback" in result.stderr
    assert "control path is off" in result.stderr
    assert result.returncode == 2 and "cannot listen" in result.stderr


def test_a_stalled_upload_does_not_keep_the_server_from_stopping(tmp_path: Path) -> None:
    import socket
    import time

    record = tmp_path / "r.json"
    process, url, _ = start("--shutdown-timeout", "0.5", "--read-timeout", "60",
                            "--record", str(record))
    host, port = url.removeprefix("http://").rsplit(":", 1)
    try:
        wait_ready(url)
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(b"POST /?Action=CreateTask&Version=2022-01-01 HTTP/1.1\r\n"
                         b"Host: x\r\nContent-Length: 100000\r\n\r\n{")
            time.sleep(0.2)
            began = time.monotonic()
            _, err = stop(process)
            assert time.monotonic() - began < 15
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert json.loads(record.read_text()) == []


def test_a_second_signal_during_the_write_leaves_the_previous_record(tmp_path: Path) -> None:
    from vmsspec.cli._serve import _Interrupted, _write_record

    record = tmp_path / "r.json"
    record.write_text('["previous"]')

    def chunks() -> Iterator[bytes]:
        yield b'["new", '
        os.kill(os.getpid(), signal.SIGTERM)  # the second signal, mid-write
        yield b'"never"]'

    with pytest.raises(_Interrupted, match="SIGTERM"):
        _write_record(record, chunks())
    assert record.read_text() == '["previous"]'
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no half file beside it
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers given back
    assert _write_record(record, iter([b'["new"]'])) and record.read_text() == '["new"]'


@pytest.mark.slow
def test_running_out_of_file_descriptors_logs_one_line_not_a_storm() -> None:
    import resource
    import socket
    import time

    def few_descriptors() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    process = subprocess.Popen(
        [sys.executable, "-m", "vmsspec", "serve", "--port", "0", "--max-connections", "1000",
         "--idle-timeout", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=few_descriptors)
    assert process.stdout is not None
    banner = ""
    while "(Ctrl-C stops)" not in banner:
        banner += process.stdout.readline()
    url = banner.splitlines()[0].rsplit(" at ", 1)[1].strip()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    wait_ready(url)
    sockets = []
    try:
        for _ in range(100):
            sockets.append(socket.create_connection((host, int(port))))
        time.sleep(3.5)  # asyncio retries accept() every second
    finally:
        for sock in sockets:
            sock.close()
        _, err = stop(process)
    assert err.count("cannot accept connections") == 1, err
    assert "Traceback" not in err and "out of system resource" not in err
