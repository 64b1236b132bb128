"""The kit catches each deliberately buggy client in its own scenario, naming the bug.

Scenarios run directly as functions against the in-process service (no pytester run per
variant): the battery's pytest wiring is tested once, in test_examples.py.
"""

from __future__ import annotations

import pytest

from tests.plugin.buggy_clients import BUGS, VmsClient, adapter_for
from vmsspec.kit import SCENARIOS, ScenarioFailed, run_scenario
from vmsspec.pytest_plugin import Vms


@pytest.mark.parametrize(("variant", "scenario", "phrase"),
                         [(v, s, p) for v, (s, p) in BUGS.items()],
                         ids=[v.__name__ for v in BUGS])
def test_the_kit_names_the_bug(variant: type, scenario: str, phrase: str) -> None:
    with Vms.in_process() as vms, pytest.raises(ScenarioFailed) as failure:
        run_scenario(scenario, adapter_for(variant), vms)
    assert phrase in str(failure.value)


@pytest.mark.parametrize("scenario", sorted({s for s, _ in BUGS.values()}))
def test_the_correct_client_passes_those_scenarios(scenario: str) -> None:
    with Vms.in_process() as vms:
        run_scenario(scenario, adapter_for(VmsClient), vms)  # raises ScenarioFailed if not


def test_every_catching_scenario_exists() -> None:
    assert {s for s, _ in BUGS.values()} <= set(SCENARIOS)
