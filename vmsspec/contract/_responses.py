"""Checking responses against the success and error envelopes.

Responses are small, so this uses the reference ``jsonschema`` implementation with the
``referencing`` registry (the envelopes share ResponseMetadata across documents) and
keeps its precise messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .._schemas import load_schema, registry
from ._paths import parameter_pattern

if TYPE_CHECKING:
    import jsonschema

__all__ = ["ResponseFinding", "check_error_response", "check_response", "check_success_response"]


@dataclass(frozen=True)
class ResponseFinding:
    pointer: str
    """JSON pointer into the response body, e.g. ``/Result/FailList/0/Type``."""
    message: str
    rule: str
    """``response:<pattern>:<keyword>`` for the success envelope, ``error:...`` for errors."""


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    # Imported on first use: the reference validator costs ~60 ms to import, and only
    # response checks need it.
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry())


def _findings(name: str, prefix: str, body: Any) -> list[ResponseFinding]:
    out = []
    for error in sorted(_validator(name).iter_errors(body), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        pointer = "".join(f"/{p}" for p in path) or "/"
        keyword = str(error.validator)
        out.append(ResponseFinding(pointer, error.message,
                                   f"{prefix}:{parameter_pattern(path)}:{keyword}"))
    return out


def check_success_response(body: Any) -> list[ResponseFinding]:
    return _findings("response", "response", body)


def check_error_response(body: Any) -> list[ResponseFinding]:
    return _findings("error", "error", body)


def check_response(status: int, body: Any) -> list[ResponseFinding]:
    """Check a parsed response body against the envelope its HTTP status calls for."""
    if status == 200:
        return check_success_response(body)
    return check_error_response(body)
