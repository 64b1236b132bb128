"""The last line of defence for anything the plugin prints or writes: no secret, however encoded.

The service's records are already redacted (signature values, session tokens); this scrubs
what could still carry a secret key: a client that put it in a body, a header or an error.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "scrub", "secret_forms"]

MASK = "********"


def secret_forms(secret: str) -> set[str]:
    """The secret and the encodings it could leak in."""
    raw = secret.encode("utf-8", "surrogatepass")
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
             base64.b64encode(raw).decode("ascii"), raw.hex(), raw.hex().upper()}
    return {f for f in forms if len(f) >= 4}  # a 1-3 character "secret" would mask noise


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every listed secret, raw, URL-, JSON-, base64- or hex-encoded, masked."""
    for secret in secrets:
        if not secret:
            continue
        for form in sorted(secret_forms(secret), key=len, reverse=True):
            if form in text:
                text = text.replace(form, MASK)
    return text
