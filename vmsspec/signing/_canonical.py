"""The one canonicalizer behind signing, presigning and verification.

Every rule here reproduces the vendor's older Python SDK (PyPI ``volcengine``,
``SignerV4``) byte for byte, including its oddities; each oddity is noted where it
is implemented. The signer, the presigner and the verifier all build their
canonical requests from these functions, so a client and the reference server
can never disagree because of two implementations drifting apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from hashlib import sha256
from operator import itemgetter
from urllib.parse import parse_qsl, quote, unquote

__all__ = [
    "ALGORITHM",
    "EMPTY_BODY_SHA256",
    "ENCODING_ERRORS",
    "SIGNED_NAMES",
    "body_sha256",
    "canonical_headers",
    "canonical_host",
    "canonical_query",
    "canonical_request",
    "credential_scope",
    "decode_path",
    "encode_path",
    "encode_query_component",
    "hash_canonical_request",
    "parse_query",
    "query_pairs",
    "signer_query",
    "string_to_sign",
]

ALGORITHM = "HMAC-SHA256"

# Lone surrogates U+DC80..U+DCFF stand for the raw bytes 0x80..0xFF. The server
# decodes percent-escapes that are not valid UTF-8 this way, and re-encoding with
# the same handler gives back the exact bytes the client sent. Valid text is
# unaffected, so signatures over real strings are those of the SDK.
ENCODING_ERRORS = "surrogateescape"

EMPTY_BODY_SHA256 = sha256(b"").hexdigest()

# Fast paths: most keys, values and paths need no escaping at all, and a regex
# check is several times cheaper than urllib's quote().
_plain_query_component = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch
_plain_path = re.compile(r"[A-Za-z0-9_.~/-]*").fullmatch
_first = itemgetter(0)

# Quirk (header selection): the SDK signs a header only when its name is exactly
# one of these three spellings, or starts with a capital "X-". The test is
# case-sensitive, so "content-type", "Content-MD5" and "x-foo" go out unsigned.
SIGNED_NAMES = frozenset({"Content-Type", "Content-Md5", "Host"})


def encode_path(path: str) -> str:
    """The canonical path: UTF-8 percent-encoding that keeps ``A-Za-z0-9-_.~/``.

    The SDK calls ``quote(path)`` and then replaces ``%2F`` with ``/`` and ``+``
    with ``%20``; neither replacement can ever fire (``/`` is already kept and
    ``+`` is already ``%2B``), so they are not reproduced.
    """
    # Quirk: an empty path is signed as "/" (what the SDK's sign() does before
    # canonicalizing).
    if not path:
        return "/"
    if path == "/" or _plain_path(path):
        return path
    return quote(path, safe="/", errors=ENCODING_ERRORS)


def encode_query_component(text: str) -> str:
    """A query key or value: percent-encoding that keeps only ``A-Za-z0-9-_.~``.

    ``/`` is escaped here (unlike in the path), space becomes ``%20`` and never ``+``.
    """
    # isascii() and isalnum() are the cheapest test for the commonest case
    # (Action=CreateTask); the regex covers "-_.~" and the empty string.
    if text.isascii() and (text.isalnum() or _plain_query_component(text)):
        return text
    return quote(text, safe="-_.~", errors=ENCODING_ERRORS)


def query_pairs(
    query: Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] | None,
) -> list[tuple[str, str]]:
    """Normalize a caller's query into a list of (key, value) pairs, order kept.

    A mapping value that is a list stands for a repeated key, as in the SDK.
    """
    if not query:
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(query, Mapping):
        for key, value in query.items():
            if isinstance(value, str):
                pairs.append((key, value))
            else:
                pairs.extend([(key, item) for item in value])
    else:
        pairs = list(query)
    for key, value in pairs:
        if not (isinstance(key, str) and isinstance(value, str)):
            raise TypeError("query keys and values must be str")
    return pairs


def canonical_query(pairs: Sequence[tuple[str, str]], *, encoded_order: bool = False) -> str:
    """The canonical query line (empty when there is no query).

    ``encoded_order=False`` is the older SDK: pairs ordered by the *raw* key with
    Python's code-point comparison (so case-sensitive, ``B`` before ``a``), and
    because the sort is stable a repeated key keeps its values in the order given.
    ``encoded_order=True`` is the newer SDK (``volcengine-python-sdk``), which
    sorts the already-encoded ``(key, value)`` tuples instead; the two orders
    differ when escaping reorders keys (raw ``z`` < ``é``, but encoded
    ``%C3%A9`` < ``z``) and for repeated keys.
    """
    if not pairs:
        return ""
    enc = encode_query_component
    if encoded_order:
        encoded = sorted([(enc(k), enc(v)) for k, v in pairs])
        return "&".join([k + "=" + v for k, v in encoded])
    # Quirk: an empty value still gives "k=" (never a bare "k").
    return "&".join([enc(k) + "=" + enc(v) for k, v in sorted(pairs, key=_first)])


def signer_query(
    query: Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] | None,
) -> str:
    """``canonical_query(query_pairs(query))``, with a fast path for a plain dict.

    A dict's keys are unique, so sorting the keys is the SDK's stable sort of
    the pairs; this skips building the intermediate list of pairs.
    """
    if not query:
        return ""
    if type(query) is not dict:
        return canonical_query(query_pairs(query))
    enc = encode_query_component
    parts: list[str] = []
    try:
        keys = sorted(query)
    except TypeError:
        raise TypeError("query keys and values must be str") from None
    for key in keys:
        value = query[key]
        if isinstance(value, str) and isinstance(key, str):
            parts.append(enc(key) + "=" + enc(value))
        else:
            # A repeated key (list value), or a type error that query_pairs reports.
            return canonical_query(query_pairs(query))
    return "&".join(parts)


def canonical_host(value: str) -> str:
    """The Host value as signed.

    Quirk: the SDK splits the value on *every* colon and, when the second piece
    is exactly ``80`` or ``443``, keeps only the first piece. So ``h:443`` signs
    as ``h``, ``h:8443`` stays, ``h:80:x`` signs as ``h`` (the tail is lost), and
    a bracketed IPv6 literal is never shortened because its second piece is empty.
    The scheme is not consulted: ``h:80`` is shortened even over HTTPS.
    """
    if ":" in value:
        parts = value.split(":")
        if parts[1] in ("80", "443"):
            return parts[0]
    return value


def canonical_headers(signed: Mapping[str, str]) -> tuple[str, str]:
    """The header block and the SignedHeaders list from lower-cased name -> value.

    Names are sorted by code point. Values go in untrimmed: the SDK neither strips
    nor folds whitespace, so a value's surrounding spaces are part of the signature.
    Each line ends in ``\\n``; joined with the other lines by ``\\n``, that leaves
    the blank line between the block and the SignedHeaders list.
    """
    names = sorted(signed)
    block = "".join([name + ":" + signed[name] + "\n" for name in names])
    return block, ";".join(names)


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers_block: str,
    signed_headers: str,
    body_hash: str,
) -> str:
    """The six canonical lines. ``path`` and ``query`` are already canonical.

    Quirk: the method goes in exactly as given; the SDK does not upper-case it.
    """
    return "\n".join((method, path, query, headers_block, signed_headers, body_hash))


def hash_canonical_request(canonical: str) -> str:
    return sha256(canonical.encode("utf-8", ENCODING_ERRORS)).hexdigest()


def credential_scope(date: str, region: str, service: str) -> str:
    return f"{date}/{region}/{service}/request"


def string_to_sign(x_date: str, scope: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{x_date}\n{scope}\n{hash_canonical_request(canonical)}"


def body_sha256(body: bytes | bytearray | memoryview | str) -> str:
    """Lower-case hex SHA-256 of the body bytes.

    Buffers are hashed in place (hashlib reads any buffer without copying); a str
    is encoded once. This is the only pass over the body.
    """
    if isinstance(body, str):
        return sha256(body.encode("utf-8")).hexdigest()
    return sha256(body).hexdigest()


def parse_query(raw: str | bytes) -> list[tuple[str, str]]:
    """Decode a query string as it arrives on the wire (no leading ``?``).

    ``urllib.parse.parse_qsl`` with blank values kept: pairs keep their order, a
    segment without ``=`` is a key with an empty value, empty segments
    (``a=1&&b=2``) are skipped, malformed escapes stay literal, and ``+`` is a
    space (the older SDK builds its URLs with ``urlencode()``, which writes
    spaces as ``+`` and a literal ``+`` as ``%2B``).
    """
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", ENCODING_ERRORS)
    if not raw:
        return []
    if "%" not in raw and "+" not in raw:
        # Nothing to decode (the usual Action=...&Version=...): skip the per-part checks.
        return [(k, v) for k, _, v in (s.partition("=") for s in raw.split("&") if s)]
    return parse_qsl(raw, keep_blank_values=True, errors=ENCODING_ERRORS)


def decode_path(raw: str | bytes) -> str:
    """Decode a path as it arrives on the wire. ``+`` is a literal plus in a path."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", ENCODING_ERRORS)
    if "%" in raw:
        raw = unquote(raw, errors=ENCODING_ERRORS)
    return raw or "/"
