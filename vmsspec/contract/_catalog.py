"""The rule catalog: every rule of the contract with its id, parameter, code and source.

Schema rules are read off the request schema (one rule per constraint keyword per
parameter, so a changed bound changes the catalog); rules JSON Schema cannot state are
declared in ``_python_rules``. Ids look like ``<parameter pattern>:<check>``, e.g.
``PhoneList[].Ext:maxLength`` or ``EndTime:not-before-start``; a subschema may name
its rule explicitly with ``x-rule``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._errors import error_code
from ._model import Rule
from ._paths import BODY, join

__all__ = [
    "CONSTRAINT_KEYWORDS",
    "default_code",
    "describe",
    "rule_id",
    "schema_rules",
    "source_of",
]

# Keywords that constrain a value (annotations, applicators and $ref are not rules).
CONSTRAINT_KEYWORDS = (
    "required", "type", "enum", "const", "minimum", "maximum", "minLength", "maxLength",
    "pattern", "minItems", "maxItems", "uniqueItems", "additionalProperties",
)


def default_code(holder: Mapping[str, Any], keyword: str) -> str:
    overrides: Mapping[str, str] = holder.get("x-error-code", {})
    if keyword in overrides:
        return overrides[keyword]
    if "*" in overrides:
        return overrides["*"]
    return "MissingParameter" if keyword == "required" else "InvalidParameter"


def source_of(holder: Mapping[str, Any], keyword: str, prop: str | None = None) -> str:
    per_keyword: Mapping[str, str] = holder.get("x-keyword-source", {})
    if prop is not None and f"{keyword}:{prop}" in per_keyword:
        return per_keyword[f"{keyword}:{prop}"]
    if keyword in per_keyword:
        return per_keyword[keyword]
    return str(holder.get("x-source", "unspecified"))


def rule_id(holder: Mapping[str, Any], keyword: str, pattern: str, prop: str | None = None) -> str:
    explicit = holder.get("x-rule")
    if explicit:
        return str(explicit)
    if keyword == "required" and prop is not None:
        return f"{join(pattern, prop)}:required"
    return f"{pattern}:{keyword}"


def describe(keyword: str, value: Any, prop: str | None = None) -> str:
    if keyword == "required":
        return f"{prop} must be present"
    if keyword == "additionalProperties":
        return "no parameters other than the documented ones"
    if keyword == "uniqueItems":
        return "items must not repeat"
    if keyword in ("enum", "const", "type", "pattern"):
        return f"{keyword} {value!r}" if keyword != "type" else f"must be of type {value}"
    return f"{keyword} {value}"


def _resolve_local(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are walked, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]


def _walk(root: Mapping[str, Any], node: Mapping[str, Any], pattern: str) -> Iterator[Rule]:
    if "$ref" in node:
        yield from _walk(root, _resolve_local(root, node["$ref"]), pattern)
    errata = tuple(node.get("x-erratum", ()))
    for keyword in CONSTRAINT_KEYWORDS:
        if keyword not in node:
            continue
        value = node[keyword]
        if keyword == "additionalProperties" and value is not False:
            continue
        props: list[str | None] = list(value) if keyword == "required" else [None]
        for prop in props:
            code = default_code(node, keyword)
            yield Rule(
                id=rule_id(node, keyword, pattern, prop),
                parameter=join(pattern, prop) if prop else pattern,
                code=code,
                outcome="reject",
                source=source_of(node, keyword, prop),
                description=describe(keyword, value, prop),
                origin="schema",
                errata=errata,
                value=value,
            )
    for name, sub in node.get("properties", {}).items():
        yield from _walk(root, sub, join(pattern, name))
    if "items" in node:
        yield from _walk(root, node["items"], f"{pattern}[]")
    if "then" in node:
        yield from _walk(root, node["then"], pattern)


def schema_rules(schema: Mapping[str, Any]) -> list[Rule]:
    """Every constraint of ``schema`` as a rule, in document order, ids unique."""
    seen: dict[str, Rule] = {}
    for rule in _walk(schema, schema, BODY):
        error_code(rule.code)  # an unknown code in x-error-code is a schema bug: fail loudly
        seen.setdefault(rule.id, rule)
    return list(seen.values())
