"""vmsspec's pytest plugin, as pytest loads it (the ``pytest11`` entry point).

This module is deliberately *outside* the ``vmsspec`` package, as Hypothesis keeps
``_hypothesis_pytestplugin`` outside ``hypothesis``: pytest imports every installed plugin
at start-up, and importing anything under ``vmsspec`` first runs ``vmsspec/__init__.py``
(the contract, the validator, jsonschema-rs: about 55 ms inside a pytest process). Here
only options, ini keys, markers and the header line are defined; the fixtures import
``vmsspec.pytest_plugin`` when a test first asks for one. A run that uses no vms fixture
pays for this file alone (bench/bench_plugin.py measures it).

The fixtures and their options are documented in ``vmsspec/pytest_plugin/__init__.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pragma: no cover - types only
    from vmsspec.pytest_plugin import Vms
    from vmsspec.pytest_plugin._session import SessionState

_MARKERS = (
    "vms(profile=None, region=None, regions=None, credentials=None, assert_conformant=True, "
    "assert_forced_consumed=True, host=None): configure the vms, vms_transport and "
    "vms_server fixtures for a test; "
    "the closest marker wins (function over class over module pytestmark)",
    "vms_respond(code=None, *, parameter=None, status=None, gateway_502=False, drop=False, "
    "delay=0.0, fail_items=(), count=1, when=None): force the service's next answers before "
    "the test runs (the same keywords as Vms.respond_next); every such marker applies, "
    "module first, then class, then the function's, top to bottom",
)

_DEFAULT_PROFILE = "documented"
_DEFAULT_REGION = "cn-beijing"  # the seed page's credential scope (FACTS section 2, erratum 13)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vmsspec", "vmsspec: the VMS CreateTask contract")
    group.addoption("--vms-profile", dest="vms_profile", metavar="NAME", default=None,
                    help="contract profile the vms fixtures enforce (ini: vms_profile; "
                         f"default {_DEFAULT_PROFILE})")
    group.addoption("--vms-region", dest="vms_region", metavar="REGION", default=None,
                    help="the credential-scope region clients must sign for (ini: vms_region; "
                         f"default {_DEFAULT_REGION})")
    group.addoption("--vms-seed", dest="vms_seed", metavar="INT", type=int, default=None,
                    help="seed for the client kit's generated parameters (ini: vms_seed; "
                         "default: random, printed in the header)")
    group.addoption("--vms-report", dest="vms_report", metavar="FILE", default=None,
                    help="write every exchange the vms fixtures saw as NDJSON, secrets "
                         "redacted (ini: vms_report)")
    group.addoption("--vms-no-conformance-check", dest="vms_conformance_check",
                    action="store_false", default=None,
                    help="do not fail a test at teardown for non-conformant requests "
                         "(ini: vms_conformance_check = false)")
    parser.addini("vms_profile", "default for --vms-profile", default=_DEFAULT_PROFILE)
    parser.addini("vms_region", "default for --vms-region", default=_DEFAULT_REGION)
    parser.addini("vms_seed", "default for --vms-seed", default="")
    parser.addini("vms_report", "default for --vms-report", default="")
    parser.addini("vms_conformance_check", "fail tests whose client broke the contract",
                  type="bool", default=True)


def _seed(config: pytest.Config) -> int:
    given = config.getoption("vms_seed")
    if given is not None:
        return int(given)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "vms_seed" in workerinput:
        return int(workerinput["vms_seed"])  # every xdist worker uses the controller's
    ini = str(config.getini("vms_seed")).strip()
    if ini:
        try:
            return int(ini)
        except ValueError:
            raise pytest.UsageError(f"vms_seed must be an integer, not {ini!r}") from None
    return int.from_bytes(os.urandom(4), "big")  # printed, so a run can be repeated


class Settings:
    """The run-wide settings, resolved once from the options and ini keys."""

    def __init__(self, config: pytest.Config) -> None:
        self.profile: str = config.getoption("vms_profile") or config.getini("vms_profile")
        self.region: str = config.getoption("vms_region") or config.getini("vms_region")
        self.seed = _seed(config)
        self.report: str = config.getoption("vms_report") or config.getini("vms_report") or ""
        check = config.getoption("vms_conformance_check")
        self.conformance_check: bool = bool(config.getini("vms_conformance_check")
                                            if check is None else check)


settings_key = pytest.StashKey[Settings]()
state_key = pytest.StashKey["SessionState"]()


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    config.stash[settings_key] = Settings(config)


def pytest_report_header(config: pytest.Config) -> str:
    s = config.stash[settings_key]
    return f"vmsspec: profile={s.profile}, region={s.region}, seed={s.seed} (--vms-seed={s.seed})"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: hand every worker the same seed."""
    node.workerinput["vms_seed"] = node.config.stash[settings_key].seed


def _state(config: pytest.Config) -> SessionState:
    state = config.stash.get(state_key, None)
    if state is None:
        from vmsspec.pytest_plugin._session import SessionState

        state = config.stash[state_key] = SessionState(config, config.stash[settings_key])
    return state


@pytest.fixture
def vms(request: pytest.FixtureRequest) -> Iterator[Vms]:
    """The reference service, in-process, for httpx clients: fresh for every test.

    Every httpx request to ``vms.url`` (https://cloud-vms.volcengineapi.com) is answered
    by it; at teardown the test fails if any request broke the contract::

        def test_create(vms):
            client = MyClient(vms.url, vms.access_key, vms.secret_key, region=vms.region)
            vms.respond_next(code="Throttling")        # a forced answer, then the real one
            assert client.create_task(**params).task_id in vms.tasks

    Configure with ``@pytest.mark.vms(profile=..., region=..., credentials=...,
    assert_conformant=...)``; more in ``vmsspec.pytest_plugin``.
    """
    yield from _state(request.config).vms_fixture(request, in_process=True)


@pytest.fixture(scope="session")
def vms_fresh(request: pytest.FixtureRequest) -> Callable[..., AbstractContextManager[Vms]]:
    """``with vms_fresh() as vms:`` a new in-process service per block: per Hypothesis
    example with no health check to suppress (the fixture itself is session-scoped)::

        @given(body=vst.valid_bodies())
        def test_each(vms_fresh, body):
            with vms_fresh() as vms:     # keywords as @pytest.mark.vms
                MyClient(vms.url, ...).create_task(**body)

    The block's requests are checked when it ends, so a bad one fails that example.
    """
    return _state(request.config).fresh


@pytest.fixture
def vms_transport(vms: Vms) -> Any:
    """An httpx transport answered by the ``vms`` service, without respx on the path::

        def test_create(vms, vms_transport):
            client = httpx.Client(transport=vms_transport, auth=vms.auth(), base_url=vms.url)
    """
    return vms.transport()


@pytest.fixture
def vms_server(request: pytest.FixtureRequest) -> Iterator[Vms]:
    """The reference service on a real port of 127.0.0.1, for clients not built on httpx.

    One server per configuration and xdist worker, shared by the session; reset per test::

        def test_vendor_sdk(vms_server):
            sdk.service_info.host = vms_server.url.removeprefix("http://")
            sdk.create_task(params)
            assert len(vms_server.tasks) == 1
    """
    yield from _state(request.config).vms_fixture(request, in_process=False)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: fold a finished worker's coverage and report into this process's."""
    output = getattr(node, "workeroutput", {}).get("vmsspec")
    if output:
        _state(node.config).merge_worker(output)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(state_key, None)
    if state is not None:
        state.finish()
    elif config.stash[settings_key].report and not hasattr(config, "workerinput"):
        # --vms-report with no vms fixture used: an empty report, not a missing file
        open(config.stash[settings_key].report, "w").close()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(state_key, None)
    if state is not None:
        state.summary(terminalreporter)
