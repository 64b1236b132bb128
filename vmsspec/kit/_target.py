"""What a client author plugs in: an adapter, called with a Target and the task's parameters."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Call", "CannotExpress", "ClientAdapter", "ScenarioFailed", "Target"]


@dataclass(frozen=True)
class Target:
    """Where and how the client under test is to send: build the client from these.

    ``timeout``, ``backoff`` and ``max_attempts`` are what the kit asks the client to be
    configured with, so that its scenarios stay short: a client that ignores them is
    judged by what it does (a client with no timeout waits out a slow answer).
    """

    base_url: str
    access_key: str
    secret_key: str = field(repr=False)
    region: str
    timeout: float = 0.25
    """Seconds the client waits for an answer; the slow-answer scenario waits 4x this."""
    backoff: float = 0.01
    """Seconds before the first retry; a retry sooner than MIN_BACKOFF counts as none."""
    max_attempts: int = 4


ClientAdapter = Callable[[Target, Mapping[str, Any]], Any]
"""``adapter(target, params)``: create a task with the client configured for ``target``;
return what the client returns, or let the error it raises propagate. Raise
:class:`CannotExpress` for a scenario the client has no way to take part in."""


class CannotExpress(Exception):
    """Raised by an adapter: this client cannot express the scenario (reported as a skip)."""


class ScenarioFailed(AssertionError):
    """A scenario's verdict: the message names the bug."""


@dataclass(frozen=True)
class Call:
    """What one adapter call came to."""

    result: Any
    error: BaseException | None
    elapsed: float

    @classmethod
    def make(cls, adapter: ClientAdapter, target: Target, params: Mapping[str, Any]) -> Call:
        start = time.monotonic()
        try:
            result = adapter(target, params)
        except CannotExpress:
            raise
        except Exception as exc:
            return cls(None, exc, time.monotonic() - start)
        return cls(result, None, time.monotonic() - start)
