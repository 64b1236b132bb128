"""One redaction for every report: nothing that acts as a credential reaches a file or a stream.

WireExchange headers are redacted when the engine builds them; reports redact again
(defence in depth), and also scrub what header redaction cannot see: a secret key or session
token pasted into a body, a message or a server's echo, in the encodings a report or a server
may put it in (JSON, URL, HTML/XML escaping, base64, hex). A report learns the signatures
and tokens it sees in unredacted headers and URLs, and scrubs those values everywhere after.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit
from xml.sax.saxutils import escape as xml_escape

from ...signing import ENV_SECRET_KEY, ENV_SESSION_TOKEN, Secret, redact_headers, redact_target
from ...signing._secret import reveal
from .._results import CheckOutcome, ProbeResult, Reproduction, RuleDrift, RunReport, WireExchange

__all__ = ["MASK", "Redactor"]

_T = TypeVar("_T")

MASK = "<redacted>"

# Shorter values would mask ordinary words; no real secret key, token or signature is this short.
_MIN_SECRET = 8

# Credentials written as text: an Authorization value, a presigned query, a header line.
_SIGNATURE_TEXT = re.compile(r"((?<![A-Za-z])Signature\s*=\s*)(?!<redacted>)[0-9A-Fa-f]+")
_QUERY_TEXT = re.compile(
    r"(?i)((?:X-Signature|X-Security-Token)(?:=|%3D|\s*:\s*|\"\s*:\s*\"|',\s*'|\",\s*\"))"
    r"(?!<redacted>)[^\s&'\",;<>]+"
)
_AUTH_SIGNATURE = re.compile(r"Signature=([0-9A-Fa-f]{16,})")
_SECRET_QUERY_KEYS = frozenset({"x-signature", "x-security-token"})


def _encodings(value: str) -> set[str]:
    """The forms a value takes in a JSON string, a URL, HTML/XML text, base64 and hex."""
    raw = value.encode("utf-8", "surrogatepass")
    texts = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    # JSON inside a page or an XML attribute (the HTML report shows replay files' JSON)
    marked = {form for text in texts for form in (
        html.escape(text), html.escape(text, quote=False), xml_escape(text, {'"': "&quot;"}))}
    forms = texts | marked | {
        quote(value, safe=""),
        quote_plus(value, safe=""),
        base64.b64encode(raw).decode("ascii").rstrip("="),
        base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="),
        raw.hex(),
        raw.hex().upper(),
    }
    return {form for form in forms if len(form) >= _MIN_SECRET}


def _env_secrets() -> list[str]:
    return [v for v in (os.environ.get(ENV_SECRET_KEY), os.environ.get(ENV_SESSION_TOKEN)) if v]


class Redactor:
    """Scrubs known secrets and credential-shaped text from strings, headers, URLs and bodies.

    ``secrets``: the secret key and session token in use (``None``: the ones in the
    environment, VOLC_SECRETKEY and VOLC_SESSION_TOKEN). The repr names no secret.
    """

    def __init__(self, secrets: Iterable[str | Secret] | None = None) -> None:
        self._forms: set[str] = set()
        self._ordered: list[str] = []
        self.generation = 0
        """Bumped at each value learned: text scrubbed at an older generation may hold it."""
        # id() -> (the value, kept alive so the id is not reused, its redacted copy): the
        # engine attaches one exchange to every check of a case, so most arrive many times
        self._done: dict[int, tuple[object, object]] = {}
        for secret in _env_secrets() if secrets is None else secrets:
            self.learn(reveal(secret))

    def __repr__(self) -> str:
        return f"Redactor({len(self._forms)} forms)"

    def learn(self, value: str) -> None:
        """Scrub this value (and its encodings) from everything redacted from now on."""
        if len(value) < _MIN_SECRET or MASK in value:
            return
        new = _encodings(value) - self._forms
        if new:
            self._forms |= new
            self._ordered = sorted(self._forms, key=len, reverse=True)
            self.generation += 1

    def text(self, value: str) -> str:
        # Known values first: a pattern stops at the first '&' or quote, the value does not.
        # Substring tests before any regex: bodies run to megabytes and rarely match.
        for form in self._ordered:
            if form in value:
                value = value.replace(form, MASK)
        if "ignature" in value:
            value = _SIGNATURE_TEXT.sub(r"\1" + MASK, value)
        lowered = value.lower()
        if "x-signature" in lowered or "x-security-token" in lowered:
            value = _QUERY_TEXT.sub(r"\1" + MASK, value)
        return value

    def body(self, value: bytes) -> bytes:
        """A body with every secret removed; bytes that are not UTF-8 stay as they were."""
        text = value.decode("utf-8", "surrogateescape")
        cleaned = self.text(text)
        return value if cleaned == text else cleaned.encode("utf-8", "surrogateescape")

    def headers(self, headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        headers = list(headers)
        for name, value in headers:
            lowered = name.lower()
            if lowered == "authorization":
                for signature in _AUTH_SIGNATURE.findall(value):
                    self.learn(signature)
            elif lowered == "x-security-token":
                self.learn(value)
        return tuple((name, self.text(value)) for name, value in redact_headers(headers))

    def url(self, url: str) -> str:
        try:
            query = urlsplit(url).query
        except ValueError:
            query = ""
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key.lower() in _SECRET_QUERY_KEYS:
                self.learn(value)
        return self.text(redact_target(url))

    def tree(self, value: Any) -> Any:
        """Every string in a JSON-like tree (dicts, lists, tuples) scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.tree(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.tree(v) for v in value]
        return value

    # The model's values, scrubbed field by field (headers and URLs first, so that what
    # they teach is scrubbed from the bodies and messages that follow).

    def _once(self, value: _T, redact: Callable[[_T], _T]) -> _T:
        done = self._done.get(id(value))
        if done is not None and done[0] is value:
            return done[1]  # type: ignore[return-value]
        result = redact(value)
        self._done[id(value)] = (value, result)
        return result

    def exchange(self, ex: WireExchange) -> WireExchange:
        return self._once(ex, self._exchange)

    def reproduction(self, rep: Reproduction) -> Reproduction:
        return self._once(rep, self._reproduction)

    def _learn(self, report: RunReport) -> None:
        self.url(report.target)
        for outcome in report.outcomes:
            for part in (outcome.exchange, outcome.reproduction):
                if part is not None:
                    self.url(part.url)
                    self.headers(part.headers)
            if outcome.exchange is not None:
                self.headers(outcome.exchange.response_headers)

    def _exchange(self, ex: WireExchange) -> WireExchange:
        headers = self.headers(ex.headers)
        response_headers = self.headers(ex.response_headers)
        url = self.url(ex.url)
        return replace(
            ex, url=url, headers=headers, response_headers=response_headers,
            body=self.body(ex.body), response_body=self.body(ex.response_body),
            error=None if ex.error is None else self.text(ex.error),
        )

    def _reproduction(self, rep: Reproduction) -> Reproduction:
        headers = self.headers(rep.headers)
        url = self.url(rep.url)
        return replace(rep, url=url, headers=headers, body=self.body(rep.body),
                       region=self.text(rep.region),
                       tamper=None if rep.tamper is None else self.text(rep.tamper))

    def outcome(self, outcome: CheckOutcome) -> CheckOutcome:
        exchange = None if outcome.exchange is None else self.exchange(outcome.exchange)
        reproduction = (None if outcome.reproduction is None
                        else self.reproduction(outcome.reproduction))
        return replace(
            outcome, check_id=self.text(outcome.check_id), message=self.text(outcome.message),
            rule_id=None if outcome.rule_id is None else self.text(outcome.rule_id),
            expected=self.text(outcome.expected), actual=self.text(outcome.actual),
            exchange=exchange, reproduction=reproduction,
        )

    def probe(self, probe: ProbeResult) -> ProbeResult:
        return replace(probe, name=self.text(probe.name), detail=self.text(probe.detail))

    def drift(self, drift: RuleDrift) -> RuleDrift:
        return replace(drift, rule_id=self.text(drift.rule_id), observed=self.text(drift.observed),
                       expected=tuple((self.text(c), self.text(p)) for c, p in drift.expected))

    def report(self, report: RunReport) -> RunReport:
        """The whole run scrubbed, with everything its headers and URLs teach learned first
        (so a signature echoed in an early message is masked even though the header that
        carried it came later, and nothing is cut short before it is recognised)."""
        self._learn(report)
        self._done.clear()  # copies made while streaming knew less
        return replace(
            report, target=self.url(report.target), profile=self.text(report.profile),
            region=self.text(report.region), started=self.text(report.started),
            finished=self.text(report.finished),
            outcomes=tuple(self.outcome(o) for o in report.outcomes),
            drift=tuple(self.drift(d) for d in report.drift),
            probes=tuple(self.probe(p) for p in report.probes),
            created=tuple(self.text(t) for t in report.created),
            stopped=tuple(self.text(t) for t in report.stopped),
            coverage={self.text(k): tuple(self.text(v) for v in vs)
                      for k, vs in report.coverage.items()},
        )
