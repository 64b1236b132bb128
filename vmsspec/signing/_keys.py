"""Signing-key derivation and the signature itself."""

from __future__ import annotations

import hmac
from functools import lru_cache
from hashlib import sha256

from ._secret import Secret, reveal

__all__ = ["SigningKey", "derive_signing_key", "signing_key"]

_BLOCK = 64  # SHA-256 block size
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.digest(key, text.encode("utf-8"), "sha256")


class SigningKey:
    """A derived signing key, ready to sign.

    HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The two padded-key states
    are hashed once here and copied per signature: on a small request that
    halves the cost of the final HMAC, which is most of what remains once the
    key itself is cached. The result is exactly ``hmac.new(K, m, sha256)``.
    """

    __slots__ = ("_inner", "_outer", "key")

    def __init__(self, key: bytes) -> None:
        self.key = key
        padded = key.ljust(_BLOCK, b"\0")  # derived keys are 32 bytes, never longer than a block
        self._inner = sha256(padded.translate(_IPAD))
        self._outer = sha256(padded.translate(_OPAD))

    def __repr__(self) -> str:
        return "SigningKey(<redacted>)"

    def sign(self, string_to_sign: str) -> str:
        """Lower-case hex HMAC-SHA256 of the string to sign."""
        inner = self._inner.copy()
        inner.update(string_to_sign.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def signing_key(secret: str | Secret, date: str, region: str, service: str) -> SigningKey:
    """The derived key for one day, region and service (cached)."""
    return _derived(reveal(secret), date, region, service)


# Deriving the key is four HMACs, about 40% of a small request's signing time;
# it changes only with the day, so a small cache pays for itself on the second
# request. The secret is part of the cache key, so a rotated secret can never
# hit a stale entry; the cache never shows its keys (only hit/miss counts).
# Bounded: a server verifying for many access keys must not grow without limit.
@lru_cache(maxsize=256)
def _derived(secret: str, date: str, region: str, service: str) -> SigningKey:
    try:
        # surrogateescape: a secret read from a POSIX environment may carry the
        # undecodable bytes it was given, and these are the bytes to sign with.
        raw = secret.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # The codec's error would quote the whole secret in its message.
        raise ValueError("the secret key cannot be encoded as UTF-8") from None
    k_date = _hmac(raw, date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return SigningKey(_hmac(k_service, "request"))


def derive_signing_key(secret_key: str | Secret, date: str, region: str, service: str) -> bytes:
    """``HMAC(HMAC(HMAC(HMAC(SK, yyyymmdd), region), service), "request")``."""
    return signing_key(secret_key, date, region, service).key
