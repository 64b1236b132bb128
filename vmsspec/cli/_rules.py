"""``vmsspec rules``: the rule catalog, one line per rule id."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from ..contract import get_profile, rules
from ._common import CliError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="list every rule id with its code and source")
    p.add_argument("--profile", default="documented")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        profile = get_profile(args.profile)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    catalog = rules(profile)
    if args.json:
        out = [{**asdict(r), "enabled": r.id not in profile.disabled} for r in catalog]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return 0
    width = max(len(r.id) for r in catalog)
    for r in catalog:
        state = "" if r.id not in profile.disabled else "  [off in this profile]"
        print(f"{r.id.ljust(width)}  {r.code:<22} {r.description}{state}")
        print(f"{'':{width}}  source: {r.source}")
    return 0
