"""`vmsspec check` as a user runs it: exit codes, one-line errors, signals mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

import vmsspec
from vmsspec.adapters.server import ThreadedServer, free_port
from vmsspec.cli import main
from vmsspec.conformance._checks import CHECKS

from . import servers

ENV = {"VOLC_ACCESSKEY": vmsspec.TEST_ACCESS_KEY, "VOLC_SECRETKEY": vmsspec.TEST_SECRET_KEY}


def test_list_prints_every_check_one_a_line(capsys):
    assert main(["check", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [*CHECKS, "compare.reference"]


def test_the_embedded_service_passes(capsys):
    assert main(["check", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "seed 3" in out


def test_a_broken_server_exits_1_naming_the_rule(capsys, monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    with ThreadedServer(servers.accepts_out_of_range_ring_again()) as server:
        code = main(["check", server.url, "--rate-limit", "0", "--seed", "1",
                     "--exclude-checks", "auth.wrong-region"])
    assert code == 1
    assert "RingAgainTimes:maximum" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["check", "--checks", "nope.*"], "no check matches 'nope.*'"),
    (["check", "--rules", "Nope:required"], "unknown rule id 'Nope:required'"),
    (["check", "--profile", "lenient"], "unknown profile 'lenient'"),
    (["check", "--compare-reference"], "--compare-reference needs a URL"),
    (["check", "ftp://example.com"], "not an http(s) URL"),
    (["check", "--report", "pdf:x.pdf"], "unknown kind 'pdf'"),
])
def test_usage_errors_are_one_line_and_exit_2(argv, message, capsys, monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_url_without_credentials_in_the_environment_exits_2(capsys, monkeypatch):
    monkeypatch.delenv("VOLC_ACCESSKEY", raising=False)
    monkeypatch.delenv("VOLC_SECRETKEY", raising=False)
    assert main(["check", "http://127.0.0.1:9"]) == 2
    assert "VOLC_ACCESSKEY" in capsys.readouterr().err


def test_an_unreachable_endpoint_exits_2_in_one_line(capsys, monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    assert main(["check", f"http://127.0.0.1:{free_port()}", "--retries", "0"]) == 2
    err = capsys.readouterr().err
    assert "unreachable" in err and err.count("\n") == 1


def test_refused_credentials_exit_2(capsys, monkeypatch):
    monkeypatch.setenv("VOLC_ACCESSKEY", "AKLTsomeoneElse000000")
    monkeypatch.setenv("VOLC_SECRETKEY", "not-the-secret-0000000000")
    with ThreadedServer() as server:
        assert main(["check", server.url, "--rate-limit", "0"]) == 2
    err = capsys.readouterr().err
    assert "credentials refused" in err and "InvalidAccessKey" in err
    assert "not-the-secret" not in err


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_side_effect_run_leaves_every_task_stopped(sig):
    service = servers.CountsCreates()
    with ThreadedServer(service) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vmsspec", "check", server.url, "--allow-side-effects",
             "--rate-limit", "8", "--seed", "5"],
            env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert service.created.wait(60), "the run never created a task"
            open_now = [t for t in service.tasks.values() if t.state != "stopped"]
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        tasks = service.tasks
    assert open_now, "the signal came when no task was open: the test proves nothing"
    assert proc.returncode == 1, err.decode()
    assert tasks and all(t.state == "stopped" for t in tasks.values())
    assert b"Traceback" not in err
    for task_id in tasks:
        assert task_id.encode() in out  # the summary lists what was created and stopped
