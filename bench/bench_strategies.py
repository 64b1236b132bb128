"""Strategy benchmark: valid CreateTask bodies per second, vmsspec vs hypothesis-jsonschema.

Run: python bench/bench_strategies.py [--rounds N] [--examples N] [--hjs-examples N]
                                      [--no-hjs] [--profile] [--json]

Each round runs a ``@given`` test (generate phase only, no database, no deadline) for
``--examples`` examples and counts the calls; the figure is the median rate over the
rounds. The body strategy is ``vmsspec.strategies.valid_bodies()`` with its default
size distribution; the test body only takes ``len(PhoneList)`` so that generation is
what is measured.

hypothesis-jsonschema 0.23.1 breaks with Hypothesis >= 6.170.10, so it runs in its own
virtual environment, ``bench/.venv-hjs`` (created by ``--setup-comparison``, pinned;
the project's own environment is never pinned), on the request schema converted to
draft 7 (see ``draft7``). It runs in the same invocation, as a subprocess.

Goals: at least 300 valid bodies/s (issue 5), and at least 30 times hypothesis-jsonschema
(issue 13; issue 5 asked 15). The two run one after the other in the same invocation, not
interleaved: hypothesis-jsonschema needs its own environment, and a round of it takes
seconds, so the ratio is of the two medians, each of rates by thread CPU time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parent / "schemas" / "create-task-request.json"
HJS_VENV = HERE / ".venv-hjs"
HJS_REQUIREMENTS = ("hypothesis<6.170.10", "hypothesis-jsonschema==0.23.1")
GOAL_RATE = 300.0
GOAL_RATIO = 30.0


def measure(strategy: Any, examples: int, sink: Callable[[Any], None], round_no: int = 0) -> float:
    """Examples per second of one ``@given`` run over ``strategy``, seeded by ``round_no``:
    the rate depends on the sizes drawn (a 10,000-phone body costs a thousand small ones),
    so an unseeded run's rate moved by a third from one invocation to the next."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    calls = 0

    # Health checks stay on except too_slow: hypothesis-jsonschema trips it on this
    # schema and the point here is to time it, not to judge it.
    @settings(max_examples=examples, database=None, deadline=None, phases=(Phase.generate,),
              suppress_health_check=(HealthCheck.too_slow,))
    @seed(round_no)
    @given(strategy)
    def run(value: Any) -> None:
        nonlocal calls
        calls += 1
        sink(value)

    # CPU time, as the other benches take (bench/README.md, "Method"): the two sides run
    # one after the other, and elapsed time charged each the machine's load of its own
    # minutes (the ratio read 19x to 52x within ten minutes on this 2-core machine).
    start = time.thread_time()
    run()
    return calls / (time.thread_time() - start)


def draft7(node: Any) -> Any:
    """The request schema declared as draft 7: ``$defs`` -> ``definitions``, refs rewritten.

    The x-* annotations are left in (validators and hypothesis-jsonschema ignore
    unknown keywords); the schema uses no keyword whose meaning differs between
    2020-12 and draft 7 (no prefixItems, unevaluated*, $dynamicRef, dependentSchemas).
    """
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$defs":
                key = "definitions"
            if key == "$ref" and isinstance(value, str):
                value = value.replace("#/$defs/", "#/definitions/")
            out[key] = draft7(value)
        if out.get("$schema"):
            out["$schema"] = "http://json-schema.org/draft-07/schema#"
        return out
    if isinstance(node, list):
        return [draft7(v) for v in node]
    return node


def hjs_worker(rounds: int, examples: int, samples: int) -> None:
    """Runs inside bench/.venv-hjs: prints the rates and a sample of bodies as JSON."""
    import hypothesis
    import hypothesis_jsonschema
    from hypothesis_jsonschema import from_schema

    schema = draft7(json.loads(SCHEMA.read_text(encoding="utf-8")))
    strategy = from_schema(schema)
    kept: list[Any] = []

    def keep(body: Any) -> None:
        if len(kept) < samples:
            kept.append(body)

    measure(strategy, 5, keep)  # warm-up: canonicalising the schema takes a while
    rates = [measure(strategy, examples, keep, r) for r in range(rounds)]
    print(json.dumps({
        "rates": rates,
        "hypothesis": hypothesis.__version__,
        "hypothesis_jsonschema": getattr(hypothesis_jsonschema, "__version__", "0.23.1"),
        "sample": kept,
    }))


def setup_hjs_venv() -> None:
    """The one step that downloads (from the package index): the benchmark runs offline."""
    python = HJS_VENV / "bin" / "python"
    print(f"creating {HJS_VENV} with {' '.join(HJS_REQUIREMENTS)} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(HJS_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *HJS_REQUIREMENTS],
                   check=True)


def run_hjs(rounds: int, examples: int) -> dict[str, Any]:
    python = HJS_VENV / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"bench_strategies: no comparison environment at {HJS_VENV}: run "
                         "`python bench/bench_strategies.py --setup-comparison` once "
                         "(downloads the pinned packages), or pass --no-hjs")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--hjs-worker", "--rounds", str(rounds),
         "--hjs-examples", str(examples)],
        capture_output=True, text=True, check=True, env=env, cwd=str(HERE),
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=None, help="default 5 (--quick: 3)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (run_all --quick)")
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--hjs-examples", type=int, default=100)
    parser.add_argument("--no-hjs", action="store_true")
    parser.add_argument("--setup-comparison", action="store_true",
                        help="create bench/.venv-hjs (pinned hypothesis-jsonschema) and exit")
    parser.add_argument("--profile", action="store_true",
                        help="print where one round of valid_bodies() spends its time")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hjs-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rounds is None:
        from _timing import quick  # stdlib only: also importable in the comparison venv

        args.rounds = 3 if quick() else 5
    if args.hjs_worker:
        hjs_worker(args.rounds, args.hjs_examples, samples=200)
        return 0
    if args.setup_comparison:
        setup_hjs_venv()
        return 0

    import hypothesis
    import jsonschema
    from _timing import Figure, at_least, finish, measured
    from _timing import stamp as machine_stamp

    import vmsspec
    from vmsspec import strategies as vst
    from vmsspec.strategies._spec import spec_for
    from vmsspec.strategies._valid import BodyBuilder

    started = machine_stamp()
    sizes: list[int] = []
    sample: list[Any] = []

    def record(body: dict[str, Any]) -> None:
        sizes.append(len(body.get("PhoneList", ())) if "PhoneList" in body else -1)
        if len(sample) < 200:
            sample.append(body)

    strategy = vst.valid_bodies()
    measure(strategy, 50, lambda _: None)  # warm-up: imports, catalog, compiled regexes
    ours = [measure(strategy, args.examples, record, r) for r in range(args.rounds)]
    # The same six draws with no body built: what the Hypothesis engine alone allows.
    draws = BodyBuilder(spec_for("documented")).draws()
    engine = [measure(draws, args.examples, lambda _: None, r) for r in range(args.rounds)]

    reference = jsonschema.Draft202012Validator(vmsspec.load_schema("request"))

    def share_valid(bodies: list[Any]) -> dict[str, float]:
        return {
            "json_schema": sum(reference.is_valid(b) for b in bodies) / len(bodies),
            "contract": sum(vmsspec.validate_request(b).ok for b in bodies) / len(bodies),
        }

    present = [s for s in sizes if s >= 0]
    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "hypothesis": hypothesis.__version__,
        "vmsspec_rates": ours,
        "vmsspec_median": statistics.median(ours),
        "engine_only_median": statistics.median(engine),
        "vmsspec_valid_share": share_valid(sample),
        "phone_list": {
            "bodies": len(sizes),
            "present_share": len(present) / len(sizes),
            "median": statistics.median(present),
            "mean": statistics.fmean(present),
            "p90": percentile(present, 0.9),
            "p99": percentile(present, 0.99),
            "max": max(present),
            "at_least_1000": sum(s >= 1000 for s in present),
            "at_10000": sum(s == 10_000 for s in present),
        },
    }
    if not args.no_hjs:
        hjs = run_hjs(args.rounds, args.hjs_examples)
        results["hjs_versions"] = {"hypothesis": hjs["hypothesis"],
                                   "hypothesis_jsonschema": hjs["hypothesis_jsonschema"]}
        results["hjs_rates"] = hjs["rates"]
        results["hjs_median"] = statistics.median(hjs["rates"])
        results["hjs_valid_share"] = share_valid(hjs["sample"])
        results["ratio"] = results["vmsspec_median"] / results["hjs_median"]

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        measure(strategy, args.examples, lambda _: None)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        results["profile"] = text.getvalue()

    if not args.json:
        pl = results["phone_list"]
        print(f"Python {results['python']}, Hypothesis {results['hypothesis']}")
        print(f"vmsspec valid_bodies()        rounds {[round(r) for r in ours]}")
        print(f"  engine alone, same draws    median {results['engine_only_median']:7.1f} /s")
        print(f"  valid (JSON Schema, contract): {results['vmsspec_valid_share']}")
        print(f"  PhoneList over {pl['bodies']} bodies: present {pl['present_share']:.0%}, "
              f"median {pl['median']}, mean {pl['mean']:.0f}, p90 {pl['p90']}, "
              f"p99 {pl['p99']}, max {pl['max']}, >= 1000: {pl['at_least_1000']}, "
              f"= 10000: {pl['at_10000']}")
        if "hjs_median" in results:
            print(f"hypothesis-jsonschema         rounds"
                  f" {[round(r, 1) for r in results['hjs_rates']]}  ({results['hjs_versions']})")
            print(f"  valid (JSON Schema, contract): {results['hjs_valid_share']}")
        if args.profile:
            print(results["profile"])
    rate = results["vmsspec_median"]
    figures = [Figure("valid_bodies() generation rate (issue 5 budget)",
                      measured(rate, "bodies/s"), measured(GOAL_RATE, "bodies/s"),
                      rate / GOAL_RATE, at_least(1.0),
                      note="absolute: moves with the machine's load")]
    if "ratio" in results:
        figures.append(Figure(
            "valid_bodies() / hypothesis-jsonschema from_schema(), bodies/s",
            measured(rate, "bodies/s"), measured(results["hjs_median"], "bodies/s"),
            results["ratio"], at_least(GOAL_RATIO),
            note=f"hypothesis-jsonschema's bodies: contract-valid "
                 f"{results['hjs_valid_share']['contract']:.0%}; ours "
                 f"{results['vmsspec_valid_share']['contract']:.0%}"))
    results.pop("profile", None)
    return finish("bench_strategies.py", figures, started, results, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
