"""An OpenAPI 3.1 description of CreateTask, built from the JSON Schemas.

OpenAPI 3.1 speaks JSON Schema 2020-12, so the schemas go in unchanged except for
where their definitions live: every ``$defs`` entry moves to ``components/schemas``
and every ``$ref`` (local or to another schema file) is rewritten to point there.

The document says what the reference service enforces, so that a generator driven by it
(Schemathesis) sends what the service accepts when it means to: the date-time pattern is
tightened to real months, days and times (the request schema leaves that to the
``StartTime:calendar`` rules, which name it precisely); what no JSON Schema can state (the
calendar, EndTime not before StartTime, the FailList, the stateful answers) is written in
the operation's description.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ._errors import ERROR_CODES
from ._examples import example_bytes
from ._schemas import SCHEMA_FILES, load_schema

# Year 0001-9999, month 01-12, day 01-31, 00:00:00-23:59:59: refuses 0000-00-00 00:00:00,
# month 13, 24:00:00. Days past a month's end and 29 February outside leap years still
# match: the description says so, and the service answers them InvalidParameter.
CALENDAR_PATTERN = (
    "^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(?:0[1-9]|1[0-2])-"
    "(?:0[1-9]|[12][0-9]|3[01]) (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
)

_DESCRIPTION = """\
Create a voice notification task. The body is a JSON object (Content-Type
application/json); the request is signed with HMAC-SHA256 (Volcengine SignerV4: X-Date,
optionally X-Content-Sha256, and Authorization; see `vmsspec sign --explain`). Only POST
reaches the API.

What the schema cannot state, and the service enforces:
- StartTime and EndTime are real calendar times (no 2025-02-30 00:00:00, no 29 February
  outside a leap year): InvalidParameter naming the parameter.
- EndTime is not earlier than StartTime (equal is accepted, as the seed's example sends).
- Each ForbidTimeList window starts before it ends: ForbidTimeParseFail.
- Per-phone problems do not fail the call: the phone is listed in Result.FailList
  (INVALID_PHONE_FORMAT, REDUPLICATED_ITEM with Unique true, PARAM_NOT_JSON,
  TTS_EMPTY_CONTENT with Type 3).
- Stateful answers: DryRun true is answered DryRunOperation (400) and creates nothing; a
  ClientToken reused with another body is IdempotentParameterMismatch (400); past 50 active
  tasks, ExceedTaskNumLimit (400).
- Authentication failures: MissingAuthenticationToken, MissingSignature, InvalidAccessKey,
  SignatureDoesNotMatch (401), InvalidTimestamp (400).
"""

__all__ = ["openapi_document"]

_COMPONENT = {"request": "CreateTaskRequest", "response": "CreateTaskResponse",
              "error": "ErrorResponse"}


def _rewrite_refs(node: Any, file_of: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                target, _, fragment = value.partition("#")
                name = fragment.rsplit("/", 1)[-1] if fragment else _COMPONENT[file_of[target]]
                out[key] = f"#/components/schemas/{name}"
            else:
                out[key] = _rewrite_refs(value, file_of)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, file_of) for v in node]
    return node


# Authorization is described by the security scheme: OpenAPI 3.1 (section 4.8.12.1)
# says a header parameter named Authorization SHALL be ignored.
_SIGNING_HEADERS = (
    {"name": "X-Date", "in": "header", "required": True,
     "description": "The signing time, UTC, as 20250527T114634Z; signed (x-date is the one "
                    "header every signature must cover) and at most 15 minutes from the "
                    "server's clock, else InvalidTimestamp.",
     "schema": {"type": "string", "pattern": "^[0-9]{8}T[0-9]{6}Z$"}},
    {"name": "X-Content-Sha256", "in": "header", "required": False,
     "description": "Lowercase hex SHA-256 of the body bytes. Optional: when sent it must "
                    "be the received body's hash (SignatureDoesNotMatch otherwise); when "
                    "absent the server hashes the body itself.",
     "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
)


def _examples() -> dict[str, Any]:
    example = json.loads(example_bytes("example-request"))
    minimal = {k: example[k] for k in ("Name", "Resource", "NumberPoolNo", "StartTime",
                                        "EndTime", "Concurrency")}
    return {
        "with-fail-list": {
            "summary": "Valid; the repeated phone is listed as REDUPLICATED_ITEM",
            "value": example},
        "minimal": {"summary": "Only the required parameters", "value": minimal},
    }


def openapi_document() -> dict[str, Any]:
    file_of = {filename: name for name, filename in SCHEMA_FILES.items()}
    components: dict[str, Any] = {}
    for name in ("metadata", "request", "response", "error"):
        schema = copy.deepcopy(load_schema(name))
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        for def_name, definition in schema.pop("$defs", {}).items():
            components[def_name] = _rewrite_refs(definition, file_of)
        if name == "request":
            components["DateTime"]["pattern"] = CALENDAR_PATTERN
        if name in _COMPONENT:
            components[_COMPONENT[name]] = _rewrite_refs(schema, file_of)
    query = load_schema("query")["properties"]
    error_statuses = sorted({c.status for c in ERROR_CODES.values()})
    responses: dict[str, Any] = {
        "200": {
            "description": "Task created. Phones that were not added are listed in "
                           "Result.FailList; the call still succeeds.",
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/CreateTaskResponse"}}},
        },
    }
    for status in error_statuses:
        codes = sorted(c.code for c in ERROR_CODES.values() if c.status == status)
        responses[str(status)] = {
            "description": f"Error envelope (HTTP {status}). Codes: " + ", ".join(codes),
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Volcengine VMS CreateTask (as encoded by vmsspec)",
            "version": "2022-01-01",
            "description": "Generated by `vmsspec schema --openapi` from vmsspec's JSON Schemas. "
                           "x-source annotations say where each constraint comes from.",
        },
        "servers": [{"url": "https://cloud-vms.volcengineapi.com"}],
        "paths": {
            "/": {
                "post": {
                    "operationId": "CreateTask",
                    "summary": "Create a voice notification task",
                    "description": _DESCRIPTION,
                    "parameters": [
                        *({"name": key, "in": "query", "required": True,
                           "schema": {"type": "string", "enum": [sub["const"]]}}
                          for key, sub in query.items()),
                        *_SIGNING_HEADERS,
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/CreateTaskRequest"},
                            "examples": _examples(),
                        }},
                    },
                    "responses": responses,
                    "security": [{"volcSignature": []}],
                },
            },
        },
        "components": {
            "schemas": components,
            "securitySchemes": {
                "volcSignature": {
                    "type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "HMAC-SHA256 request signature (Volcengine SignerV4): "
                                   "`HMAC-SHA256 Credential={AK}/{yyyymmdd}/{region}/vms/"
                                   "request, SignedHeaders={names;...}, Signature={hex}`. "
                                   "SignedHeaders must include x-date; the region is "
                                   "cn-beijing or cn-north-1. See `vmsspec sign --explain`.",
                },
            },
        },
    }
