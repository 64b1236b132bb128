"""``vmsspec replay FILE [--url URL]``: send a finding's request again, signed afresh, and judge it.

A replay file (written by every report that shows a finding) keeps the exact body and
the unsigned headers; signatures expire after 15 minutes, so the request is signed now,
by ``vmsspec.conformance.prepare``, exactly as the run signed it, and the same tamper is
applied. The answer is judged by the same check, through the engine's own ``judge``.

Without --url the request goes to the embedded reference service, in-process, signed
with the embedded test pair: what the contract says the answer must be. With --url it
goes to that endpoint, signed with VOLC_ACCESSKEY / VOLC_SECRETKEY (/ VOLC_SESSION_TOKEN).
Exit status: 0 the check passes now, 1 it still fails, 2 unusable file, arguments or
endpoint (one line, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit, urlunsplit

from .. import TEST_ACCESS_KEY, TEST_SECRET_KEY
from ..conformance._reports import Replay
from ..conformance._results import CheckOutcome, Reproduction, WireExchange
from ..signing import Credentials, CredentialsError, Secret
from ._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliError

__all__ = ["register", "run"]

_UNREACHABLE = ("ConnectError", "ConnectTimeout")
"""Transport errors that mean the endpoint was never reached (exit 2), as opposed to a
connection it accepted and then dropped, which is an answer to judge."""


_DESCRIPTION = """\
Send the request of a finding again and judge the answer with the same check. The
replay file (every report prints where it wrote one) keeps the exact body; the request
is signed now, as the run signed it, and the same authentication tamper is applied
(a signature expires after 15 minutes).

Without --url: the embedded reference service, in-process, with the embedded test key
pair (what the contract says the answer must be). With --url: that endpoint, with
VOLC_ACCESSKEY, VOLC_SECRETKEY and the optional VOLC_SESSION_TOKEN.

Exit status: 0 the check passes now, 1 it still fails, 2 unusable file, arguments or
endpoint."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay", help="send a finding's request again (signed now) and judge the answer",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="a replay file, as a report printed it")
    p.add_argument("--url", help="send to this endpoint's base URL instead of the embedded"
                                 " reference service (credentials from the environment)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for the answer (default 10)")
    p.set_defaults(func=run)


def _rebase(url: str, base: str) -> str:
    """``url``'s path and query on ``base``'s scheme, host and path prefix."""
    old, new = urlsplit(url), urlsplit(base)
    if new.scheme not in ("http", "https") or not new.netloc:
        raise CliError(f"--url {base!r}: expected an absolute http:// or https:// URL")
    return urlunsplit((new.scheme, new.netloc, new.path.rstrip("/") + (old.path or "/"),
                       old.query, ""))


def _retargeted(rep: Reproduction, base: str) -> Reproduction:
    # a recorded Host names the old target; the signer adds the new one
    headers = tuple((k, v) for k, v in rep.headers if k.lower() != "host")
    return Reproduction(rep.method, _rebase(rep.url, base), rep.body, headers, rep.region,
                        rep.tamper)


def _judge(check_id: str, label: str | None, rep: Reproduction, profile: str,
           exchange: WireExchange) -> CheckOutcome:
    """The engine's verdict on this one request: its own case labelling and judge."""
    from ..conformance import CHECKS, case_for, judge

    if check_id not in CHECKS:
        raise CliError(f"unknown check {check_id!r} (see `vmsspec check --list`)")
    if check_id.startswith("idempotency.") or (label or "").startswith("idempotency/"):
        raise CliError(f"{check_id} judges a sequence of requests; a replay sends one."
                       " Run the whole case: vmsspec check --checks " + check_id)
    # The run's label is a rule id for a rule case, else kind/name (auth/wrong-signature,
    # dry-run/minimal): only a rule id says more than the body and the tamper do.
    rule_id = label if label is not None and "/" not in label else None
    try:
        case = case_for(rep.body, tamper=rep.tamper, rule_id=rule_id, profile=profile,
                        region=rep.region)
    except ValueError as exc:  # an unknown profile or rule id
        raise CliError(str(exc).splitlines()[0]) from None
    return judge(check_id, case, [exchange], rep)


def _credentials(url: str | None) -> Credentials:
    if url is None:
        return Credentials(TEST_ACCESS_KEY, Secret(TEST_SECRET_KEY))
    try:
        return Credentials.from_env()
    except CredentialsError as exc:
        raise CliError(f"credentials: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from ..conformance._engine import _embedded_service
    from ..conformance._reports import Redactor, load_replay
    from ..conformance._transport import EMBEDDED_BASE, EmbeddedTarget, HttpTarget, Sender

    try:
        replay = load_replay(args.file)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.timeout <= 0:
        raise CliError("--timeout must be > 0")
    credentials = _credentials(args.url)
    rep = _retargeted(replay.reproduction, args.url or EMBEDDED_BASE)
    target: EmbeddedTarget | HttpTarget
    if args.url is None:
        target = EmbeddedTarget(_embedded_service(rep.region))
    else:
        try:
            target = HttpTarget(args.url, timeout=args.timeout)
        except ValueError as exc:
            raise CliError(f"--url: {exc}") from None
    try:
        exchange = Sender(target, credentials, rate_limit=None).send(rep)
    except ValueError as exc:  # an unknown tamper name, a header the signer refuses
        raise CliError(str(exc)) from None
    finally:
        target.close()
    if exchange.status is None and (exchange.error or "").startswith(_UNREACHABLE):
        raise CliError(f"{args.url}: unreachable: {exchange.error}")
    outcome = _judge(replay.check_id, replay.rule_id, rep, replay.profile, exchange)
    secrets = [credentials.secret_key]
    if credentials.session_token is not None:
        secrets.append(credentials.session_token)
    sys.stdout.write(Redactor(secrets).text(_render(args.url, rep, exchange, outcome, replay)))
    if outcome.verdict == "passed":
        return EXIT_OK
    if outcome.verdict == "skipped":
        print(f"vmsspec: error: not judged: {outcome.message}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_INVALID


def _render(url: str | None, rep: Reproduction, ex: WireExchange, outcome: CheckOutcome,
            replay: Replay) -> str:
    where = url or "the embedded reference service"
    tamper = f", then tampered: {rep.tamper}" if rep.tamper else ""
    lines = [f"replay {outcome.test_id} against {where} (signed now for {rep.region}{tamper})",
             f"> {ex.method} {ex.url}", *(f"> {k}: {v}" for k, v in ex.headers),
             f"> ({len(ex.body)} bytes of body)"]
    if ex.status is None:
        lines.append(f"< no answer: {ex.error}")
    else:
        tries = f" (after {ex.attempts} attempts)" if ex.attempts > 1 else ""
        lines.append(f"< HTTP {ex.status}{tries}")
        lines += [f"< {k}: {v}" for k, v in ex.response_headers]
        lines.append("< " + ex.response_body.decode("utf-8", "replace"))
    from ..conformance._checks import parse_answer

    lines += [f"expected: {outcome.expected or replay.expected or '-'}",
              f"now:      {outcome.actual or parse_answer(ex).describe()}",
              f"the run:  {replay.actual or '-'}",
              f"verdict:  {outcome.verdict.upper()} {outcome.check_id}: {outcome.message}"]
    return "\n".join(lines) + "\n"
