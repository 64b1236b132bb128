"""The CreateTask contract: rules, profiles, and the validator that applies them."""

from ._errata import ERRATA, Erratum
from ._model import Expectation, FailItem, Rule, Violation
from ._profiles import (
    DOCUMENTED,
    EXAMPLE_COMPATIBLE,
    PROFILES,
    SDK_COMPATIBLE,
    Profile,
    get_profile,
)
from ._validator import (
    RequestValidator,
    UnusableBody,
    parse_body,
    request_validator,
    rules,
    validate_request,
)

__all__ = [
    "DOCUMENTED",
    "ERRATA",
    "EXAMPLE_COMPATIBLE",
    "PROFILES",
    "SDK_COMPATIBLE",
    "Erratum",
    "Expectation",
    "FailItem",
    "Profile",
    "RequestValidator",
    "Rule",
    "UnusableBody",
    "Violation",
    "get_profile",
    "parse_body",
    "request_validator",
    "rules",
    "validate_request",
]
