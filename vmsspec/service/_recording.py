"""What the service saw: every exchange with its verdict, for conformance asserts."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ..signing import redact_headers, redact_target
from ._http import HttpRequest

__all__ = ["Exchange", "NonConformantRequests", "Recorder"]


@dataclass(frozen=True)
class Exchange:
    """One request and the service's answer. Secrets are redacted on the way in."""

    number: int
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int
    code: str | None
    """The vendor error code answered, None on success."""
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
    """Whether the answer reached the client (real port); None in-process."""
    region: str | None = None
    """The credential-scope region the request signed for, when it could be read."""

    @property
    def conformant(self) -> bool:
        """Whether the *request* honoured the contract (regardless of injected faults)."""
        return self.signature is None and not self.violations

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
        }


class NonConformantRequests(AssertionError):
    """Raised by ``assert_all_conformant``: lists every request that broke the contract."""


_Entry = tuple[HttpRequest, dict[str, Any]]


class Recorder:
    """Keeps every exchange. Entries are stored as they came and redacted when read:
    recording sits on every mocked call's path, reading only on a report's."""

    def __init__(self, max_body: int = 64 * 1024) -> None:
        self._entries: list[_Entry] = []
        self._lock = threading.Lock()
        self._max_body = max_body

    def __repr__(self) -> str:
        return f"Recorder({len(self._entries)} exchanges)"

    def record(self, request: HttpRequest, **outcome: Any) -> None:
        """Keep ``request`` with its outcome: keyword arguments named as Exchange's fields
        (status, code, signature, signature_reason, violations, fault, validated, ...)."""
        entry = (request, outcome)
        with self._lock:
            self._entries.append(entry)

    def _exchange(self, number: int, entry: _Entry) -> Exchange:
        request, outcome = entry
        return Exchange(
            number, request.method, redact_target(request.target),
            tuple(redact_headers(request.headers)), request.body[: self._max_body], **outcome)

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        with self._lock:
            entries = list(self._entries)
        return tuple(self._exchange(n, e) for n, e in enumerate(entries, 1))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def assert_all_conformant(self) -> None:
        __tracebackhide__ = True
        bad = [e for e in self.exchanges if not e.conformant]
        if bad:
            total = len(self.exchanges)
            lines = [f"{len(bad)} of {total} requests broke the CreateTask contract:"]
            lines += [e.describe() for e in bad]
            raise NonConformantRequests("\n".join(lines))
