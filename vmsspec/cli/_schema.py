"""``vmsspec schema``: print one of the JSON Schemas, or the OpenAPI document."""

from __future__ import annotations

import argparse
import json
import sys

from .._openapi import openapi_document
from .._schemas import load_schema
from ._common import CliError

__all__ = ["register"]

_NAMES = ("request", "response", "error", "query", "metadata")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print a JSON Schema or the OpenAPI 3.1 document")
    p.add_argument("name", nargs="?", default="request", choices=_NAMES,
                   help="which schema (default: request)")
    p.add_argument("--openapi", action="store_true",
                   help="print an OpenAPI 3.1 document of the operation instead")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.openapi and args.name != "request":
        raise CliError("--openapi prints the whole operation: give no schema name with it")
    doc = openapi_document() if args.openapi else load_schema(args.name)
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return 0
