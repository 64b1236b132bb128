"""Print what the reference service answered during a run, counted by status and code.

Usage: python tally_answers.py BASE_URL. Reads ``GET /_vmsspec/exchanges`` (the control
path of ``vmsspec serve``, loopback only). Schemathesis reports one example per kind of
failure; this says how many requests got each answer, so a code hidden behind another
failure of the same kind still shows.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen


def _action(target: str) -> str:
    actions = parse_qs(urlsplit(target).query, keep_blank_values=True).get("Action")
    return "(no Action)" if not actions else ",".join(a[:20] for a in actions)


def main(base_url: str) -> int:
    with urlopen(f"{base_url}/_vmsspec/exchanges", timeout=30) as response:  # noqa: S310
        exchanges = json.load(response)
    counts = Counter((e["method"], _action(e["target"]), e["status"], e["code"] or "-")
                     for e in exchanges)
    print(f"\nAnswers of the reference service ({len(exchanges)} requests):")
    for (method, action, status, code), n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {n:6d}  {method:7s} {action!r:14s} {status}  {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
