"""The vendor's error codes: one table that every part of vmsspec answers from.

Sources: the CreateTask page's error table ("seed"), the vendor's common error-code
page ("vendor page", which also gives the numeric ``CodeN``), and the VMS task pages
("vms page") for the business codes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ERROR_CODES", "REFUSALS", "ErrorCode", "Refusal", "error_code"]


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    message: str
    """Message template; ``%s`` is replaced by the parameter name where there is one."""
    source: str
    code_n: int | None = None
    default_parameter: str | None = None
    """What ``%s`` names when no parameter is given (business codes name one field)."""

    @property
    def names_parameter(self) -> bool:
        return "%s" in self.message

    def format(self, parameter: str | None = None) -> str:
        if self.names_parameter:
            return self.message.replace("%s", parameter or self.default_parameter or "")
        return self.message


def _table(*codes: ErrorCode) -> dict[str, ErrorCode]:
    return {c.code: c for c in codes}


ERROR_CODES: dict[str, ErrorCode] = _table(
    # seed page error table (HTTP 400 unless noted); CodeN from the vendor-wide table
    ErrorCode("MissingParameter", 400, "The required parameter %s is missing.",
              "seed error table", 100002),
    ErrorCode("InvalidParameter", 400, "The specified parameter %s is invalid.",
              "seed error table"),
    ErrorCode(
        "OperationDenied", 400,
        "Operation is denied because the specified resource is in use.", "seed error table",
    ),
    ErrorCode("QuotaExceeded", 400, "%s has exceeded the quota.", "seed error table",
              default_parameter="body"),
    ErrorCode(
        "IdempotentParameterMismatch", 400,
        "Parameters mismatch the previous request with a same ClientToken.", "seed error table",
    ),
    ErrorCode(
        "DryRunOperation", 400,
        "The request is validated by a dryrun operation.", "seed error table",
    ),
    ErrorCode(
        "InternalError", 500,
        "The request has failed due to an unknown error.", "seed error table", 100014,
    ),
    # vendor-wide gateway codes
    ErrorCode(
        "MissingAuthenticationToken", 401,
        "The request must contain a valid Authorization or X-Credential.", "vendor page", 100003,
    ),
    ErrorCode("MissingRequestInfo", 400, "The request is missing %s.", "vendor page", 100004,
              default_parameter="body"),
    ErrorCode("MissingSignature", 401, "The request signature is missing.", "vendor page", 100005),
    ErrorCode(
        "InvalidTimestamp", 400,
        "The request timestamp is missing, malformed or outside the allowed window.",
        "vendor page (one page says 403)", 100006,
    ),
    ErrorCode("ServiceNotFound", 404, "The specified service is not found.", "vendor page", 100007),
    ErrorCode(
        "InvalidActionOrVersion", 404,
        "The specified action or version is invalid.", "vendor page", 100008,
    ),
    ErrorCode(
        "InvalidAccessKey", 401, "The specified access key is not valid.", "vendor page", 100009,
    ),
    ErrorCode(
        "SignatureDoesNotMatch", 401,
        "The request signature we calculated does not match the signature you provided.",
        "vendor page", 100010,
    ),
    ErrorCode(
        "LackPolicy", 403, "The user lacks the policy this action requires.", "vendor page",
        100012,
    ),
    ErrorCode("AccessDenied", 403, "Access is denied.", "vendor page", 100013),
    # The vendor page gives no HTTP status for these two: a gateway that cannot reach or
    # wait for the service answers 502 and 504 (vmsspec choice, RFC 9110 15.6.3 and 15.6.5).
    ErrorCode(
        "FailToConnect", 502, "The gateway failed to connect to the service.",
        "vendor page (HTTP status: vmsspec choice)", 100015,
    ),
    ErrorCode(
        "InternalServiceTimeout", 504, "The service did not answer in time.",
        "vendor page (HTTP status: vmsspec choice)", 100016,
    ),
    ErrorCode("Throttling", 429, "The request was throttled.", "vendor page (HTTP 429)"),
    # VMS task business codes (HTTP status undocumented: 400, like the seed's codes)
    ErrorCode(
        "PhoneListExceedLimit", 400,
        "The parameter %s has more than 10000 phones.", "vms page",
        default_parameter="PhoneList",
    ),
    ErrorCode(
        "SelectNumberOverLimit", 400,
        "The parameter %s has more than 1000 caller numbers.", "vms page",
        default_parameter="NumberList",
    ),
    ErrorCode("ExceedMaxConcurrency", 400, "The parameter %s exceeds the account's concurrency.",
              "vms page", default_parameter="Concurrency"),
    ErrorCode("ExceedTaskNumLimit", 400, "The account already has 50 running tasks.", "vms page"),
    ErrorCode("ForbidTimeParseFail", 400, "The parameter %s is not a valid forbid time.",
              "vms page", default_parameter="ForbidTimeList"),
)


@dataclass(frozen=True)
class Refusal:
    """How the gateway refuses a request for its HTTP form rather than its body."""

    code: str
    parameter: str | None
    rule: str
    """The rule id a recorded exchange names for it (like the contract's rule ids)."""
    why: str
    """Where the choice comes from; "vmsspec choice" where no vendor source gives one."""

    @property
    def status(self) -> int:
        return ERROR_CODES[self.code].status


# One table, read by the service, and by checks and reports that explain an answer.
REFUSALS: dict[str, Refusal] = {
    "missing-host": Refusal(
        "MissingRequestInfo", "Host", "Host:required",
        "RFC 9112 3.2: an HTTP/1.1 request without Host is answered 400; the envelope is "
        "the vendor's MissingRequestInfo (400), the gateway's code for a request it cannot "
        "read (vmsspec choice of code)"),
    "duplicate-host": Refusal(
        "InvalidParameter", "Host", "Host:unique",
        "RFC 9112 3.2: more than one Host is answered 400 (InvalidParameter naming Host, "
        "vmsspec choice of code)"),
    "route": Refusal(
        "InvalidActionOrVersion", "Action", "query:route",
        "FACTS 1: a wrong Action or Version is InvalidActionOrVersion (404)"),
    "method": Refusal(
        "InvalidActionOrVersion", None, "http:method",
        "vmsspec choice: the vendor's gateway routes on the method with Action and Version "
        "(CreateTask is registered for POST only, FACTS 1), so another method finds no API: "
        "404 InvalidActionOrVersion, a code every official SDK knows, rather than a 405 "
        "envelope with a code no vendor page lists"),
    "body-size": Refusal(
        "QuotaExceeded", "body", "body:size",
        "seed error table (QuotaExceeded); refused before authentication, as a gateway "
        "refuses what it will not read"),
    "content-type": Refusal(
        "InvalidParameter", "Content-Type", "Content-Type:media-type",
        "vmsspec choice: FACTS 1 says the body is JSON and every official SDK sends "
        "application/json (FACTS 7); another media type names the header that is wrong "
        "with the seed's generic InvalidParameter (400), there being no vendor code for it"),
    "missing-content-type": Refusal(
        "MissingRequestInfo", "Content-Type", "Content-Type:required",
        "vmsspec choice, only under missing_content_type='refuse': no source says what the "
        "gateway does; every official SDK sends Content-Type (FACTS 7)"),
    "region": Refusal(
        "SignatureDoesNotMatch", None, "auth:region",
        "FACTS 7 and erratum 13: the credential scope must name a region the service "
        "accepts (cn-beijing, cn-north-1 by default); the verifier answers it, its message "
        "naming the region (vmsspec.signing documents the choice of code)"),
}


def error_code(code: str) -> ErrorCode:
    """The entry for ``code``; unknown codes are a programming error."""
    return ERROR_CODES[code]
