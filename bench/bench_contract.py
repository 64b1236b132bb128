"""Contract-core benchmark: bytes in, expected outcome out.

Run: python bench/bench_contract.py [--rounds N] [--json]

Cases (goals from issue 2):
- valid-10k: a valid 10,000-phone request (each phone with PhoneParamJson and Ext),
  median at most 20 ms;
- defects-100: the same request with 100 defects (a missing parameter and 99 phones
  with an over-long Ext), every defect collected, median at most 60 ms;
- small: the bundled example request.
Also, for comparison on the same bodies: the reference ``jsonschema`` library alone
(validation only, no parsing) on the 100-defect body.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import jsonschema

import vmsspec


def body_with_phones(n: int) -> dict[str, Any]:
    body = json.loads(vmsspec.example_bytes())
    body["Type"] = 3  # every phone carries TtsContent: the TTS rule runs too
    body["PhoneList"] = [
        {"Phone": f"138{i:08d}", "PhoneParamJson": f'{{"code":"{i}"}}', "Ext": f"order-{i}",
         "TtsContent": "您好"}
        for i in range(n)
    ]
    return body


def timed(fn: Callable[[], object], rounds: int) -> dict[str, float]:
    fn()  # warm caches (compiled validators, regexes)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return {"median_ms": statistics.median(samples) * 1000, "min_ms": min(samples) * 1000,
            "rounds": rounds}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    valid = json.dumps(body_with_phones(10_000), ensure_ascii=False).encode()
    defective_body = body_with_phones(10_000)
    del defective_body["Name"]
    for i in range(0, 9_900, 100):
        defective_body["PhoneList"][i]["Ext"] = "x" * 300
    defective = json.dumps(defective_body, ensure_ascii=False).encode()
    small = vmsspec.example_bytes()

    assert vmsspec.validate_request(valid).ok
    assert len(vmsspec.validate_request(defective).violations) == 100

    reference = jsonschema.Draft202012Validator(vmsspec.load_schema("request"))
    results = {
        "valid-10k": timed(lambda: vmsspec.validate_request(valid), args.rounds),
        "defects-100": timed(lambda: vmsspec.validate_request(defective), args.rounds),
        "small": timed(lambda: vmsspec.validate_request(small), args.rounds * 20),
        "jsonschema-reference-defects-100": timed(
            lambda: list(reference.iter_errors(defective_body)), max(3, args.rounds // 10)),
    }
    goals = {"valid-10k": 20.0, "defects-100": 60.0}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, r in results.items():
            goal = f"  (goal <= {goals[name]:.0f} ms)" if name in goals else ""
            print(f"{name:36} median {r['median_ms']:8.2f} ms  min {r['min_ms']:8.2f} ms"
                  f"  n={r['rounds']}{goal}")
    missed = [n for n, g in goals.items() if results[n]["median_ms"] > g]
    if missed:
        print(f"goal missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
