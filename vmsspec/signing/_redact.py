"""Requests fit for logs and reports: everything but the parts that act as credentials.

Redaction must hold however a client (or an attacker probing the recording) spells
things, so names are compared after percent-decoding (``X%2DSignature``), in any
case, for every repeated key; anything after a ``Signature=`` or
``Security-Token=`` mark is removed to the end of the value it sits in; and the
secret values found (signatures, session tokens) are scrubbed wherever else they
appear: copies of the Authorization value under other header names, a token echoed
in the query (issue 12 item 7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote_plus

__all__ = ["REDACTED", "redact_headers", "redact_request", "redact_target"]

REDACTED = "<redacted>"

# A mark after which the rest of a value is a credential: "Signature=" (Authorization,
# X-Signature) and "Security-Token=" (X-Security-Token), with "-" and "=" possibly
# percent-encoded once or twice.
_MARK = re.compile(
    r"(?:signature|security(?:-|_|%2d|%252d)?token)\s*(?:=|%3d|%253d)", re.IGNORECASE
)
_SIGNATURE_VALUE = re.compile(r"signature\s*=\s*([^,\s]+)", re.IGNORECASE)
_ENCODED_MARKS = ("signature=", "securitytoken=", "security-token=", "security_token=")
# Too short to be a signature or a token: scrubbing it everywhere would only garble.
_MIN_SECRET = 8


def _decoded_forms(text: str) -> list[str]:
    """``text`` and its percent-decodings, up to three levels deep, lower-cased."""
    forms = [text.lower()]
    for _ in range(3):
        decoded = unquote_plus(forms[-1]).lower()
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    return forms


def _secret_name(name: str) -> bool:
    """A header or query name whose value is a credential, in any spelling."""
    for form in _decoded_forms(name):
        squashed = form.strip().replace("_", "-")
        if ("signature" in squashed or "security-token" in squashed
                or "securitytoken" in squashed or "authorization" in squashed):
            return True
    return False


def _cut_after_mark(value: str) -> str:
    """``value`` with everything after a credential mark redacted."""
    found = _MARK.search(value)
    if found is not None:
        return value[: found.end()] + REDACTED
    if "%" in value or "+" in value:
        for form in _decoded_forms(value)[1:]:
            if any(mark in form.replace(" ", "") for mark in _ENCODED_MARKS):
                return REDACTED  # the mark is spelled in a way the raw text cannot show
    return value


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        for spelling in {secret, quote(secret, safe=""), quote_plus(secret, safe="")}:
            if spelling in text:
                text = text.replace(spelling, REDACTED)
    return text


def _header_secrets(headers: Iterable[tuple[str, str]]) -> set[str]:
    found: set[str] = set()
    for name, value in headers:
        if not _secret_name(name):
            continue
        signatures = _SIGNATURE_VALUE.findall(value)
        if signatures:
            found.update(signatures)
        else:
            found.add(value.strip())
    return {s for s in found if len(s) >= _MIN_SECRET}


def _query_secrets(target: str) -> set[str]:
    found: set[str] = set()
    for segment in target.partition("?")[2].split("&"):
        name, eq, value = segment.partition("=")
        if eq and _secret_name(name):
            found.update({value, unquote_plus(value)})
    return {s for s in found if len(s) >= _MIN_SECRET}


def redact_headers(
    headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """Headers with no signature and no session token.

    An Authorization header (any name holding "authorization") keeps its credential
    scope and signed-header list (what a client author needs to debug) and loses
    everything after ``Signature=``; without one it is redacted whole, as are token
    and signature headers. Every other value loses what follows a credential mark,
    and any signature or token found (or given in ``secrets``) is scrubbed from it.
    """
    items = list(headers)
    known = _header_secrets(items) | {s for s in secrets if len(s) >= _MIN_SECRET}
    out = []
    for key, value in items:
        lowered = key.lower()
        if _secret_name(key):
            cut = _cut_after_mark(value)
            value = cut if "authorization" in lowered and cut != value else REDACTED
        else:
            value = _scrub(_cut_after_mark(value), known)
        out.append((key, value))
    return out


def redact_target(target: str, secrets: Iterable[str] = ()) -> str:
    """A request target (or URL) with no presigned signature and no session token.

    Each ``&``-separated query pair whose decoded name is a credential name loses its
    value; any pair (or the path) loses what follows a credential mark; the values
    given in ``secrets`` are scrubbed in any of their encodings.
    """
    path, question, query = target.partition("?")
    path = _cut_after_mark(path)
    if question:
        segments = []
        for segment in query.split("&"):
            name, eq, value = segment.partition("=")
            if _secret_name(name):
                segment = name + "=" + REDACTED if eq else REDACTED
            else:
                segment = name + eq + _cut_after_mark(value)
            segments.append(segment)
        query = "&".join(segments)
    return _scrub(path + question + query, [s for s in secrets if len(s) >= _MIN_SECRET])


def redact_request(
    target: str, headers: Iterable[tuple[str, str]]
) -> tuple[str, list[tuple[str, str]]]:
    """Target and headers redacted together: a secret found in either is scrubbed from
    both (a session token sent as a header and echoed in the query, a presigned
    signature copied into a header)."""
    items = list(headers)
    known = _header_secrets(items) | _query_secrets(target)
    return redact_target(target, known), redact_headers(items, known)
