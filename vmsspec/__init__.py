"""vmsspec: contract testing for the Volcengine VMS CreateTask API (version 2022-01-01).

The public API is re-exported here; modules whose names start with an underscore are
implementation details.
"""

from ._errors import ERROR_CODES, ErrorCode
from ._examples import EXAMPLES, example_bytes
from ._schemas import load_schema, registry
from .contract import (
    DOCUMENTED,
    ERRATA,
    EXAMPLE_COMPATIBLE,
    PROFILES,
    Erratum,
    Expectation,
    FailItem,
    Profile,
    Rule,
    UnusableBody,
    Violation,
    get_profile,
    parse_body,
    rules,
    validate_request,
)
from .contract._responses import (
    ResponseFinding,
    check_error_response,
    check_response,
    check_success_response,
)

__version__ = "0.1.0"

ACTION = "CreateTask"
VERSION = "2022-01-01"

__all__ = [
    "ACTION",
    "DOCUMENTED",
    "ERRATA",
    "ERROR_CODES",
    "EXAMPLES",
    "EXAMPLE_COMPATIBLE",
    "PROFILES",
    "VERSION",
    "Erratum",
    "ErrorCode",
    "Expectation",
    "FailItem",
    "Profile",
    "ResponseFinding",
    "Rule",
    "UnusableBody",
    "Violation",
    "__version__",
    "check_error_response",
    "check_response",
    "check_success_response",
    "example_bytes",
    "get_profile",
    "load_schema",
    "parse_body",
    "registry",
    "rules",
    "validate_request",
]
