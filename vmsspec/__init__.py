"""vmsspec: contract testing for the Volcengine VMS CreateTask API (version 2022-01-01).

The public API is re-exported here; modules whose names start with an underscore are
implementation details.
"""

from ._endpoint import ACTION, VERSION
from ._errors import ERROR_CODES, REFUSALS, ErrorCode, Refusal
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
    RequestValidator,
    Rule,
    UnusableBody,
    Violation,
    get_profile,
    parse_body,
    request_validator,
    rules,
    validate_request,
)
from .contract._responses import (
    ResponseFinding,
    check_error_response,
    check_response,
    check_success_response,
)
from .service import (
    TEST_ACCESS_KEY,
    TEST_SECRET_KEY,
    Exchange,
    HttpRequest,
    HttpResponse,
    NonConformantRequests,
    ReferenceService,
)
from .signing import (
    Credentials,
    CredentialStore,
    Secret,
    SignedRequest,
    Verification,
    sign_request,
    verify_request,
)

__version__ = "0.1.0"


__all__ = [
    "ACTION",
    "DOCUMENTED",
    "ERRATA",
    "ERROR_CODES",
    "EXAMPLES",
    "EXAMPLE_COMPATIBLE",
    "PROFILES",
    "REFUSALS",
    "TEST_ACCESS_KEY",
    "TEST_SECRET_KEY",
    "VERSION",
    "CredentialStore",
    "Credentials",
    "Erratum",
    "ErrorCode",
    "Exchange",
    "Expectation",
    "FailItem",
    "HttpRequest",
    "HttpResponse",
    "NonConformantRequests",
    "Profile",
    "ReferenceService",
    "Refusal",
    "RequestValidator",
    "ResponseFinding",
    "Rule",
    "Secret",
    "SignedRequest",
    "UnusableBody",
    "Verification",
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
    "request_validator",
    "rules",
    "sign_request",
    "validate_request",
    "verify_request",
]
