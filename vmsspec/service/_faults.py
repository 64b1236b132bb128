"""Injected faults for client retry tests: the next N calls fail or wait."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal

__all__ = ["FAULT_KINDS", "Fault", "FaultQueue"]

FaultKind = Literal["internal-error", "throttle", "latency"]
FAULT_KINDS: tuple[str, ...] = ("internal-error", "throttle", "latency")


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    latency: float = 0.0
    """Seconds to wait; for ``latency`` the request is then handled normally."""


class FaultQueue:
    """Faults applied one per incoming API call, oldest first."""

    def __init__(self) -> None:
        self._queue: deque[Fault] = deque()
        self._lock = threading.Lock()

    def inject(self, kind: str, count: int = 1, *, latency: float = 0.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if not 1 <= count <= 10_000:
            raise ValueError("count must be between 1 and 10000")
        if not 0 <= latency <= 60:
            raise ValueError("latency must be between 0 and 60 seconds")
        with self._lock:
            self._queue.extend(Fault(kind, latency) for _ in range(count))  # type: ignore[arg-type]

    def next(self) -> Fault | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def __len__(self) -> int:
        return len(self._queue)

    def __bool__(self) -> bool:
        # Read without the lock: a fault injected concurrently with a call may apply to
        # that call or the next, either is fine; the pop itself is locked.
        return bool(self._queue)
