"""Find and load the JSON Schemas that are vmsspec's single source of truth.

The schemas live in the repository's top-level ``schemas/`` folder; the wheel ships
them as ``vmsspec/schemas/``. Both places are looked up so that a checkout, an
editable install and an installed wheel all read the same files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import referencing

__all__ = [
    "SCHEMA_FILES",
    "load_schema",
    "registry",
    "schema_dir",
]

SCHEMA_FILES: dict[str, str] = {
    "request": "create-task-request.json",
    "query": "create-task-query.json",
    "response": "create-task-response.json",
    "error": "error-response.json",
    "metadata": "response-metadata.json",
}


@cache
def schema_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "schemas", here.parent / "schemas"):
        if (candidate / SCHEMA_FILES["request"]).is_file():
            return candidate
    raise RuntimeError(f"vmsspec's schemas are missing: looked in {here / 'schemas'} and "
                       f"{here.parent / 'schemas'}; the installation is broken")


@cache
def _load(filename: str) -> dict[str, Any]:
    with (schema_dir() / filename).open(encoding="utf-8") as f:
        doc: dict[str, Any] = json.load(f)
    return doc


def load_schema(name: str) -> dict[str, Any]:
    """The schema called ``name`` (a key of SCHEMA_FILES). Callers must not mutate it."""
    try:
        filename = SCHEMA_FILES[name]
    except KeyError:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(SCHEMA_FILES)}") from None
    return _load(filename)


@cache
def registry() -> referencing.Registry[Any]:
    """Every schema as a resource under its ``$id``, so cross-document ``$ref`` resolves offline."""
    # Imported here: only response checks need it, and `import vmsspec` stays quick.
    import referencing
    import referencing.jsonschema

    resources = [
        (doc["$id"], referencing.jsonschema.DRAFT202012.create_resource(doc))
        for doc in (load_schema(name) for name in SCHEMA_FILES)
    ]
    return referencing.Registry().with_resources(resources).crawl()
