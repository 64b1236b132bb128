"""Volcengine request signing (HMAC-SHA256, the SDKs' "SignerV4"): sign, presign, verify.

The algorithm, as implemented here:

1. ``X-Date`` is the UTC time as ``YYYYMMDDTHHMMSSZ``; its first 8 characters are
   the date of the credential scope ``{date}/{region}/{service}/request``.
2. ``X-Content-Sha256`` is the hex SHA-256 of the exact body bytes; it is always
   sent and signed.
3. The canonical request is six lines joined by ``\n``: the method as given, the
   percent-encoded path, the canonical query (pairs ordered by raw key), the
   header block (``name:value\n`` per signed header, so a blank line follows
   it), the ``;``-joined signed header names, and the body hash.
4. The string to sign is ``HMAC-SHA256``, X-Date, the scope and the hex SHA-256
   of the canonical request, one per line.
5. The signing key is HMAC-SHA256 chained over the date, region, service and
   the word ``request``, starting from the secret key; the signature is the hex
   HMAC of the string to sign under that key.
6. ``Authorization: HMAC-SHA256 Credential={AK}/{scope},
   SignedHeaders={names}, Signature={hex}``.

The signer reproduces the vendor's older Python SDK (PyPI ``volcengine``) byte
for byte, oddities included (each is described next to its code in
``_canonical``, ``_signer`` and ``_presign``); the verifier also accepts what the
newer SDK (``volcengine-python-sdk``) sends: extra signed ``X-Sdk-*`` headers
and a query ordered by encoded key.
"""

from __future__ import annotations

from ._canonical import (
    ALGORITHM,
    canonical_host,
    canonical_query,
    decode_path,
    encode_path,
    encode_query_component,
    parse_query,
)
from ._credentials import (
    ENV_ACCESS_KEY,
    ENV_SECRET_KEY,
    ENV_SESSION_TOKEN,
    Credentials,
    CredentialsError,
    CredentialStore,
)
from ._keys import derive_signing_key
from ._presign import PresignedURL, presign_url
from ._redact import redact_headers, redact_target
from ._secret import Secret
from ._signer import SignedRequest, format_x_date, sign_request
from ._verifier import REQUIRED_SIGNED_HEADERS, Verification, verify_request

__all__ = [
    "ALGORITHM",
    "ENV_ACCESS_KEY",
    "ENV_SECRET_KEY",
    "ENV_SESSION_TOKEN",
    "REQUIRED_SIGNED_HEADERS",
    "CredentialStore",
    "Credentials",
    "CredentialsError",
    "PresignedURL",
    "Secret",
    "SignedRequest",
    "Verification",
    "canonical_host",
    "canonical_query",
    "decode_path",
    "derive_signing_key",
    "encode_path",
    "encode_query_component",
    "format_x_date",
    "parse_query",
    "presign_url",
    "redact_headers",
    "redact_target",
    "sign_request",
    "verify_request",
]
