"""``vmsspec errata``: where the contract page contradicts itself, and the choices made."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import asdict

from ..contract import ERRATA

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("errata", help="list the contract page's errata and how each is handled")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json:
        out = [{**asdict(e), "handling": e.handling()} for e in ERRATA]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return 0
    wrap = textwrap.TextWrapper(width=96, initial_indent="    ", subsequent_indent="    ")
    for e in ERRATA:
        print(f"{e.number}. {e.title}")
        print(wrap.fill(e.conflict))
        print(f"    sources: {'; '.join(e.sources)}")
        print(f"    rules:   {', '.join(e.rules) if e.rules else '(none: not a body rule)'}")
        for profile, text in e.handling().items():
            print(wrap.fill(f"{profile}: {text}"))
        print()
    return 0
