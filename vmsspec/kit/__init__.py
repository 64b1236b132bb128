"""The client kit: a ready-made battery every correct CreateTask client passes.

A client author writes one adapter, ``adapter(target, params)``: build the client for
``target`` (base URL, credentials, region, timeout, backoff), create a task from
``params`` and return what the client returns (or let its error propagate)::

    from vmsspec.kit import battery

    def create_task(target, params):
        client = MyClient(target.base_url, target.access_key, target.secret_key,
                          region=target.region, timeout=target.timeout,
                          backoff=target.backoff)
        return client.create_task(**params)

    test_vms_kit = battery(create_task)          # pytest collects one item per scenario

``pytest -k 'vms_kit and not timeout'`` deselects a scenario by name;
``battery(..., expected_failures={"retries-429": "no retries yet"})`` records a known
gap as a strict xfail; an adapter raises ``CannotExpress(why)`` (or passes
``cannot_express={...}``) for a scenario its client cannot take part in: a skip with
the reason, never a silent pass. ``battery(..., server=True)`` runs it against the
real-port ``vms_server`` for clients not built on httpx. ``SCENARIOS`` lists them all.
"""

from ._battery import battery, run_battery, run_scenario
from ._scenarios import MAX_ATTEMPTS, MIN_BACKOFF, SCENARIOS, Context, Scenario
from ._target import Call, CannotExpress, ClientAdapter, ScenarioFailed, Target

__all__ = [
    "MAX_ATTEMPTS",
    "MIN_BACKOFF",
    "SCENARIOS",
    "Call",
    "CannotExpress",
    "ClientAdapter",
    "Context",
    "Scenario",
    "ScenarioFailed",
    "Target",
    "battery",
    "run_battery",
    "run_scenario",
]
