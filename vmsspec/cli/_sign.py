"""``vmsspec sign``: the headers (or a curl command) for a signed request."""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .._endpoint import ACTION, DEFAULT_HOST, DEFAULT_REGION, DEFAULT_SERVICE, VERSION
from ..signing import (
    Credentials,
    CredentialsError,
    SignedRequest,
    decode_path,
    parse_query,
    sign_request,
)
from ._common import CliError, read_input

__all__ = ["register", "run"]

DEFAULT_URL = f"https://{DEFAULT_HOST}/?Action={ACTION}&Version={VERSION}"

_DESCRIPTION = """\
Sign a request the way the vendor's SDK does and print the headers to send.
Credentials come from VOLC_ACCESSKEY, VOLC_SECRETKEY and, optionally,
VOLC_SESSION_TOKEN; the secret key is never printed. A non-empty body is sent
as application/json unless --header sets a Content-Type."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sign",
        help="sign a request: print its headers, a curl command, or the canonical request",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("body", nargs="?", default=None, metavar="BODY",
                   help="file holding the request body, - for standard input (default: empty)")
    p.add_argument("--url", default=DEFAULT_URL,
                   help="the full request URL (default: the CreateTask endpoint)")
    p.add_argument("--method", "-X", default="POST", help="HTTP method (default: POST)")
    p.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
                   help="an extra header to send and, by the SDK's rules, sign (repeatable)")
    p.add_argument("--date", metavar="TIME",
                   help="sign at this time instead of now: 20250527T114634Z or ISO 8601"
                        " (no offset means UTC)")
    p.add_argument("--region", default=DEFAULT_REGION,
                   help=f"credential scope region (default: {DEFAULT_REGION})")
    p.add_argument("--service", default=DEFAULT_SERVICE,
                   help=f"credential scope service (default: {DEFAULT_SERVICE})")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--curl", action="store_true", help="print a ready-to-run curl command")
    mode.add_argument("--explain", action="store_true",
                      help="print the canonical request and the string to sign")
    p.set_defaults(func=run)


def parse_date(text: str) -> datetime:
    """``20250527T114634Z`` (X-Date form) or ISO 8601; naive times are UTC."""
    try:
        if len(text) == 16 and text[8] == "T" and text.endswith("Z"):
            when = datetime.strptime(text, "%Y%m%dT%H%M%SZ")
        else:
            # Python 3.10's fromisoformat() does not know the "Z" suffix.
            iso = text[:-1] + "+00:00" if text[-1:] in "zZ" and text else text
            when = datetime.fromisoformat(iso)
    except ValueError:
        raise CliError(
            f"--date {text!r}: expected 20250527T114634Z or an ISO 8601 time"
        ) from None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when


# RFC 9110 section 5.6.2: a method and a header name are tokens.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# A header value may hold visible characters, spaces and tabs (RFC 9110 section 5.5); a
# CR or LF would end the header and start another (header injection), so no control
# character but the tab is accepted.
_BAD_VALUE_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not _TOKEN.fullmatch(name):
        raise CliError(f"--header {text!r}: expected 'Name: value' (a name of letters, digits "
                       "and !#$%&'*+-.^_`|~)")
    bad = _BAD_VALUE_CHAR.search(value)
    if bad:
        raise CliError(f"--header {name}: the value holds the control character "
                       f"{bad.group()!r}; a header value is one line of visible characters")
    # Servers strip surrounding whitespace from header values before checking
    # the signature, so signing it would only produce a mismatch.
    return name, value.strip()


def _check_scope_part(option: str, value: str) -> str:
    # The credential scope is date/region/service/request: an empty part or a slash
    # makes a scope no server parses back into the same parts.
    if not value or "/" in value or any(ch.isspace() for ch in value):
        raise CliError(f"{option} {value!r}: expected a non-empty name without spaces or '/'")
    return value


def _request_target(url: str) -> tuple[str, str, str]:
    """(Host header, decoded path, raw query) of an absolute http(s) URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError as exc:
        raise CliError(f"--url {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(f"--url {url!r}: expected an absolute http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise CliError("--url: credentials in the URL are not supported")
    return parts.netloc, decode_path(parts.path), parts.query


def _sign(args: argparse.Namespace, body: bytes) -> SignedRequest:
    try:
        creds = Credentials.from_env()
    except CredentialsError as exc:
        raise CliError(str(exc)) from None
    if not _TOKEN.fullmatch(args.method):
        raise CliError(f"--method {args.method!r}: an HTTP method is one token such as POST")
    region = _check_scope_part("--region", args.region)
    service = _check_scope_part("--service", args.service)
    host, path, raw_query = _request_target(args.url)
    extra = [_parse_header(h) for h in args.header]
    # A --header Host replaces the URL's (to sign for a proxy's or a test server's name);
    # only a Host given twice on the command line is ambiguous.
    headers = extra if any(n.lower() == "host" for n, _ in extra) else [("Host", host), *extra]
    if body and not any(n.lower() == "content-type" for n, _ in headers):
        headers.append(("Content-Type", "application/json"))
    now = parse_date(args.date) if args.date else None
    try:
        return sign_request(
            args.method,
            path,
            parse_query(raw_query),
            headers,
            body,
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            region=region,
            service=service,
            now=now,
            session_token=creds.session_token,
        )
    except (ValueError, TypeError) as exc:
        # Messages from the signer name headers and parameters, never secrets.
        raise CliError(str(exc)) from None


def _curl(args: argparse.Namespace, signed: SignedRequest, body: bytes) -> str:
    words = ["curl", "-sS", "-X", args.method, args.url]
    for name, value in signed.headers.items():
        words += ["-H", f"{name}: {value}"]
    if body:
        if args.body != "-":
            words += ["--data-binary", "@" + args.body]
        else:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise CliError(
                    "a binary body from standard input cannot go into a curl command;"
                    " pass it as a file"
                ) from None
            if "\0" in text:
                raise CliError("a body with NUL bytes cannot go into a curl command; pass a file")
            words += ["--data-raw", text]
    return " ".join(shlex.quote(w) for w in words) + "\n"


def _explain(signed: SignedRequest) -> str:
    return (
        f"Canonical request:\n{signed.canonical_request}\n\n"
        f"String to sign:\n{signed.string_to_sign}\n\n"
        f"Signed headers: {';'.join(signed.signed_headers)}\n"
        f"Signature: {signed.signature}\n"
    )


def run(args: argparse.Namespace) -> int:
    body = read_input(args.body) if args.body is not None else b""
    signed = _sign(args, body)
    if args.curl:
        out = _curl(args, signed, body)
    elif args.explain:
        out = _explain(signed)
    else:
        out = "".join(f"{name}: {value}\n" for name, value in signed.headers.items())
    sys.stdout.write(out)
    return 0
