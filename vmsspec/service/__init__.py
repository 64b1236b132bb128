"""The reference service: a sans-IO model of CreateTask that every adapter serves."""

from ..signing import redact_headers, redact_target
from ._faults import FAULT_KINDS, Fault, FaultQueue
from ._http import HttpRequest, HttpResponse
from ._recording import Exchange, NonConformantRequests, Recorder
from ._service import MAX_ACTIVE_TASKS, TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService, Task

__all__ = [
    "FAULT_KINDS",
    "MAX_ACTIVE_TASKS",
    "TEST_ACCESS_KEY",
    "TEST_SECRET_KEY",
    "Exchange",
    "Fault",
    "FaultQueue",
    "HttpRequest",
    "HttpResponse",
    "NonConformantRequests",
    "Recorder",
    "ReferenceService",
    "Task",
    "redact_headers",
    "redact_target",
]
