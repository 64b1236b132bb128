"""Requests fit for logs and reports: everything but the parts that act as credentials."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["redact_headers", "redact_target"]

_SECRET_HEADERS = frozenset({"authorization", "x-security-token"})
_SIGNATURE = re.compile(r"(Signature=)[0-9A-Fa-f]*")
_SECRET_QUERY = re.compile(r"((?:^|[?&])(?:X-Signature|X-Security-Token)=)[^&]*")


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers with no signature and no session token.

    The Authorization header keeps its credential scope and signed-header list
    (what a client author needs to debug) and loses only the signature.
    """
    out = []
    for key, value in headers:
        lowered = key.lower()
        if lowered == "authorization":
            value = _SIGNATURE.sub(r"\1<redacted>", value)
            if "<redacted>" not in value:
                value = "<redacted>"
        elif lowered in _SECRET_HEADERS:
            value = "<redacted>"
        out.append((key, value))
    return out


def redact_target(target: str) -> str:
    """A request target (or URL) with no presigned signature and no session token."""
    return _SECRET_QUERY.sub(r"\1<redacted>", target)
