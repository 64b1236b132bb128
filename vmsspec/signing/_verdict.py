"""The verifier's answer: accepted, or an error code with a reason a client author can act on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from .._errors import ErrorCode, error_code

__all__ = ["MAX_LISTED_VARIANTS", "Verification", "accepted", "client_text", "fail"]

logger = logging.getLogger("vmsspec.signing")

MAX_LISTED_VARIANTS = 12
"""How many of the other canonical forms tried a failed verdict keeps (all are tried)."""


@dataclass(frozen=True, slots=True, repr=False)
class Verification:
    """The outcome: ``ok``, or the vendor's error ``code`` with a ``reason``.

    On a signature mismatch ``canonical_request`` and ``string_to_sign`` are
    what the server computed in the reference form (the older Python SDK's), for
    the client's author to diff against their own; ``alternatives`` are the other
    canonical requests tried (other official SDKs' forms) and ``variants`` their
    labels. The expected signature itself is never exposed: handing it back would
    let anyone holding a request forge its signature.

    ``message``, when set, is a client-safe text for the error envelope in place of
    the catalogue's generic one (set when the specific cause helps the client and
    gives nothing away: a refused region, a body that does not match its hash).
    ``region`` is the credential scope's region once it was parsed; ``variant`` the
    label of the form that matched ("" for the reference form).
    """

    ok: bool
    code: str | None = None
    reason: str = ""
    access_key: str | None = None
    canonical_request: str | None = None
    string_to_sign: str | None = None
    alternatives: tuple[str, ...] = ()
    signed_headers: tuple[str, ...] = ()
    presigned: bool = False
    region: str | None = None
    message: str | None = None
    variants: tuple[str, ...] = ()
    variant: str = ""

    def __bool__(self) -> bool:
        return self.ok

    @property
    def error(self) -> ErrorCode | None:
        return None if self.code is None else error_code(self.code)

    @property
    def status(self) -> int:
        err = self.error
        return 200 if err is None else err.status

    def __repr__(self) -> str:
        if self.ok:
            return f"Verification(ok=True, access_key={self.access_key!r})"
        return f"Verification(ok=False, code={self.code!r}, reason={self.reason!r})"

    def explain(self) -> str:
        """A text report: the verdict, and what the server signed when it matters."""
        err = self.error
        if err is None:
            head = "OK: the signature matches"
            if self.variant:
                head += f" (canonical form: {self.variant})"
        else:
            head = f"{err.code} (HTTP {err.status}): {self.message or err.format()}"
        lines = [head]
        if self.reason:
            lines.append(f"Reason: {self.reason}")
        if self.access_key is not None:
            lines.append(f"Access key: {self.access_key}")
        if self.region is not None:
            lines.append(f"Region: {self.region}")
        if self.signed_headers:
            lines.append(f"Signed headers: {';'.join(self.signed_headers)}")
        if self.canonical_request is not None:
            lines += ["", "Canonical request (server, reference form):", self.canonical_request]
        if self.string_to_sign is not None:
            lines += ["", "String to sign (server):", self.string_to_sign]
        for n, alt in enumerate(self.alternatives, 1):
            label = self.variants[n - 1] if n <= len(self.variants) else "another SDK's form"
            lines += ["", f"Also tried, canonical request variant {n} ({label}):", alt]
        return "\n".join(lines)


# A verdict is immutable, and a client sends the same key and header list on every call;
# sharing the accepted ones spares a 13-field frozen dataclass (~2 us) per request.
@lru_cache(maxsize=256)
def accepted(
    access_key: str, signed_headers: tuple[str, ...], presigned: bool, region: str,
    variant: str = "",
) -> Verification:
    return Verification(True, None, "", access_key, None, None, (), signed_headers, presigned,
                        region, None, (), variant)


def fail(
    code: str,
    reason: str,
    *,
    access_key: str | None = None,
    signed_headers: tuple[str, ...] = (),
    presigned: bool = False,
    canonical_request: str | None = None,
    string_to_sign: str | None = None,
    alternatives: tuple[str, ...] = (),
    variants: tuple[str, ...] = (),
    region: str | None = None,
    message: str | None = None,
) -> Verification:
    # Reasons name headers, keys and times, never a secret or a signature.
    logger.debug("request rejected: %s: %s", code, reason)
    return Verification(
        False, code, reason, access_key, canonical_request, string_to_sign,
        alternatives[:MAX_LISTED_VARIANTS], signed_headers, presigned, region, message,
        variants[:MAX_LISTED_VARIANTS],
    )


def client_text(text: str, limit: int = 64) -> str:
    """``text`` as it may appear in an envelope message: printable ASCII, bounded.

    What a client put in its request (a region, say) is echoed back only in this
    form, so a message can neither carry control characters into a log nor grow
    with the request.
    """
    if len(text) <= limit and text.isascii() and text.isprintable():
        return text
    safe = text[:limit].encode("ascii", "backslashreplace").decode("ascii")
    safe = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in safe)
    return safe + ("..." if len(text) > limit else "")
