"""What the service saw: every exchange with its verdict, for conformance asserts."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from ..signing import redact_headers, redact_target
from ._http import HttpRequest

__all__ = [
    "DEFAULT_RECORD_BODY_BUDGET",
    "DEFAULT_RECORD_BODY_BYTES",
    "DEFAULT_RECORD_LIMIT",
    "Exchange",
    "NonConformantRequests",
    "Recorder",
]


@dataclass(frozen=True)
class Exchange:
    """One request and the service's answer. Secrets are redacted on the way in."""

    number: int
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int
    """The HTTP status answered; 0 for a forced ``drop`` (no answer at all)."""
    code: str | None
    """The vendor error code answered, None on success (and for a 502 page or a drop)."""
    signature: str | None
    """None when the signature verified, else the verifier's error code."""
    signature_reason: str
    violations: tuple[tuple[str, str, str], ...]
    """(code, parameter, rule id) of each contract violation in the body."""
    fault: str | None = None
    """The forced answer applied (``faults.inject`` kind, code, ``drop``...), if any."""
    validated: bool = True
    """False when the body was not parsed or validated: work in proportion to trust, a
    request refused by routing or authentication costs no more than hashing its body."""
    not_validated_reason: str = ""
    """Why not, e.g. ``signature refused: SignatureDoesNotMatch``."""
    signature_explain: str = ""
    """On a signature failure: ``Verification.explain()``, the canonical request and string
    to sign the server computed beside what the request declared; never a signature."""
    fail_types: tuple[str, ...] = ()
    """The FailList ``Type`` of each entry answered."""
    delivered: bool | None = None
    """Whether the answer reached the client: set by the real-port adapter (False for a
    dropped connection or a client gone before the answer), None in-process."""
    region: str | None = None
    """The credential-scope region the request signed for, when it could be read."""

    body_size: int = -1
    """The size of the whole body as received (``body`` may be cut); -1: not known."""
    body_sha256: str | None = None
    """The SHA-256 of the whole body when ``body`` was cut, else None (hash ``body``)."""

    @property
    def conformant(self) -> bool:
        """Whether the *request* honoured the contract (regardless of injected faults)."""
        return _conformant(self.signature, self.violations)

    def describe(self) -> str:
        head = f"#{self.number} {self.method} {self.target} -> {self.status}"
        if self.code:
            head += f" {self.code}"
        problems = []
        if self.signature is not None:
            problems.append(f"signature: {self.signature}: {self.signature_reason}")
        if not self.validated:
            problems.append(f"body not validated: {self.not_validated_reason}")
        problems += [f"{code} {parameter} (rule {rule})" for code, parameter, rule in
                     self.violations]
        return "\n".join([head] + [f"    {p}" for p in problems])

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "method": self.method, "target": self.target,
            "headers": [list(h) for h in self.headers],
            "body": self.body.decode("utf-8", "replace"),
            "status": self.status, "code": self.code, "signature": self.signature,
            "signature_reason": self.signature_reason,
            "violations": [{"code": c, "parameter": p, "rule": r} for c, p, r in self.violations],
            "fault": self.fault, "conformant": self.conformant,
            "validated": self.validated, "not_validated_reason": self.not_validated_reason,
            "signature_explain": self.signature_explain, "fail_types": list(self.fail_types),
            "delivered": self.delivered, "region": self.region,
            "body_size": len(self.body) if self.body_size < 0 else self.body_size,
            "body_sha256": self.body_sha256,
        }


def _conformant(signature: str | None, violations: tuple[tuple[str, str, str], ...]) -> bool:
    # One definition for an Exchange and for the Recorder's running count.
    return signature is None and not violations


class NonConformantRequests(AssertionError):
    """Raised by ``assert_all_conformant``: lists every request that broke the contract."""


DEFAULT_RECORD_LIMIT = 10_000
"""Exchanges a Recorder keeps by default: the newest win (about 30 MB of small signed
requests, each held as the adapter built it: ~3 KB with a 1 KB body)."""
DEFAULT_RECORD_BODY_BYTES = 64 * 1024
"""Body bytes kept per exchange by default; past it, the size and SHA-256 stand for the rest."""
DEFAULT_RECORD_BODY_BUDGET = 16 * 1024 * 1024
"""Body bytes kept in all by default: the oldest exchanges lose their body first."""


_Fields = tuple[int, "str | None", "str | None", str, tuple[tuple[str, str, str], ...],
                "str | None"]
"""status, code, signature, signature_reason, violations, fault: Exchange's order."""
_redacted_target = lru_cache(maxsize=512)(redact_target)  # clients repeat their targets


class _Entry:
    """What is kept of one exchange until it is read (then redacted into an Exchange).

    The request itself, as the adapter built it (frozen, so nothing changes under it),
    unless its body is longer than ``max_body``: then a copy with the body cut, the size
    and the SHA-256 of the whole, and a weak reference to the original (a 32 MB body is
    not kept alive for its record). Holding the request costs no copy on the hot path
    and frees the request's strings once, when the entry goes.
    """

    __slots__ = ("body_sha256", "body_size", "delivered", "fields", "more", "number",
                 "original", "request")

    def __init__(self, number: int, request: HttpRequest, max_body: int,
                 fields: _Fields, more: dict[str, Any] | None) -> None:
        self.number = number
        body = request.body
        self.body_size = len(body)
        self.body_sha256: str | None = None
        # to find the entry again from the adapter's request: the request itself, or a
        # weak reference to it, never id(), whose value a freed request hands on
        self.original: weakref.ref[HttpRequest] | None = None
        self.request = request
        if len(body) > max_body:
            # A cut body keeps its hash so that a reader can still tell two apart.
            self.body_sha256 = hashlib.sha256(body).hexdigest()
            self._keep_body(body[:max_body])
        self.fields, self.more = fields, more
        self.delivered: bool | None = None

    def _keep_body(self, body: bytes) -> None:
        if self.original is None:
            self.original = weakref.ref(self.request)
        self.request = replace(self.request, body=body)

    def is_for(self, request: HttpRequest) -> bool:
        return self.request is request or (
            self.original is not None and self.original() is request)

    @property
    def body(self) -> bytes:
        return self.request.body

    def drop_body(self) -> int:
        """Forget the body (keeping its size and hash); returns the bytes freed."""
        body = self.request.body
        freed = len(body)
        if freed:
            if self.body_sha256 is None:
                self.body_sha256 = hashlib.sha256(body).hexdigest()
            self._keep_body(b"")
        return freed


class Recorder:
    """Keeps the newest ``limit`` exchanges (``DEFAULT_RECORD_LIMIT``; 0 keeps none), each
    body cut at ``max_body`` bytes, and at most ``body_budget`` body bytes in all (older
    exchanges lose their body first, keeping its size and SHA-256). Counts every exchange,
    kept or not, so that a summary ("N requests, M not conformant") stays true past the
    limit.

    Entries are stored as they came and redacted when read: recording sits on every
    mocked call's path, reading only on a report's.
    """

    def __init__(self, max_body: int = DEFAULT_RECORD_BODY_BYTES, *,
                 limit: int | None = DEFAULT_RECORD_LIMIT,
                 body_budget: int = DEFAULT_RECORD_BODY_BUDGET) -> None:
        if limit is not None and limit < 0:
            raise ValueError(f"record limit must be 0 or more, not {limit}")
        self._entries: deque[_Entry] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._max_body = max_body
        self._body_budget = body_budget
        self._body_bytes = 0
        self._bodiless = 0  # the oldest entries whose body was dropped for the budget
        self.limit = limit
        self.total = 0
        """Exchanges recorded since the last clear, including those no longer kept."""
        self.nonconformant = 0
        """How many of ``total`` broke the contract."""

    def __repr__(self) -> str:
        return f"Recorder({len(self._entries)} of {self.total} exchanges kept)"

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, request: HttpRequest, *, status: int, code: str | None,
               signature: str | None, signature_reason: str,
               violations: tuple[tuple[str, str, str], ...], fault: str | None,
               **more: Any) -> None:
        """Keep one exchange; ``more`` holds any further Exchange field by name."""
        fields: _Fields = (status, code, signature, signature_reason, violations, fault)
        bad = not _conformant(signature, violations)
        with self._lock:
            self.total += 1
            self.nonconformant += bad
            entries = self._entries
            if entries.maxlen == 0:
                return
            if len(entries) == entries.maxlen:  # the oldest is about to go
                self._body_bytes -= len(entries[0].body)
                self._bodiless = max(self._bodiless - 1, 0)
            entry = _Entry(self.total, request, self._max_body, fields, more or None)
            entries.append(entry)
            self._body_bytes += len(entry.body)
            while self._body_bytes > self._body_budget and self._bodiless < len(entries) - 1:
                self._body_bytes -= entries[self._bodiless].drop_body()
                self._bodiless += 1

    def mark_delivered(self, request: HttpRequest, delivered: bool) -> None:
        """Say whether the answer to ``request`` reached its client (a real-port adapter
        calls this once it knows; in-process exchanges stay ``None``)."""
        with self._lock:
            # newest first: the request being answered was recorded moments ago
            for entry in reversed(self._entries):
                if entry.delivered is None and entry.is_for(request):
                    entry.delivered = delivered
                    return

    def _exchange(self, entry: _Entry) -> Exchange:
        # positional up to ``fault`` (the order of _Fields), keywords after it:
        # writing a record of 50,000 exchanges on exit is mostly this call
        request = entry.request
        return Exchange(
            entry.number, request.method, _redacted_target(request.target),
            tuple(redact_headers(request.headers)), request.body, *entry.fields,
            **(entry.more or {}), delivered=entry.delivered, body_size=entry.body_size,
            body_sha256=entry.body_sha256,
        )

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        return tuple(self.iter_exchanges())

    def iter_exchanges(self, since: int = 0, limit: int | None = None) -> Iterator[Exchange]:
        """Kept exchanges numbered above ``since``, oldest first, at most ``limit`` of them.

        The entries are taken under the lock at once; redaction happens as the caller
        iterates, so a server can interleave other work between exchanges.
        """
        with self._lock:
            entries = [e for e in self._entries if e.number > since] if since else \
                list(self._entries)
        if limit is not None:
            entries = entries[:max(limit, 0)]
        return (self._exchange(entry) for entry in entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.total = self.nonconformant = self._body_bytes = self._bodiless = 0

    def assert_all_conformant(self) -> None:
        __tracebackhide__ = True
        if not self.nonconformant:
            return
        bad = [e for e in self.exchanges if not e.conformant]
        lines = [f"{self.nonconformant} of {self.total} requests broke the CreateTask contract:"]
        lines += [e.describe() for e in bad]
        if len(bad) < self.nonconformant:
            lines.append(f"({self.nonconformant - len(bad)} more no longer kept: the recording "
                         f"keeps the newest {self.limit})")
        raise NonConformantRequests("\n".join(lines))
