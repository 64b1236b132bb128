"""Signing a conformance request, and the named authentication tampers applied after it.

A :class:`~vmsspec.conformance.Reproduction` holds no signature: :func:`prepare` signs it
at send time (a signature expires after 15 minutes) and applies its ``tamper``, so the
engine and ``vmsspec replay`` send byte-identical requests apart from X-Date.

The code each tamper must get follows from the verifier's documented order of checks
(``vmsspec.verify_request``: MissingAuthenticationToken, MissingSignature,
InvalidAccessKey, InvalidTimestamp, SignatureDoesNotMatch; FACTS section 2) and, for a
region the server does not serve, SignatureDoesNotMatch naming the region (INTERFACES,
the signing package docstring).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from .._endpoint import DEFAULT_SERVICE
from .._errors import error_code
from ..signing import Credentials, parse_query, sign_request
from ._results import Reproduction

__all__ = ["TAMPERS", "Prepared", "Tamper", "prepare"]

Prepared = tuple[str, str, tuple[tuple[str, str], ...], bytes]
"""(method, url, headers, body): what goes on the wire."""

_UNKNOWN_ACCESS_KEY = "AKLTvmsspecUnknownAccessKey000000000"
_STALE_BY = timedelta(hours=1)
"""Beyond the 15-minute window (FACTS section 2.7) by far, so clock skew cannot excuse it."""
_OTHER_REGIONS = ("cn-shanghai", "cn-guangzhou")


def _sign(rep: Reproduction, credentials: Credentials, now: datetime, *,
          region: str | None = None, access_key: str | None = None) -> Prepared:
    parts = urlsplit(rep.url)
    headers = list(rep.headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    signed = sign_request(
        rep.method, parts.path or "/", parse_query(parts.query), headers, rep.body,
        access_key=access_key or credentials.access_key, secret_key=credentials.secret_key,
        region=region or rep.region, service=DEFAULT_SERVICE, now=now,
        session_token=credentials.session_token,
    )
    return rep.method, rep.url, tuple(signed.headers.items()), rep.body


def _edit(prepared: Prepared, name: str, edit: Callable[[str], str | None]) -> Prepared:
    method, url, headers, body = prepared
    out: list[tuple[str, str]] = []
    for key, value in headers:
        if key.lower() == name:
            new = edit(value)
            if new is None:
                continue
            value = new
        out.append((key, value))
    return method, url, tuple(out), body


def _flip_last_hex(value: str) -> str:
    head, sep, signature = value.rpartition("Signature=")
    last = signature[-1:]
    return head + sep + signature[:-1] + ("1" if last == "0" else "0")


@dataclass(frozen=True)
class Tamper:
    name: str
    code: str
    """The vendor error code a conformant server answers."""
    description: str
    apply: Callable[[Reproduction, Credentials, datetime], Prepared]

    @property
    def status(self) -> int:
        return error_code(self.code).status


def _other_region(region: str) -> str:
    return next(r for r in _OTHER_REGIONS if r != region)


TAMPERS: dict[str, Tamper] = {t.name: t for t in (
    Tamper("no-signature", "MissingAuthenticationToken", "no Authorization header at all",
           lambda r, c, n: _edit(_sign(r, c, n), "authorization", lambda v: None)),
    Tamper("missing-signature", "MissingSignature",
           "Authorization without its Signature= part",
           lambda r, c, n: _edit(_sign(r, c, n), "authorization",
                                 lambda v: v.rpartition(", Signature=")[0])),
    Tamper("unknown-key", "InvalidAccessKey", "signed with an access key the server lacks",
           lambda r, c, n: _sign(r, c, n, access_key=_UNKNOWN_ACCESS_KEY)),
    Tamper("wrong-signature", "SignatureDoesNotMatch", "last hex digit of the signature changed",
           lambda r, c, n: _edit(_sign(r, c, n), "authorization", _flip_last_hex)),
    Tamper("stale-date", "InvalidTimestamp", "signed one hour ago (the window is 15 minutes)",
           lambda r, c, n: _sign(r, c, n - _STALE_BY)),
    Tamper("wrong-region", "SignatureDoesNotMatch",
           "signed for a region other than the run's",
           lambda r, c, n: _sign(r, c, n, region=_other_region(r.region))),
    Tamper("body-changed", "SignatureDoesNotMatch",
           "a space appended to the body after signing (same JSON, other bytes)",
           lambda r, c, n: (lambda p: (p[0], p[1], p[2], p[3] + b" "))(_sign(r, c, n))),
)}
"""Every authentication tamper by name, each with the code it must be refused with."""


def prepare(reproduction: Reproduction, credentials: Credentials, *,
            now: datetime | None = None) -> Prepared:
    """Sign ``reproduction`` (at ``now``, the current time by default) and apply its tamper.

    Raises ValueError for an unknown tamper name.
    """
    when = now or datetime.now(timezone.utc)
    if reproduction.tamper is None:
        return _sign(reproduction, credentials, when)
    tamper = TAMPERS.get(reproduction.tamper)
    if tamper is None:
        raise ValueError(f"unknown tamper {reproduction.tamper!r}; known: {', '.join(TAMPERS)}")
    return tamper.apply(reproduction, credentials, when)
