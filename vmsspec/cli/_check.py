"""``vmsspec check [URL]``: a conformance run against the embedded service or an endpoint."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..conformance._engine import RunOptions, TargetUnusable, checks_listing, run
from ..contract import get_profile
from ..signing import Credentials, CredentialsError
from ._common import EXIT_OK, EXIT_USAGE, CliError

__all__ = ["options_from_args", "register"]


def _csv(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check", help="run the conformance checks against a CreateTask endpoint",
        description="Check a CreateTask endpoint against the contract. Without URL: the "
                    "embedded reference service, in-process (it must pass). With URL: safe "
                    "by default (DryRun-guarded, nothing that creates a task on a conformant "
                    "server); credentials from VOLC_ACCESSKEY, VOLC_SECRETKEY and the optional "
                    "VOLC_SESSION_TOKEN. Exit status: 0 conformant, 1 findings, 2 usage error "
                    "or endpoint unusable.",
    )
    p.add_argument("url", nargs="?", metavar="URL",
                   help="base URL of the endpoint, e.g. https://staging.example.com")
    p.add_argument("--list", action="store_true", help="list the checks, one a line, and exit")
    p.add_argument("--region", default="cn-beijing",
                   help="credential-scope region to sign for (default cn-beijing)")
    p.add_argument("--profile", default="documented",
                   help="reading of the contract (see `vmsspec errata`)")
    p.add_argument("--seed", type=int, help="reproduce a run (printed in its summary)")
    p.add_argument("--checks", action="append", default=[], metavar="IDS",
                   help="only these checks: ids or globs, comma-separated or repeated")
    p.add_argument("--exclude-checks", action="append", default=[], metavar="IDS",
                   help="leave these checks out: ids or globs")
    p.add_argument("--rules", action="append", default=[], metavar="IDS",
                   help="only the cases of these rule ids (see `vmsspec rules`)")
    p.add_argument("--allow-side-effects", action="store_true",
                   help="also send what creates tasks (Start false, StartTime far ahead); every "
                        "task created is stopped before exit")
    p.add_argument("--rate-limit", type=float, default=5.0, metavar="N",
                   help="requests per second to a URL (default 5; 0: no limit)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds per request (default 10)")
    p.add_argument("--retries", type=int, default=3,
                   help="retries on 429 and 5xx, with backoff and Retry-After (default 3)")
    p.add_argument("--compare-reference", action="store_true",
                   help="send every request to the embedded reference service too and report "
                        "where the target answers otherwise")
    p.add_argument("--report", action="append", default=[], metavar="KIND:FILE",
                   help="also write junit:FILE, ndjson:FILE or html:FILE (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="a line per case")
    p.set_defaults(func=main)


def options_from_args(args: argparse.Namespace) -> RunOptions:
    """The run the arguments describe; CliError (one line) when they do not make one."""
    try:
        get_profile(args.profile)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.rate_limit < 0 or args.timeout <= 0 or args.retries < 0:
        raise CliError("--rate-limit must be >= 0, --timeout > 0, --retries >= 0")
    if args.compare_reference and args.url is None:
        raise CliError("--compare-reference needs a URL (without one the target is the reference)")
    credentials = None
    if args.url is not None:
        try:
            credentials = Credentials.from_env()
        except CredentialsError as exc:
            raise CliError(f"credentials: {exc}") from None
    rules = _csv(args.rules) or None
    return RunOptions(
        url=args.url, credentials=credentials, region=args.region, profile=args.profile,
        seed=args.seed, checks=_csv(args.checks), exclude_checks=_csv(args.exclude_checks),
        rules=rules, allow_side_effects=True if args.allow_side_effects else None,
        rate_limit=args.rate_limit or None, timeout=args.timeout, retries=args.retries,
        compare_reference=args.compare_reference,
    )


def _reports(args: argparse.Namespace) -> list[Any]:
    try:
        from ..conformance._reports import TerminalReport, open_report
    except ImportError:  # pragma: no cover - the reports package ships with vmsspec
        return [_plain_listener]
    reports: list[Any] = [TerminalReport(sys.stdout, verbose=args.verbose)]
    for spec in args.report:
        try:
            reports.append(open_report(spec))
        except ValueError as exc:
            for report in reports[1:]:
                report.discard()  # a usage error: no run, so no report file
            raise CliError(str(exc)) from None
    return reports


def _plain_listener(event: object) -> None:  # pragma: no cover - see _reports
    from ..conformance._results import RunFinished

    if isinstance(event, RunFinished):
        report = event.report
        for outcome in report.findings:
            print(f"FAILED {outcome.test_id}: {outcome.message}")
        print(f"{report.counts()} seed {report.seed}")


def _validate_selection(options: RunOptions) -> None:
    from ..conformance._checks import select_checks
    from ..contract import rules

    try:
        select_checks(options.checks, options.exclude_checks)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if options.rules:
        known = {r.id for r in rules(options.profile)}
        unknown = [r for r in options.rules if r not in known]
        if unknown:
            raise CliError(f"unknown rule id {unknown[0]!r} (see `vmsspec rules`)")


def main(args: argparse.Namespace) -> int:
    if args.list:
        for check_id, description in checks_listing():
            print(f"{check_id:28} {description}")
        return EXIT_OK
    options = options_from_args(args)
    _validate_selection(options)
    reports = _reports(args)
    close: list[Callable[[], None]] = [r.close for r in reports if hasattr(r, "close")]
    try:
        report = run(options, reports)
    except TargetUnusable as exc:
        print(f"vmsspec: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:  # an unusable URL
        raise CliError(str(exc).splitlines()[0]) from None
    finally:
        for c in close:
            c()
    return report.exit_code
