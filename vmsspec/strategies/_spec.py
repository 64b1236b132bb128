"""What the strategies generate from: the rule catalog of a profile, as a tree.

Every bound, enum, const, pattern and required set comes from ``rules(profile)``, so
a profile's schema patch or an edited schema changes what is generated without a
change here. Patterns are the exception that proves the rule: generating from a regex
is what makes generic generators slow, so each pattern the schema uses has a
structured generator in ``_text``, looked up by the pattern's exact text; a pattern
with no generator is refused when the strategy is built (``UnsupportedSchema``),
never silently generated wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..contract import Profile, Rule, get_profile, rules
from ..contract._catalog import CONSTRAINT_KEYWORDS
from ..contract._paths import BODY, join

__all__ = ["Node", "Spec", "UnsupportedSchema", "spec_for"]


class UnsupportedSchema(ValueError):
    """The schema uses something the fast generators were not written for."""


@dataclass
class Node:
    """One parameter pattern (``PhoneList[].Ext``) and the keywords that constrain it."""

    pattern: str
    keywords: dict[str, Any] = field(default_factory=dict)
    properties: list[str] = field(default_factory=list)
    """Child property names in schema order (objects only)."""
    required: frozenset[str] = frozenset()

    @property
    def type(self) -> str | None:
        value = self.keywords.get("type")
        return value if isinstance(value, str) else None

    def get(self, keyword: str, default: Any = None) -> Any:
        return self.keywords.get(keyword, default)

    def child(self, name: str) -> str:
        return join(self.pattern, name)

    @property
    def items(self) -> str:
        return f"{self.pattern}[]"


@dataclass(frozen=True)
class Spec:
    """A profile's catalog, arranged for generation."""

    profile: Profile
    catalog: Mapping[str, Rule]
    nodes: Mapping[str, Node]

    @property
    def disabled(self) -> frozenset[str]:
        return self.profile.disabled

    @property
    def coercions(self) -> tuple[str, ...]:
        return self.profile.coercions

    def node(self, pattern: str) -> Node:
        try:
            return self.nodes[pattern]
        except KeyError:
            raise UnsupportedSchema(f"the catalog has no parameter {pattern!r}") from None

    def value(self, rule_id: str, default: Any = None) -> Any:
        rule = self.catalog.get(rule_id)
        return default if rule is None else rule.value

    def enabled(self, rule_id: str) -> bool:
        return rule_id in self.catalog and rule_id not in self.disabled

    @property
    def body(self) -> Node:
        return self.nodes[BODY]

    @property
    def optional(self) -> tuple[str, ...]:
        """Top-level parameters a valid body may leave out, in schema order."""
        body = self.body
        return tuple(p for p in body.properties if p not in body.required)


def _parent(pattern: str) -> tuple[str, str | None]:
    """(parent pattern, property name or None for an array's items)."""
    if pattern.endswith("[]"):
        return pattern[:-2], None
    if "." in pattern:
        parent, _, name = pattern.rpartition(".")
        return parent, name
    return BODY, pattern


def _ensure(nodes: dict[str, Node], pattern: str) -> Node:
    node = nodes.get(pattern)
    if node is not None:
        return node
    node = nodes[pattern] = Node(pattern)
    if pattern != BODY:
        parent_pattern, name = _parent(pattern)
        parent = _ensure(nodes, parent_pattern)
        if name is not None and name not in parent.properties:
            parent.properties.append(name)
    return node


@lru_cache(maxsize=32)
def _build(profile: Profile) -> Spec:
    catalog = {r.id: r for r in rules(profile)}
    nodes: dict[str, Node] = {}
    _ensure(nodes, BODY)
    for rule in catalog.values():
        if rule.origin != "schema":
            continue
        pattern, _, keyword = rule.id.rpartition(":")
        if keyword == "required":
            # The id names the child; the value is the parent's whole required list.
            _ensure(nodes, pattern)
            names = rule.value if isinstance(rule.value, list) else []
            _ensure(nodes, _parent(pattern)[0]).required = frozenset(map(str, names))
            continue
        if keyword not in CONSTRAINT_KEYWORDS:
            continue  # conditional rules with an x-rule id: handled by name in _valid
        _ensure(nodes, pattern).keywords[keyword] = rule.value
    return Spec(profile, catalog, nodes)


def spec_for(profile: str | Profile) -> Spec:
    """The generation view of ``profile``, built once per distinct profile."""
    return _build(get_profile(profile))
