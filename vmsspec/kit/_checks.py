"""The judgements scenarios share: was a request sent as given, was a call a success."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from .._endpoint import ACTION, VERSION
from ..service import Exchange
from ._surface import envelope_error, task_id_of
from ._target import Call, Target

__all__ = ["difference", "request_problems", "success_problems"]

_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/")


def _kind(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


def difference(given: Any, sent: Any, where: str = "") -> str | None:
    """The first way ``sent`` (the body on the wire) differs from ``given``, type-strictly:
    ``1`` is not ``"1"``, ``True`` is not ``1``; None when they are the same JSON."""
    label = where or "the body"
    if type(given) is not type(sent):
        if _kind(given) == "integer" and isinstance(sent, str):
            return (f"integers sent as strings: {label} was given {given!r} (integer), "
                    f"the body carried {json.dumps(sent)} (string)")
        return (f"{label} was given {json.dumps(given, ensure_ascii=False)[:80]} "
                f"({_kind(given)}), the body carried "
                f"{json.dumps(sent, ensure_ascii=False)[:80]} ({_kind(sent)})")
    if isinstance(given, dict):
        for key in given:
            path = f"{where}.{key}" if where else key
            if key not in sent:
                return f"a parameter silently dropped: {path} was given, the body lacks it"
            found = difference(given[key], sent[key], path)
            if found:
                return found
        extra = sorted(set(sent) - set(given))
        if extra:
            return f"parameters added that were not given: {', '.join(extra)} in {label}"
        return None
    if isinstance(given, list):
        if len(given) != len(sent):
            return f"{label} was given {len(given)} items, the body carried {len(sent)}"
        for i, (a, b) in enumerate(zip(given, sent, strict=True)):
            found = difference(a, b, f"{where}.{i}")
            if found:
                return found
        return None
    if given != sent:
        return (f"{label} was given {json.dumps(given, ensure_ascii=False)[:80]}, "
                f"the body carried {json.dumps(sent, ensure_ascii=False)[:80]}")
    return None


def _header(exchange: Exchange, name: str) -> str | None:
    for key, value in exchange.headers:
        if key.lower() == name:
            return value
    return None


def request_problems(exchange: Exchange, body: bytes, params: Mapping[str, Any],
                     target: Target) -> list[str]:
    """What is wrong with one request the client sent for ``params`` (``body`` in full)."""
    problems = []
    query = dict(parse_qsl(exchange.target.partition("?")[2]))
    if (query.get("Action"), query.get("Version")) != (ACTION, VERSION):
        problems.append(f"query carried Action={query.get('Action')!r}, "
                        f"Version={query.get('Version')!r}; expected {ACTION}, {VERSION}")
    content_type = (_header(exchange, "content-type") or "").lower()
    if not content_type.startswith("application/json"):
        problems.append(f"Content-Type {content_type or '(none)'!r}; expected application/json")
    authorization = _header(exchange, "authorization") or ""
    scope = _SCOPE.search(authorization)
    if scope is None:
        problems.append("request not signed: no Authorization credential scope")
    elif scope.group(1) != target.region:
        problems.append(f"wrong region: signed for {scope.group(1)!r}, the client was "
                        f"configured for {target.region!r}")
    if exchange.signature is not None:
        problems.append(f"signature refused: {exchange.signature}: {exchange.signature_reason}")
    try:
        sent = json.loads(body)
    except ValueError:
        problems.append(f"body is not JSON: {body[:60]!r}")
    else:
        found = difference(dict(params), sent)
        if found:
            problems.append(found)
    problems += [f"contract: rule {rule}, parameter {parameter} ({code})"
                 for code, parameter, rule in exchange.violations
                 if not any(rule in p for p in problems)]
    return problems


def success_problems(call: Call, exchanges: Sequence[Exchange], tasks: Mapping[str, Any]
                     ) -> list[str]:
    """What is wrong with a call that should have created a task."""
    if call.error is not None:
        return [f"the client raised {type(call.error).__name__}: {str(call.error)[:200]}"]
    if envelope_error(call.result) is not None:
        return [f"the client returned an error envelope as its result: "
                f"{envelope_error(call.result)}"]
    task_id = task_id_of(call.result)
    if task_id not in tasks:
        return [f"the client surfaced task id {task_id!r}; the service created "
                f"{sorted(tasks)!r} over {len(exchanges)} request(s)"]
    return []
