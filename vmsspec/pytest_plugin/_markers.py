"""Markers to settings: ``@pytest.mark.vms(...)`` (closest wins) and ``vms_respond`` (all apply).

As in pytest-httpx, the closest ``vms`` marker decides alone: a function's marker replaces
its class's and its module's (``pytestmark``) entirely, keywords are not merged, so what a
test runs with can be read in one place. Unset keywords take the run's options.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ._vms import VmsConfig, format_credentials

if TYPE_CHECKING:  # pragma: no cover - types only
    from _vmsspec_pytestplugin import Settings

__all__ = ["config_for", "forced_answers", "make_config"]

_VMS_KEYWORDS = frozenset({"profile", "region", "regions", "credentials", "assert_conformant",
                           "assert_forced_consumed", "host"})
_RESPOND_KEYWORDS = frozenset({"code", "parameter", "status", "gateway_502", "drop", "delay",
                               "fail_items", "count", "when"})


def _refuse(where: str, unknown: set[str], known: frozenset[str]) -> None:
    __tracebackhide__ = True
    pytest.fail(f"{where} got unknown keyword(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}", pytrace=False)


def config_for(node: pytest.Item, settings: Settings) -> VmsConfig:
    """The configuration of the vms fixtures for ``node``: its closest ``vms`` marker."""
    marker = node.get_closest_marker("vms")
    if marker is not None and marker.args:
        pytest.fail("@pytest.mark.vms takes keywords only, e.g. vms(profile=...)", pytrace=False)
    return make_config(dict(marker.kwargs) if marker is not None else {}, settings, "mark.vms")


def make_config(kwargs: dict[str, Any], settings: Settings, where: str) -> VmsConfig:
    """``kwargs`` (a marker's, or ``vms_fresh(...)``'s) over the run's options."""
    unknown = set(kwargs) - _VMS_KEYWORDS
    if unknown:
        _refuse(where, unknown, _VMS_KEYWORDS)
    config: dict[str, Any] = {"profile": settings.profile, "region": settings.region}
    config.update(kwargs)
    if "credentials" in config:
        config["credentials"] = format_credentials(config["credentials"])
    if "regions" in config:
        config["regions"] = tuple(config["regions"])
    try:
        from ..contract import get_profile

        get_profile(config["profile"])
    except ValueError as exc:
        pytest.fail(f"vms: {exc}", pytrace=False)
    return VmsConfig(**config)


def forced_answers(node: pytest.Item) -> Iterator[dict[str, Any]]:
    """Every ``vms_respond`` marker's keywords, module first, then class, then the function's
    in reading order (pytest lists the closest node first, a node's own bottom-up)."""
    for marker in reversed(list(node.iter_markers("vms_respond"))):
        kwargs = dict(marker.kwargs)
        if marker.args:
            kwargs.setdefault("code", marker.args[0])
        unknown = set(kwargs) - _RESPOND_KEYWORDS
        if unknown:
            _refuse("mark.vms_respond", unknown, _RESPOND_KEYWORDS)
        yield kwargs
