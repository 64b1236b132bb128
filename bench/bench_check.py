"""`vmsspec check` against the embedded service: the issue 11 goal is 15 s on this machine.

Run: python bench/bench_check.py [--rounds N] [--no-pytest]

Measures, each in a fresh process (what a user or CI waits for, imports included):
- cli: ``vmsspec check`` (no URL: the embedded reference service, in-process, every case
  including those with side effects);
- pytest: ``pytest --pyargs vmsspec.conformance`` (the same engine, one item per check and
  case), and the same with ``-n 2`` (pytest-xdist, ``--dist loadgroup``).
Prints the median wall time of each and the load average, since this machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_SECONDS = 15.0


def timed(argv: list[str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}"
                 f"{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-pytest", action="store_true", help="time the CLI only")
    args = parser.parse_args()
    py = sys.executable
    runs = {"cli: vmsspec check": [py, "-m", "vmsspec", "check", "--seed", "1"]}
    if not args.no_pytest:
        base = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs",
                "vmsspec.conformance", "--vms-seed", "1"]
        runs["pytest --pyargs vmsspec.conformance"] = base
        runs["pytest ... -n 2 --dist loadgroup"] = [*base, "-n", "2", "--dist", "loadgroup"]
    with tempfile.TemporaryDirectory() as cwd:  # no repository ini or conftest
        for label, argv in runs.items():
            times = [timed(argv, cwd) for _ in range(args.rounds)]
            median = statistics.median(times)
            goal = f"  (goal {GOAL_SECONDS:.0f} s: {'met' if median <= GOAL_SECONDS else 'MISSED'})"
            print(f"{label:40} median {median:6.2f} s  min {min(times):6.2f} s"
                  f"{goal if label.startswith('cli') else ''}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
