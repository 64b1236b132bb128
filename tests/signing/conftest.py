"""Shared fixtures for the signing tests: the documented example credentials and an
independent (test-side) implementation of the final HMAC steps."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

# The example key pair from the vendor's documentation, used by the known-answer vector.
EXAMPLE_AK = "AKLTexampleAccessKeyId0000000000"
EXAMPLE_SK = "exampleSecretKey0000000000000000000000=="
EXAMPLE_NOW = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def reference_signature(
    canonical: str,
    x_date: str = "20250527T114634Z",
    *,
    secret: str = EXAMPLE_SK,
    region: str = "cn-beijing",
    service: str = "vms",
) -> str:
    """Signature of a canonical request, computed here from the documented steps only."""
    date = x_date[:8]
    key = _hmac(_hmac(_hmac(_hmac(secret.encode(), date), region), service), "request")
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = f"HMAC-SHA256\n{x_date}\n{date}/{region}/{service}/request\n{digest}"
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@pytest.fixture(scope="session")
def ref_sig() -> Callable[..., str]:
    return reference_signature


@pytest.fixture(scope="session")
def example_creds() -> dict[str, object]:
    return {
        "access_key": EXAMPLE_AK,
        "secret_key": EXAMPLE_SK,
        "region": "cn-beijing",
        "service": "vms",
        "now": EXAMPLE_NOW,
    }
