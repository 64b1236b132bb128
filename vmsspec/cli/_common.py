"""What every subcommand shares: the error that becomes a one-line message and exit 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "CliError", "Subparsers", "read_input"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


class CliError(Exception):
    """Unusable input or arguments: printed as one line, exit status 2."""


def read_input(source: str) -> bytes:
    """The bytes of FILE, or of standard input for ``-``."""
    if source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{source}: is a directory") from None
    except OSError as exc:
        raise CliError(f"{source}: cannot read: {exc.strerror or exc}") from None


def add_profile_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="documented",
                        help="reading of the contract: documented (default), example-compatible "
                             "or sdk-compatible (see `vmsspec errata`)")
    parser.add_argument("--disable", action="append", default=[], metavar="RULE_ID",
                        help="switch a rule off by id (repeatable; see `vmsspec rules`)")
