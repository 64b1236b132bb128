"""The vendor's Node.js SDK, for real, against the real-port server (issue 9, Must show).

``@volcengine/openapi`` is installed from the npm registry with npm into a cached
folder under the system temp directory (once; later sessions reuse it), then
``node_create_task.js`` drives its generic ``Service`` + ``createJSONAPI('CreateTask')``
over plain http to 127.0.0.1. That SDK signs ``x-content-sha256;x-date`` only (never
Host) for region cn-north-1 (FACTS section 7), which the verifier used to refuse.

Skipped, with the reason, when ``node`` or ``npm`` is not installed; an npm install
that fails is a test failure carrying npm's own message, never a silent skip.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vmsspec import TEST_ACCESS_KEY, TEST_SECRET_KEY
from vmsspec._examples import example_bytes
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import ReferenceService

# Pinned: a contract test must not change its client under it. 1.36.2 is the release
# the registry served when this test was written (its src/base/sign.ts is the one
# FACTS section 7 describes).
PACKAGE = "@volcengine/openapi@1.36.2"
SCRIPT = Path(__file__).with_name("node_create_task.js")
NPM_TIMEOUT = 300
NODE_TIMEOUT = 60


def _clean_env(home: Path) -> dict[str, str]:
    """No proxy (axios honours HTTP_PROXY), no ~/.volc/config, loopback only."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()
           and not k.startswith("VOLC_")}
    env.update(NO_PROXY="127.0.0.1", no_proxy="127.0.0.1", HOME=str(home))
    return env


@pytest.fixture(scope="session")
def node_sdk() -> Path:
    """The folder whose node_modules holds the SDK (installed on first use)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the vendor's Node.js SDK "
                    f"(node: {node or 'absent'}, npm: {npm or 'absent'})")
    folder = Path(tempfile.gettempdir()) / "vmsspec-node-sdk" / PACKAGE.replace("/", "+")
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "node_modules" / "@volcengine" / "openapi" / "package.json"
    # One installer at a time (pytest -n 2 starts two sessions' workers at once).
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            _npm_install(npm, folder)
    return folder


def _npm_install(npm: str, folder: Path) -> None:
    (folder / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
             "--prefix", str(folder), PACKAGE],
            # npm's own environment: it may need a proxy or a mirror to reach the registry.
            cwd=folder, capture_output=True, text=True, timeout=NPM_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"npm install {PACKAGE} took more than {NPM_TIMEOUT} s")
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()[-2000:]
        pytest.fail(f"npm install {PACKAGE} failed (exit {done.returncode}):\n{message}")


def _run_node(folder: Path, port: int, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    payload = {"port": port, "region": "cn-north-1", "accessKeyId": TEST_ACCESS_KEY,
               "calls": calls}
    done = subprocess.run(
        ["node", str(SCRIPT)], input=json.dumps(payload), capture_output=True, text=True,
        timeout=NODE_TIMEOUT, env=_clean_env(folder) | {"NODE_PATH": str(folder / "node_modules")},
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    service = ReferenceService(credentials={TEST_ACCESS_KEY: TEST_SECRET_KEY})
    with ThreadedServer(service, port=0) as running:
        yield running


def test_the_node_sdk_creates_a_task_and_gets_the_documented_errors(
    node_sdk: Path, server: ThreadedServer,
) -> None:
    body = json.loads(example_bytes())
    created, invalid, forged = _run_node(node_sdk, server.port, [
        {"secretKey": TEST_SECRET_KEY, "body": body},
        {"secretKey": TEST_SECRET_KEY, "body": {**body, "Concurrency": "many"}},
        {"secretKey": "not-the-secret", "body": body},
    ])

    assert "Error" not in created["ResponseMetadata"], created
    assert created["Result"]["TaskOpenId"]
    # The example repeats a phone with Unique true: the documented FailList item.
    assert [item["Type"] for item in created["Result"]["FailList"]] == ["REDUPLICATED_ITEM"]

    assert invalid["ResponseMetadata"]["Error"]["Code"] == "InvalidParameter"
    assert "Concurrency" in invalid["ResponseMetadata"]["Error"]["Message"]
    assert "Result" not in invalid

    assert forged["ResponseMetadata"]["Error"]["Code"] == "SignatureDoesNotMatch"

    exchanges = server.service.recorder.exchanges
    assert [e.status for e in exchanges] == [200, 400, 401]
    # What made the SDK fail before: it signs neither Host nor Content-Type.
    authorization = dict((k.lower(), v) for k, v in exchanges[0].headers)["authorization"]
    assert "SignedHeaders=x-content-sha256;x-date," in authorization
    assert "/cn-north-1/vms/request" in authorization
