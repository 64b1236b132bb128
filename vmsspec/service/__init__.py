"""The reference service: a sans-IO model of CreateTask that every adapter serves."""

from ..signing import redact_headers, redact_target
from ._faults import FAULT_KINDS, MAX_PENDING, FaultQueue, ForcedAnswer, fail_types
from ._gateway import GATEWAY_502_PAGE, MISSING_CONTENT_TYPE
from ._http import HttpRequest, HttpResponse
from ._recording import Exchange, NonConformantRequests, Recorder
from ._service import (
    DEFAULT_REGIONS,
    MAX_ACTIVE_TASKS,
    MAX_STOPPED_TASKS,
    TEST_ACCESS_KEY,
    TEST_SECRET_KEY,
    ReferenceService,
    Task,
)

__all__ = [
    "DEFAULT_REGIONS",
    "FAULT_KINDS",
    "GATEWAY_502_PAGE",
    "MAX_ACTIVE_TASKS",
    "MAX_PENDING",
    "MAX_STOPPED_TASKS",
    "MISSING_CONTENT_TYPE",
    "TEST_ACCESS_KEY",
    "TEST_SECRET_KEY",
    "Exchange",
    "FaultQueue",
    "ForcedAnswer",
    "HttpRequest",
    "HttpResponse",
    "NonConformantRequests",
    "Recorder",
    "ReferenceService",
    "Task",
    "fail_types",
    "redact_headers",
    "redact_target",
]
