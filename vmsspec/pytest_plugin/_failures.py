"""What a non-conformant request looks like in a test failure: rule, parameter, expected, actual.

One block per bad request. A contract violation names the rule id and the parameter, and
puts the rule's statement (expected) beside the value the client sent (actual). A
signature failure shows the server's canonical request and string to sign beside what
the request declared (its Authorization scope and signed headers, never a signature).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..contract import UnusableBody, parse_body, rules
from ..service import Exchange
from ._redact import scrub

__all__ = ["describe_failures", "value_at"]

_ABSENT = object()
_MAX_VALUE = 200


def value_at(body: Any, parameter: str) -> Any:
    """The value at a dotted parameter (``PhoneList.3.Ext``), or ``_ABSENT``."""
    node = body
    for part in parameter.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _ABSENT
    return node


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(not sent)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE] + f"... ({len(text)} chars)"


def _declared(exchange: Exchange) -> list[str]:
    wanted = ("authorization", "x-date", "x-content-sha256", "content-type", "host")
    return [f"{name}: {value}" for name, value in exchange.headers if name.lower() in wanted]


def _block(number: int, exchange: Exchange, catalog: Mapping[str, Any]) -> list[str]:
    head = f"request {number}: {exchange.method} {exchange.target} -> {exchange.status}"
    lines = [head + (f" {exchange.code}" if exchange.code else "")]
    if exchange.signature is not None:
        lines.append(f"  signature: {exchange.signature}: {exchange.signature_reason}")
        explain = getattr(exchange, "signature_explain", "")
        if explain:
            lines.append("    the server computed:")
            lines += [f"      {line}" for line in explain.splitlines()]
        lines.append("    the request declared:")
        lines += [f"      {line}" for line in _declared(exchange)]
    if not getattr(exchange, "validated", True):
        reason = getattr(exchange, "not_validated_reason", "") or "not validated"
        lines.append(f"  body not checked: {reason}")
    try:
        body: Any = parse_body(exchange.body) if exchange.violations else None
    except UnusableBody:
        body = None
    for code, parameter, rule_id in exchange.violations:
        rule = catalog.get(rule_id)
        lines.append(f"  rule {rule_id}, parameter {parameter}: answered {code}")
        lines.append(f"    expected: {rule.description if rule is not None else rule_id}")
        if body is not None:
            lines.append(f"    actual:   {_show(value_at(body, parameter))}")
    return lines


def describe_failures(exchanges: Sequence[Exchange], *, profile: str,
                      secrets: Iterable[str] = ()) -> str | None:
    """The failure text for the non-conformant ones among ``exchanges``, None if all are."""
    bad = [(n, e) for n, e in enumerate(exchanges, 1) if not e.conformant]
    if not bad:
        return None
    catalog = {rule.id: rule for rule in rules(profile)}
    lines = [f"{len(bad)} of {len(exchanges)} requests the client sent broke the CreateTask "
             f"contract (profile {profile}):"]
    for number, exchange in bad:
        lines += _block(number, exchange, catalog)
    return scrub("\n".join(lines), secrets)
