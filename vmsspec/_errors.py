"""The vendor's error codes: one table that every part of vmsspec answers from.

Sources: the CreateTask page's error table ("seed"), the vendor's common error-code
page ("vendor page", which also gives the numeric ``CodeN``), and the VMS task pages
("vms page") for the business codes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ERROR_CODES", "ErrorCode", "error_code"]


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    message: str
    """Message template; ``%s`` is replaced by the parameter name where there is one."""
    source: str
    code_n: int | None = None

    def format(self, parameter: str | None = None) -> str:
        if "%s" in self.message:
            return self.message.replace("%s", parameter or "")
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
    ErrorCode("QuotaExceeded", 400, "%s has exceeded the quota.", "seed error table"),
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
    ErrorCode("MissingRequestInfo", 400, "The request is missing %s.", "vendor page", 100004),
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
    ErrorCode("AccessDenied", 403, "Access is denied.", "vendor page", 100013),
    ErrorCode("Throttling", 429, "The request was throttled.", "vendor page (HTTP 429)"),
    # VMS task business codes (HTTP status undocumented: 400, like the seed's codes)
    ErrorCode(
        "PhoneListExceedLimit", 400,
        "The parameter %s has more than 10000 phones.", "vms page",
    ),
    ErrorCode(
        "SelectNumberOverLimit", 400,
        "The parameter %s has more than 1000 caller numbers.", "vms page",
    ),
    ErrorCode("ExceedMaxConcurrency", 400, "The parameter %s exceeds the account's concurrency.",
              "vms page"),
    ErrorCode("ExceedTaskNumLimit", 400, "The account already has 50 running tasks.", "vms page"),
    ErrorCode("ForbidTimeParseFail", 400, "The parameter %s is not a valid forbid time.",
              "vms page"),
)


def error_code(code: str) -> ErrorCode:
    """The entry for ``code``; unknown codes are a programming error."""
    return ERROR_CODES[code]
