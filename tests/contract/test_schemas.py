"""The schemas themselves: valid 2020-12 documents, with ids and sources, resolvable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import referencing.exceptions

import vmsspec
from vmsspec._schemas import SCHEMA_FILES
from vmsspec.contract._catalog import CONSTRAINT_KEYWORDS


def subschemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if any(k in node for k in CONSTRAINT_KEYWORDS):
            yield where, node
        for key, value in node.items():
            # "if" and "not" hold conditions, not constraints: their parent is sourced
            if not key.startswith("x-") and key not in ("if", "not"):
                yield from subschemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from subschemas(value, f"{where}/{i}")


@pytest.mark.parametrize("name", list(SCHEMA_FILES))
def test_schema_is_valid_draft_2020_12_with_an_id(name: str) -> None:
    schema = vmsspec.load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://") and schema["$id"].endswith(".json")
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", list(SCHEMA_FILES))
def test_every_constraint_says_where_it_comes_from(name: str) -> None:
    unsourced = [where for where, node in subschemas(vmsspec.load_schema(name))
                 if "x-source" not in node and "x-keyword-source" not in node]
    assert unsourced == []


def test_every_integer_has_both_bounds_or_an_enum() -> None:
    loose = [where for where, node in subschemas(vmsspec.load_schema("request"))
             if node.get("type") == "integer" and "enum" not in node and "const" not in node
             and not ("minimum" in node and "maximum" in node)]
    assert loose == []


def test_patterns_use_ascii_digit_classes() -> None:
    patterns = [node["pattern"] for _, node in subschemas(vmsspec.load_schema("request"))
                if "pattern" in node]
    assert patterns and not any("\\d" in p for p in patterns)


def test_registry_resolves_the_shared_response_metadata() -> None:
    resolver = vmsspec.registry().resolver()
    resolved = resolver.lookup(
        "https://vmsspec.dev/schemas/response-metadata.json#/$defs/ResponseMetadata")
    assert "RequestId" in resolved.contents["required"]
    with pytest.raises(referencing.exceptions.Unresolvable):
        resolver.lookup("https://vmsspec.dev/schemas/missing.json")
