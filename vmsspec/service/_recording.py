"""What the service saw: every exchange with its verdict, for conformance asserts."""

from __future__ import annotations

import hashlib
import sys
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
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
"""Exchanges a Recorder keeps by default: the newest win (about 25 MB of small requests)."""
DEFAULT_RECORD_BODY_BYTES = 64 * 1024
"""Body bytes kept per exchange by default; past it, the size and SHA-256 stand for the rest."""
DEFAULT_RECORD_BODY_BUDGET = 16 * 1024 * 1024
"""Body bytes kept in all by default: the oldest exchanges lose their body first."""


_Fields = tuple[int, "str | None", "str | None", str, tuple[tuple[str, str, str], ...],
                "str | None"]
"""status, code, signature, signature_reason, violations, fault: Exchange's order."""
_redacted_target = lru_cache(maxsize=512)(redact_target)  # clients repeat their targets
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}  # header-name lists, shared by entries


def _shared_names(names: tuple[str, ...]) -> tuple[str, ...]:
    # A client sends the same header names in the same order every time: kept once.
    shared = _NAMES.get(names)
    if shared is None:
        if len(_NAMES) > 1024:
            _NAMES.clear()
        shared = _NAMES[names] = tuple(sys.intern(n) for n in names)
    return shared


class _Entry:
    """What is kept of one exchange until it is read (then redacted into an Exchange).

    Compact, because ten thousand of them are kept (about 1 KB each for a signed
    request): not the request (its body may be 32 MB) but its method and target, the
    header names shared with other entries, the values in one string, and at most
    ``max_body`` bytes of the body with the size (and, once cut, the SHA-256) of the whole.
    """

    __slots__ = ("body", "body_sha256", "body_size", "delivered", "fields", "method", "more",
                 "names", "number", "request_ref", "target", "values")

    def __init__(self, number: int, request: HttpRequest, max_body: int,
                 fields: _Fields, more: dict[str, Any] | None) -> None:
        self.number = number
        self.method, self.target = sys.intern(request.method), request.target
        headers = request.headers
        # names and values apart at C speed (strict: every header a pair, as unpacking is)
        names, values = zip(*headers, strict=True) if headers else ((), ())
        self.names = _shared_names(names)
        packed = "\n".join(values)
        # one string instead of one per header, unless a value holds the separator
        self.values: str | tuple[str, ...] = (
            packed if packed.count("\n") == max(len(values) - 1, 0) else values)
        body = request.body
        self.body_size = len(body)
        self.body = body if len(body) <= max_body else body[:max_body]
        # A cut body keeps its hash so that a reader can still tell two apart.
        self.body_sha256 = hashlib.sha256(body).hexdigest() if len(body) > max_body else None
        self.fields, self.more = fields, more
        # to find the entry again from the adapter's request: a weak reference, not
        # id(), whose value a freed request hands on to the next one (an in-process
        # exchange, never marked, could then take a real-port answer's verdict)
        self.request_ref = weakref.ref(request)
        self.delivered: bool | None = None

    def drop_body(self) -> int:
        """Forget the body (keeping its size and hash); returns the bytes freed."""
        freed = len(self.body)
        if freed:
            if self.body_sha256 is None:
                self.body_sha256 = hashlib.sha256(self.body).hexdigest()
            self.body = b""
        return freed

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        values = self.values.split("\n") if isinstance(self.values, str) else self.values
        if not self.names:
            return ()
        return tuple(zip(self.names, values, strict=True))


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
                if entry.request_ref() is request and entry.delivered is None:
                    entry.delivered = delivered
                    return

    def _exchange(self, entry: _Entry) -> Exchange:
        # positional up to ``fault`` (the order of _Fields), keywords after it:
        # writing a record of 50,000 exchanges on exit is mostly this call
        return Exchange(
            entry.number, entry.method, _redacted_target(entry.target),
            tuple(redact_headers(entry.headers)), entry.body, *entry.fields,
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
