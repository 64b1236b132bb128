"""Text shared by the terminal, JUnit and HTML reports: a request as a command, an answer."""

from __future__ import annotations

import shlex

from .._results import CheckOutcome, Reproduction, RuleDrift, RunReport, WireExchange

__all__ = ["BODY_PREVIEW", "answer_text", "curl_command", "drift_expected", "outcome_line",
           "reproduce_run", "shorten", "stopped_at_probes"]

BODY_PREVIEW = 4096
"""Characters of a body shown inline; the replay file always holds all of it."""


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters in all)"


def _ansi_c(data: bytes) -> str:
    """Bash's $'...' quoting: exact bytes, printable ASCII kept, the rest as \\xHH."""
    out = []
    for byte in data:
        char = chr(byte)
        if char in "\\'":
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return "$'" + "".join(out) + "'"


def _body_argument(body: bytes, limit: int) -> str:
    if len(body) > limit:
        return f"@BODY  # {len(body)} bytes: the replay file holds the exact body"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _ansi_c(body)
    if any(ch < " " and ch not in "\t\n\r" for ch in text):
        return _ansi_c(body)
    return shlex.quote(text)


def curl_command(rep: Reproduction, *, limit: int = BODY_PREVIEW) -> str:
    """The request as a curl command (unsigned: ``vmsspec replay`` signs it)."""
    words = [f"curl -sS -X {shlex.quote(rep.method)} {shlex.quote(rep.url)}"]
    words += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in rep.headers]
    if rep.body:
        words.append(f"--data-binary {_body_argument(rep.body, limit)}")
    note = (f"unsigned; signed (and then tampered: {rep.tamper}) on replay" if rep.tamper
            else "unsigned; signed on replay")
    return f"# {note}, region {rep.region}\n" + " \\\n  ".join(words)


def answer_text(ex: WireExchange, *, limit: int = BODY_PREVIEW) -> str:
    """The answer as received: status line and body, or why none came."""
    if ex.status is None:
        return f"no answer: {ex.error or 'unknown error'}"
    tries = f" (after {ex.attempts} attempts)" if ex.attempts > 1 else ""
    body = ex.response_body.decode("utf-8", "replace")
    return f"HTTP {ex.status}{tries}\n{shorten(body, limit)}".rstrip()


def drift_expected(drift: RuleDrift) -> str:
    return " | ".join(f"{code} {param}".strip() for code, param in drift.expected) or "-"


def reproduce_run(report: RunReport) -> str:
    """The command that runs the same cases again (same seed and profile)."""
    words = ["vmsspec", "check"]
    url = report.target not in ("embedded", "", "unknown")
    if url:
        words.append(report.target)
    words += ["--seed", str(report.seed)]
    if report.profile and report.profile != "documented":
        words += ["--profile", report.profile]
    if report.region and report.region != "cn-beijing":
        words += ["--region", report.region]
    if report.side_effects and url:  # the embedded service always runs everything
        words.append("--allow-side-effects")
    return " ".join(shlex.quote(w) for w in words)


def stopped_at_probes(report: RunReport) -> bool:
    """An unfinished run that judged nothing because a probe failed (e.g. unreachable)."""
    return report.interrupted and not report.outcomes and any(not p.ok for p in report.probes)


def outcome_line(outcome: CheckOutcome) -> str:
    return f"{outcome.verdict.upper()} {outcome.test_id}: {outcome.message}"
