"""The timing helper every bench script shares: interleaved repeats, medians, one verdict.

Method (bench/README.md, "Method"): the callables of one comparison are timed in the
same run, one batch of each in turn per repeat, the order rotated every repeat, so that
a load change on the machine (2 cores, shared) hits every callable alike. A figure is the
median over the repeats; a ratio is the median of the per-repeat ratios of neighbouring
batches (paired), which a busy neighbour disturbs far less than a ratio of two medians.
The spread printed is the interquartile range of the per-repeat values, relative to the
median. The garbage collector is off within a timed batch (as in ``timeit``), and a
batch is timed by the thread's CPU time, not the elapsed time (see CLOCKS).

Each script ends with :func:`finish`: it prints the figures, appends them as JSON to the
file named by ``VMSSPEC_BENCH_OUT`` (how ``run_all.py`` collects them), and returns 1 with
``goal missed: ...`` on stderr when any goal is missed, else 0.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "Figure",
    "Timing",
    "at_least",
    "at_most",
    "finish",
    "interleaved",
    "measured",
    "paired_ratio",
    "quick",
    "stamp",
]

OUT_ENV = "VMSSPEC_BENCH_OUT"
QUICK_ENV = "VMSSPEC_BENCH_QUICK"


def quick() -> bool:
    """``--quick`` on the command line or VMSSPEC_BENCH_QUICK=1 (set by run_all.py --quick)."""
    return "--quick" in sys.argv[1:] or os.environ.get(QUICK_ENV) == "1"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def stamp() -> dict[str, Any]:
    """Machine, date (UTC) and load average: recorded with every figure."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "machine": f"{platform.node()}, {_cpu_model()}, {os.cpu_count()} cores,"
                   f" Python {platform.python_version()}",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load": load,
    }


@dataclass
class Timing:
    """Per-call seconds of one callable, one value per repeat."""

    name: str
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        """Interquartile range over the median (0.05 = the middle half within 5%)."""
        if len(self.samples) < 4:
            return (max(self.samples) - min(self.samples)) / self.median
        q = statistics.quantiles(self.samples, n=4)
        return (q[2] - q[0]) / self.median

    @property
    def minimum(self) -> float:
        return min(self.samples)


# On a shared machine a process waits for a core now and then; elapsed time charges that
# wait to whichever batch it fell in, and a long batch collects more of it than a short
# one, which biases a ratio of a slow case to a fast one upward. The thread's CPU time
# leaves the waits out, so it is the default for in-process work (no I/O, no sleeping,
# no other thread doing the work). Real-port figures time their servers differently
# (bench_serve.py: requests/s from wrk and the server's CPU time from /proc).
CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.thread_time, "wall": time.perf_counter}


def interleaved(
    cases: Mapping[str, Callable[[], object]],
    *,
    repeats: int,
    batch: int = 1,
    warmup: int = 1,
    setup: Mapping[str, Callable[[int], object]] | None = None,
    max_seconds: float | None = None,
    clock: str = "cpu",
) -> dict[str, Timing]:
    """Time every case ``batch`` calls at a time, all cases in turn, ``repeats`` times.

    ``setup[name](batch)`` runs untimed before each of that case's batches (to prepare
    fresh inputs, reset state). ``warmup`` untimed rounds come first. ``max_seconds``
    bounds the whole measurement in wall time (at least 3 repeats are kept): each bench
    stops by itself. ``clock="cpu"`` (the default) times the calling thread's CPU time,
    ``"wall"`` the elapsed time: see CLOCKS.
    """
    names = list(cases)
    setup = setup or {}
    timings = {name: Timing(name) for name in names}
    perf = CLOCKS[clock]
    started = time.perf_counter()
    for r in range(warmup + repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            fn = cases[name]
            prepare = setup.get(name)
            if prepare is not None:
                prepare(batch)
            # As timeit does: a collection triggered by one case's garbage must not be
            # charged to whichever case happens to run next.
            gc.disable()
            try:
                t0 = perf()
                for _ in range(batch):
                    fn()
                elapsed = perf() - t0
            finally:
                gc.enable()
            if r >= warmup:
                timings[name].samples.append(elapsed / batch)
        if (max_seconds is not None and r >= warmup + 2
                and time.perf_counter() - started > max_seconds):
            break
    return timings


def paired_ratio(ours: Timing, reference: Timing) -> float:
    """Median of the per-repeat ratios ours / reference (the batches ran side by side)."""
    return statistics.median(a / b for a, b in zip(ours.samples, reference.samples, strict=True))


@dataclass
class Goal:
    op: str  # "<=" or ">="
    limit: float

    def met(self, ratio: float) -> bool:
        return ratio <= self.limit if self.op == "<=" else ratio >= self.limit

    def __str__(self) -> str:
        return f"{self.op} {self.limit:g}x"


def at_most(limit: float) -> Goal:
    return Goal("<=", limit)


def at_least(limit: float) -> Goal:
    return Goal(">=", limit)


@dataclass
class Figure:
    """One line of RESULTS.md: what was compared, both values, the ratio, the verdict.

    ``goal`` None: measured and reported, not judged (e.g. a figure another helper owns).
    """

    figure: str
    ours: str
    reference: str
    ratio: float
    goal: Goal | None = None
    note: str = ""
    spread: float | None = None

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.goal.met(self.ratio)

    def as_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["goal"] = "" if self.goal is None else str(self.goal)
        doc["met"] = self.met
        return doc


def measured(value: float, unit: str) -> str:
    """A value with a sensible number of digits: 12.3 us, 1.23 ms, 1,234 req/s."""
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.1f} µs"
        if value < 1:
            return f"{value * 1e3:.2f} ms"
        return f"{value:.2f} s"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.1f} {unit}"


def finish(script: str, figures: Sequence[Figure], started: Mapping[str, Any],
           details: Mapping[str, Any] | None = None, *, as_json: bool = False) -> int:
    """Print the figures, hand them to run_all.py, and give the exit status.

    ``started`` is the :func:`stamp` taken before measuring (its load is the one that
    matters most); the stamp at the end is recorded beside it.
    """
    ended = stamp()
    record = {"script": script, "started": dict(started), "ended": ended,
              "figures": [f.as_dict() for f in figures], "details": dict(details or {})}
    out = os.environ.get(OUT_ENV)
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    if as_json:
        print(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        print(f"{script}: {started['machine']}; {started['date']};"
              f" load {started['load']} -> {ended['load']}")
        for f in figures:
            verdict = "" if f.met is None else ("  met" if f.met else "  MISSED")
            spread = "" if f.spread is None else f"  (spread {f.spread:.0%})"
            goal = f"  goal {f.goal}" if f.goal is not None else "  (measured)"
            print(f"  {f.figure}: {f.ours} vs {f.reference} = {f.ratio:.2f}x{goal}"
                  f"{verdict}{spread}")
            if f.note:
                print(f"      {f.note}")
    missed = [f.figure for f in figures if f.met is False]
    if missed:
        print(f"goal missed: {'; '.join(missed)}", file=sys.stderr)
        return 1
    return 0
