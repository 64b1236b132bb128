"""The kit as pytest sees it: ``test_vms_kit = battery(adapter)``, one item per scenario."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from ..pytest_plugin._vms import Vms
from ._scenarios import SCENARIOS, Context
from ._target import CannotExpress, ClientAdapter, ScenarioFailed, Target

__all__ = ["battery", "run_battery", "run_scenario"]


def _target(vms: Vms, **options: Any) -> Target:
    return Target(vms.url, vms.access_key, vms.secret_key, vms.region, **options)


def run_scenario(name: str, adapter: ClientAdapter, vms: Vms, *, seed: int = 0,
                 examples: int = 10, **target_options: Any) -> None:
    """Run one scenario against ``vms`` (fresh state first); raise ScenarioFailed or return.

    ``CannotExpress`` from the adapter propagates: the caller decides how to report it.
    """
    __tracebackhide__ = True
    scenario = SCENARIOS[name]
    vms.check_at_teardown = False  # the kit judges requests itself, scenario by scenario
    vms.reset()
    scenario.run(Context(vms, adapter, _target(vms, **target_options), seed, examples))


def run_battery(adapter: ClientAdapter, vms: Vms, names: Iterable[str] | None = None,
                **options: Any) -> dict[str, str | None]:
    """Every scenario's verdict: None passed, else the failure (or cannot-express) message."""
    verdicts: dict[str, str | None] = {}
    for name in names if names is not None else SCENARIOS:
        try:
            run_scenario(name, adapter, vms, **options)
        except ScenarioFailed as failure:
            verdicts[name] = str(failure)
        except CannotExpress as reason:
            verdicts[name] = f"cannot express: {reason}"
        else:
            verdicts[name] = None
    return verdicts


def _check_names(kind: str, names: Iterable[str]) -> None:
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise ValueError(f"battery({kind}=...) names unknown scenario(s) {', '.join(unknown)}; "
                         f"known: {', '.join(SCENARIOS)}")


def battery(adapter: ClientAdapter, *, server: bool = False,
            only: Iterable[str] | None = None,
            expected_failures: Mapping[str, str] | None = None,
            cannot_express: Mapping[str, str] | None = None,
            examples: int = 10, **target_options: Any) -> Callable[..., None]:
    """A pytest test function, one parametrized item per scenario: ``test_x[retries-429]``.

    ``server``: run against ``vms_server`` (a real port) instead of the in-process ``vms``.
    ``only``: the scenarios to run (deselect others with ``-k 'not timeout'`` too).
    ``expected_failures``: scenario -> why; strict xfail, so a fixed client turns it red.
    ``cannot_express``: scenario -> why the client cannot take part; reported as a skip.
    ``examples``: Hypothesis examples for ``sends-generated``. Other keywords go to the
    :class:`Target` (``timeout``, ``backoff``, ``max_attempts``).
    """
    names = list(only) if only is not None else list(SCENARIOS)
    expected = dict(expected_failures or {})
    skipped = dict(cannot_express or {})
    for kind, chosen in (("only", names), ("expected_failures", expected),
                         ("cannot_express", skipped)):
        _check_names(kind, chosen)
    params = []
    for name in names:
        marks: list[Any] = []
        if name in expected:
            marks.append(pytest.mark.xfail(reason=expected[name], strict=True,
                                           raises=ScenarioFailed))
        if name in skipped:
            marks.append(pytest.mark.skip(reason=f"cannot express: {skipped[name]}"))
        params.append(pytest.param(name, id=name, marks=marks))

    @pytest.mark.parametrize("vms_kit_scenario", params)
    def test_vms_kit(vms_kit_scenario: str, request: pytest.FixtureRequest) -> None:
        __tracebackhide__ = True
        from _vmsspec_pytestplugin import settings_key

        vms: Vms = request.getfixturevalue("vms_server" if server else "vms")
        try:
            run_scenario(vms_kit_scenario, adapter, vms, seed=request.config.stash[
                settings_key].seed, examples=examples, **target_options)
        except CannotExpress as reason:
            pytest.skip(f"cannot express {vms_kit_scenario}: {reason}")

    test_vms_kit.__doc__ = f"The vmsspec client kit: {len(names)} scenarios."
    return test_vms_kit
