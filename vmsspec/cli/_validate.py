"""``vmsspec validate``: what the contract expects for one request body, or whether a
response body has the envelope its status calls for (``--response``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._examples import example_bytes
from ..contract import Expectation, UnusableBody, parse_body, validate_request
from ..contract._responses import ResponseFinding, check_response
from ._common import EXIT_INVALID, EXIT_OK, CliError, add_profile_options, read_input

# A table cell longer than this is cut with an ellipsis: a jsonschema message quotes the
# value it is about, which for a 10,001-phone list is a quarter of a megabyte on one line.
# --json keeps the whole text.
CELL_LIMIT = 120

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
                        "(default), seed-request (the contract page's own, errata included) "
                        "or seed-response (checked as a response)")
    p.add_argument("--response", action="store_true",
                   help="FILE is a response body: check it against the success envelope "
                        "(status 200) or the error envelope (any other status)")
    p.add_argument("--status", type=int, metavar="N",
                   help="with --response: the HTTP status it came with (default: 200, or 400 "
                        "when the body carries ResponseMetadata.Error)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each rule's source")
    add_profile_options(p)
    p.set_defaults(func=run)


def _load(args: argparse.Namespace) -> tuple[str, Any]:
    body: Any
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
    if _is_response(args):
        return label, body
    if not isinstance(body, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(body), "a number")
        raise CliError(f"{label}: the body is {kind}, not a JSON object")
    return label, body


def _is_response(args: argparse.Namespace) -> bool:
    return bool(args.response) or (args.example or "").endswith("-response")


def _as_json(expectation: Expectation) -> str:
    return json.dumps({
        "valid": expectation.ok,
        "status": expectation.status,
        "violations": [{**v.as_dict(), "detail": v.detail} for v in expectation.violations],
        "fail_list": [
            {"Index": f.index, "Phone": f.phone, "Type": f.type} for f in expectation.fail_list
        ],
    }, ensure_ascii=False)


def _cell(text: str) -> str:
    """One line, at most CELL_LIMIT characters, an ellipsis where it was cut."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= CELL_LIMIT else one_line[:CELL_LIMIT - 1] + "…"


def _table(rows: list[list[str]]) -> str:
    rows = [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _as_text(label: str, expectation: Expectation, verbose: bool) -> str:
    lines = []
    if expectation.ok and expectation.dry_run:
        lines.append(f"{label}: valid under profile {expectation.profile}, and a dry run: "
                     f"HTTP {expectation.status} DryRunOperation, nothing is created")
    elif expectation.ok:
        lines.append(f"{label}: valid under profile {expectation.profile} "
                     f"(HTTP {expectation.status})")
    if expectation.ok:
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


def _response_status(args: argparse.Namespace, body: Any) -> int:
    if args.status is not None:
        if not 100 <= args.status <= 599:
            raise CliError(f"--status {args.status}: an HTTP status is 100 to 599")
        return int(args.status)
    meta = body.get("ResponseMetadata") if isinstance(body, dict) else None
    return 400 if isinstance(meta, dict) and "Error" in meta else 200


def _run_response(args: argparse.Namespace, label: str, body: Any) -> int:
    status = _response_status(args, body)
    findings: list[ResponseFinding] = check_response(status, body)
    envelope = "success" if status == 200 else "error"
    if args.json:
        out = json.dumps({
            "valid": not findings, "status": status, "envelope": envelope,
            "findings": [{"pointer": f.pointer, "rule": f.rule, "message": f.message}
                         for f in findings],
        }, ensure_ascii=False)
    elif not findings:
        out = f"{label}: a valid {envelope} response (HTTP {status})"
    else:
        n = len(findings)
        rows = [["Pointer", "Rule", "Detail"]] + [[f.pointer, f.rule, f.message]
                                                  for f in findings]
        out = (f"{label}: not a valid {envelope} response (HTTP {status}), "
               f"{n} finding{'s' if n != 1 else ''}\n{_table(rows)}")
    sys.stdout.write(out + "\n")
    return EXIT_INVALID if findings else EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.status is not None and not _is_response(args):
        raise CliError("--status goes with --response (a request's status is the contract's)")
    if _is_response(args) and (args.disable or args.profile != "documented"):
        raise CliError("--profile and --disable apply to requests, not to --response")
    label, body = _load(args)
    if _is_response(args):
        return _run_response(args, label, body)
    try:
        expectation = validate_request(body, args.profile, disable=args.disable)
    except ValueError as exc:  # unknown profile or rule id
        raise CliError(str(exc)) from None
    out = _as_json(expectation) if args.json else _as_text(label, expectation, args.verbose)
    sys.stdout.write(out + "\n")
    return EXIT_OK if expectation.ok else EXIT_INVALID
