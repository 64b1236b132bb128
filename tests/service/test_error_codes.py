"""The error catalog holds every code the vendor documents, as the vendor documents it."""

from __future__ import annotations

import pytest

from vmsspec import ERROR_CODES, REFUSALS

# Copied from the project's reference notes on the vendor's pages (FACTS section 4):
# code -> (CodeN, HTTP status); None where the vendor gives none.
VENDOR_WIDE = {
    "MissingParameter": (100002, 400), "MissingAuthenticationToken": (100003, 401),
    "MissingRequestInfo": (100004, 400), "MissingSignature": (100005, 401),
    "InvalidTimestamp": (100006, 400), "ServiceNotFound": (100007, 404),
    "InvalidActionOrVersion": (100008, 404), "InvalidAccessKey": (100009, 401),
    "SignatureDoesNotMatch": (100010, 401), "LackPolicy": (100012, 403),
    "AccessDenied": (100013, 403), "InternalError": (100014, 500),
    "FailToConnect": (100015, None), "InternalServiceTimeout": (100016, None),
}
SEED = {"MissingParameter": 400, "InvalidParameter": 400, "OperationDenied": 400,
        "QuotaExceeded": 400, "IdempotentParameterMismatch": 400, "DryRunOperation": 400,
        "InternalError": 500}
VMS_BUSINESS = ("PhoneListExceedLimit", "SelectNumberOverLimit", "ExceedMaxConcurrency",
                "ExceedTaskNumLimit", "ForbidTimeParseFail")


@pytest.mark.parametrize("code", sorted(VENDOR_WIDE))
def test_vendor_wide_codes_carry_their_code_n_and_status(code: str) -> None:
    code_n, status = VENDOR_WIDE[code]
    entry = ERROR_CODES[code]
    assert entry.code_n == code_n
    if status is not None:
        assert entry.status == status
    else:  # no status on the vendor's page: the choice says so
        assert "vmsspec choice" in entry.source


@pytest.mark.parametrize("code", sorted(SEED))
def test_seed_codes_carry_the_seeds_status(code: str) -> None:
    assert ERROR_CODES[code].status == SEED[code]
    assert "seed" in ERROR_CODES[code].source


@pytest.mark.parametrize("code", VMS_BUSINESS)
def test_vms_business_codes_are_listed(code: str) -> None:
    assert ERROR_CODES[code].source.startswith("vms page")


def test_throttling_is_429() -> None:
    assert ERROR_CODES["Throttling"].status == 429


def test_every_message_formats_without_a_dangling_placeholder() -> None:
    for entry in ERROR_CODES.values():
        text = entry.format("X" if entry.names_parameter and not entry.default_parameter
                            else None)
        assert "%s" not in text and "  " not in text and text.endswith("."), entry.code


def test_each_refusal_names_a_catalog_code_and_says_why() -> None:
    for key, refusal in REFUSALS.items():
        assert refusal.code in ERROR_CODES, key
        assert refusal.why and refusal.rule
        entry = ERROR_CODES[refusal.code]
        if entry.names_parameter:  # the message names what was refused
            assert refusal.parameter and refusal.parameter in entry.format(refusal.parameter)
    assert REFUSALS["method"].status == 404
    assert "vmsspec choice" in REFUSALS["method"].why
