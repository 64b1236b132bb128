"""The ``vmsspec`` command line. Each subcommand lives in its own module and registers
itself on the parser; this module only dispatches and turns errors into exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._common import EXIT_USAGE, CliError

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    from . import _check, _errata, _replay, _rules, _schema, _serve, _sign, _validate

    parser = argparse.ArgumentParser(
        prog="vmsspec",
        description="Contract testing for the Volcengine VMS CreateTask API (2022-01-01).",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"vmsspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in (_serve, _validate, _sign, _schema, _errata, _rules, _check, _replay):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"vmsspec: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    return code
