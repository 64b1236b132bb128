"""The worked examples in examples/ run as a client author would run them (pytester).

One pytest run covers them all: the example httpx client passes every kit scenario and
its Hypothesis test; the vendor's older SDK passes all but the scenarios its example
lists as expected failures (strict: a scenario that starts passing turns this red).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from vmsspec.kit import SCENARIOS

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KIT_EXAMPLES = ("httpx_client", "vendor_sdk")


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_examples_pass_as_documented(pytester: pytest.Pytester) -> None:
    pytest.importorskip("volcengine.vms.VmsService")
    for name in KIT_EXAMPLES:
        shutil.copytree(EXAMPLES / name, pytester.path / name)
    pytester.makeini("[pytest]\nxfail_strict = true\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-rxs", "--vms-seed=10", *KIT_EXAMPLES)
    expected = set(_load(EXAMPLES / "vendor_sdk" / "test_volcengine_sdk_kit.py")
                   .EXPECTED_FAILURES)
    # httpx client: every scenario, plus the Hypothesis test; the SDK: all but `expected`
    result.assert_outcomes(passed=2 * len(SCENARIOS) + 1 - len(expected), xfailed=len(expected))
    for scenario in expected:
        result.stdout.fnmatch_lines([f"XFAIL vendor_sdk/*test_vms_kit[[]{scenario}[]]*"])
    result.stdout.fnmatch_lines(["*vmsspec contract coverage*"])


def test_a_scenario_can_be_deselected_by_name(pytester: pytest.Pytester) -> None:
    shutil.copytree(EXAMPLES / "httpx_client", pytester.path / "httpx_client")
    kit = "httpx_client/test_vms_client_kit.py"
    result = pytester.runpytest("-p", "no:cacheprovider", kit, "-k", "retries-429", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_vms_kit[[]retries-429[]] PASSED*"])
    result = pytester.runpytest("-p", "no:cacheprovider", kit, "-k", "timeout", "-v",
                                "--deselect", f"{kit}::test_vms_kit[timeout]")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_vms_kit[[]error-InternalServiceTimeout[]] PASSED*"])


def test_a_scenario_the_client_cannot_express_is_a_skip_with_its_reason(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cannot="""
        from vmsspec.kit import CannotExpress, battery

        def create_task(target, params):
            raise CannotExpress("this client has no timeout setting")

        test_vms_kit = battery(create_task, only=["timeout", "fail-list"],
                               cannot_express={"fail-list": "results carry no FailList"})
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([
        "SKIPPED*cannot express timeout: this client has no timeout setting",
        "SKIPPED*cannot express: results carry no FailList"])


def test_unknown_scenario_names_are_refused() -> None:
    from vmsspec.kit import battery

    with pytest.raises(ValueError, match=r"unknown scenario.*retries-4299"):
        battery(lambda target, params: None, expected_failures={"retries-4299": "typo"})
