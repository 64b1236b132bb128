"""Contract-core benchmark: bytes in, Expectation out, against the floor.

Run: python bench/bench_contract.py [--quick] [--json]

Figures (issue 13), each measured side by side with its floor in one interleaved run:
- the validator on a valid 10,000-phone request (each phone with PhoneParamJson, Ext and
  TtsContent, Type 3 so the TTS rule runs too), bytes in, at most 1.6x the floor;
- the same on a one-phone request, at most 2x the floor.
The floor is what any validator built on these libraries must do: ``orjson.loads`` of the
bytes and jsonschema-rs ``is_valid`` on the result, with the very validator the contract
compiles (same schema, same profile).

Also kept from issue 2 (absolute, so they move with the machine's load): the 10,000-phone
request in at most 20 ms; the same request with 100 defects (a missing parameter and 99
phones with an over-long Ext), every defect collected, in at most 60 ms; and, reported,
the reference ``jsonschema`` alone on the 100-defect body (validation only).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

import jsonschema
import orjson
from _timing import Figure, at_most, finish, interleaved, measured, paired_ratio, quick
from _timing import stamp as machine_stamp

import vmsspec
from vmsspec.contract._validator import request_validator


def body_with_phones(n: int) -> dict[str, Any]:
    body = json.loads(vmsspec.example_bytes())
    body["Type"] = 3  # every phone carries TtsContent: the TTS rule runs too
    body["PhoneList"] = [
        {"Phone": f"138{i:08d}", "PhoneParamJson": f'{{"code":"{i}"}}', "Ext": f"order-{i}",
         "TtsContent": "您好"}
        for i in range(n)
    ]
    return body


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats (run_all --quick)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    fast = quick()
    started = machine_stamp()

    validate = request_validator()
    is_valid = validate._compiled.validator.is_valid  # the contract's own compiled schema
    loads = orjson.loads
    big, one = encoded(body_with_phones(10_000)), encoded(body_with_phones(1))
    defective_body = body_with_phones(10_000)
    del defective_body["Name"]
    for i in range(0, 9_900, 100):
        defective_body["PhoneList"][i]["Ext"] = "x" * 300
    defective = encoded(defective_body)
    for raw in (big, one):
        assert validate(raw).ok
        assert not validate(raw).fail_list
        assert is_valid(loads(raw))
    assert len(validate(defective).violations) == 100

    def pair(raw: bytes) -> dict[str, Callable[[], object]]:
        return {"validator": lambda: validate(raw), "floor": lambda: is_valid(loads(raw))}

    t10k = interleaved(pair(big), repeats=9 if fast else 31, batch=3 if fast else 5,
                       max_seconds=20 if fast else 60)
    t1 = interleaved(pair(one), repeats=9 if fast else 31, batch=500 if fast else 2000,
                     max_seconds=20 if fast else 60)
    t_defects = interleaved({"defects": lambda: validate(defective)},
                            repeats=5 if fast else 21, batch=1)
    reference = jsonschema.Draft202012Validator(vmsspec.load_schema("request"))
    t_ref = interleaved({"jsonschema": lambda: list(reference.iter_errors(defective_body))},
                        repeats=1 if fast else 3, warmup=0)

    def ms(x: Any) -> str:
        return measured(x.median, "s")

    figures = [
        Figure("validator / floor, 10,000 phones", ms(t10k["validator"]), ms(t10k["floor"]),
               paired_ratio(t10k["validator"], t10k["floor"]), at_most(1.6),
               note="floor: orjson.loads + jsonschema-rs is_valid (the contract's compiled schema)",
               spread=t10k["validator"].spread),
        Figure("validator / floor, one phone", ms(t1["validator"]), ms(t1["floor"]),
               paired_ratio(t1["validator"], t1["floor"]), at_most(2.0),
               spread=t1["validator"].spread),
        Figure("validator, 10,000 phones, absolute (issue 2 budget)", ms(t10k["validator"]),
               "20.00 ms", t10k["validator"].median / 20e-3, at_most(1.0),
               note="absolute: moves with the machine's load"),
        Figure("validator, 100 defects collected, absolute (issue 2 budget)",
               ms(t_defects["defects"]), "60.00 ms", t_defects["defects"].median / 60e-3,
               at_most(1.0), note="absolute: moves with the machine's load"),
        Figure("reference jsonschema / validator, 100 defects (validation only)",
               ms(t_ref["jsonschema"]), ms(t_defects["defects"]),
               t_ref["jsonschema"].median / t_defects["defects"].median, None,
               note="how many times slower the reference library is, parsing not counted"),
    ]
    details = {f"{size} {name}": {"median_s": x.median, "min_s": x.minimum,
                                  "repeats": len(x.samples)}
               for size, group in (("10k", t10k), ("1", t1), ("defects", t_defects))
               for name, x in group.items()}
    return finish("bench_contract.py", figures, started, details, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
