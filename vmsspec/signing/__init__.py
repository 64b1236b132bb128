"""Volcengine request signing (HMAC-SHA256, the SDKs' "SignerV4"): sign, presign, verify.

The algorithm, as implemented here:

1. ``X-Date`` is the UTC time as ``YYYYMMDDTHHMMSSZ``; its first 8 characters are
   the date of the credential scope ``{date}/{region}/{service}/request``.
2. ``X-Content-Sha256`` is the hex SHA-256 of the exact body bytes; the signer
   always sends and signs it (some official SDKs do neither, see below).
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
``_canonical``, ``_signer`` and ``_presign``).

The verifier accepts what every official SDK sends (FACTS section 7; each form is
listed with its SDK source in ``_variants``):

- Only ``x-date`` must be signed (``REQUIRED_SIGNED_HEADERS``); SignedHeaders is
  verified exactly as declared. ``X-Content-Sha256`` is optional: when sent it must
  be the SHA-256 of the body received (else SignatureDoesNotMatch, with a message
  saying so); the canonical request always carries the hash the server computed.
  A session token sent but not signed (generated Java SDK) is accepted.
- The reference canonical form (the older SDK's) is tried first; only when it
  fails are the other SDKs' forms tried: query ordered by encoded pair or with a
  repeated key's values sorted, path as given, header values trimmed or with
  whitespace runs collapsed, Host with its default port. ``Authorization`` is read
  with or without spaces after its commas (C++ SDK).
- Presigned URLs: only the keys ``X-SignedQueries`` lists are signed (it need not
  list itself, and ``X-Security-Token`` may be outside it); a URL that leaves out a
  key of ``PRESIGN_MUST_SIGN`` (Action, Version, X-Expires, X-NotSignBody,
  X-SignedHeaders) is refused. ``X-NotSignBody`` signs the empty body's hash.
- The credential scope's date must be X-Date's date.

Region refusal (``verify_request(..., regions=...)``): a scope whose region is not
accepted gets ``SignatureDoesNotMatch`` (HTTP 401), and ``Verification.message``
names the region and the accepted ones. Why this code: a gateway derives signing
keys only for the regions it serves, so a signature over another scope can never
match; the vendor documents no dedicated code for a wrong region (FACTS section 4
has none), and InvalidAccessKey would wrongly blame a valid key. Why a specific
message: the region is the commonest cross-SDK mistake (``cn-north-1`` in the older
SDKs, ``cn-beijing`` on the seed page, erratum 13), and naming it gives nothing away.
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
from ._redact import REDACTED, redact_headers, redact_request, redact_target
from ._secret import Secret
from ._signer import SignedRequest, format_x_date, sign_request
from ._verifier import PRESIGN_MUST_SIGN, REQUIRED_SIGNED_HEADERS, Verification, verify_request

__all__ = [
    "ALGORITHM",
    "ENV_ACCESS_KEY",
    "ENV_SECRET_KEY",
    "ENV_SESSION_TOKEN",
    "PRESIGN_MUST_SIGN",
    "REDACTED",
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
    "redact_request",
    "redact_target",
    "sign_request",
    "verify_request",
]
