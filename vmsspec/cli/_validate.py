"""``vmsspec validate``: what the contract expects for one request body."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._examples import example_bytes
from ..contract import Expectation, UnusableBody, parse_body, validate_request
from ._common import EXIT_INVALID, EXIT_OK, CliError, add_profile_options, read_input

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate", help="validate a CreateTask request body",
        description="Validate a CreateTask request body and print what the contract expects: "
                    "success with a FailList, or rejection with the vendor's error codes. "
                    "Exit status: 0 valid, 1 invalid, 2 unusable input.",
    )
    p.add_argument("file", nargs="?", metavar="FILE|-", help="the JSON body; - reads stdin")
    p.add_argument("--example", nargs="?", const="example-request", metavar="NAME",
                   help="validate a bundled example instead of FILE: example-request "
                        "(default) or seed-request (the contract page's own, errata included)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each rule's source")
    add_profile_options(p)
    p.set_defaults(func=run)


def _load(args: argparse.Namespace) -> tuple[str, Any]:
    if args.example is not None and args.file is not None:
        raise CliError("give either FILE or --example, not both")
    if args.example is not None:
        try:
            raw, label = example_bytes(args.example), f"example {args.example}"
        except KeyError as exc:
            raise CliError(exc.args[0]) from None
    elif args.file is not None:
        raw, label = read_input(args.file), ("stdin" if args.file == "-" else args.file)
    else:
        raise CliError("give a FILE, - for standard input, or --example")
    try:
        body = parse_body(raw)
    except UnusableBody as exc:
        raise CliError(f"{label}: {exc}") from None
    if not isinstance(body, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(body), "a number")
        raise CliError(f"{label}: the body is {kind}, not a JSON object")
    return label, body


def _as_json(expectation: Expectation) -> str:
    return json.dumps({
        "valid": expectation.ok,
        "status": expectation.status,
        "violations": [v.as_dict() for v in expectation.violations],
        "fail_list": [
            {"Index": f.index, "Phone": f.phone, "Type": f.type} for f in expectation.fail_list
        ],
    }, ensure_ascii=False)


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _as_text(label: str, expectation: Expectation, verbose: bool) -> str:
    lines = []
    if expectation.ok:
        lines.append(f"{label}: valid under profile {expectation.profile} (HTTP 200)")
        if expectation.fail_list:
            lines.append(f"FailList ({len(expectation.fail_list)}):")
            rows = [["Index", "Phone", "Type", "Rule"]] + [
                [str(f.index), f.phone, f.type, f.rule] for f in expectation.fail_list
            ]
            lines.append(_table(rows))
        return "\n".join(lines)
    n = len(expectation.violations)
    lines.append(f"{label}: invalid under profile {expectation.profile} "
                 f"(HTTP {expectation.status}), {n} violation{'s' if n != 1 else ''}")
    header = ["Code", "Parameter", "Rule", "Detail"] + (["Source"] if verbose else [])
    rows = [header]
    for v in expectation.violations:
        rows.append([v.code, v.parameter, v.rule, v.detail] + ([v.source] if verbose else []))
    lines.append(_table(rows))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    label, body = _load(args)
    try:
        expectation = validate_request(body, args.profile, disable=args.disable)
    except ValueError as exc:  # unknown profile or rule id
        raise CliError(str(exc)) from None
    out = _as_json(expectation) if args.json else _as_text(label, expectation, args.verbose)
    sys.stdout.write(out + "\n")
    return EXIT_OK if expectation.ok else EXIT_INVALID
