"""Requests signed the way each official SDK signs them, rebuilt from its source.

Only the older Python SDK runs in this project's tests; the others cannot run here
(no Go, Java, PHP or C++ toolchain), so each is written out below from its signer,
one function per SDK, with the file it follows. They share nothing with vmsspec's
canonicalizer: each builds its canonical request with its own rules (signed-header
set, value canonicalization, query order, Authorization layout, whether
X-Content-Sha256 is sent), then signs with the documented HMAC steps
(``hmac_signature``). FACTS section 7 summarizes them; the sources were read at:
volc-sdk-golang, volc-sdk-java, volcengine-java-sdk, volc-sdk-php,
volcengine-php-sdk, volcengine-cpp-sdk, volc-sdk-nodejs, volcengine-nodejs-sdk
(GitHub ``volcengine/``, 2026-12).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import quote, quote_plus, urlencode

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
TOKEN = "STS2exampleSessionToken0000"
X_DATE = "20250527T114634Z"
HOST = "cloud-vms.volcengineapi.com"
SERVICE = "vms"
QUERY = {"Action": "CreateTask", "Version": "2022-01-01"}
TASK = {"Name": "任务 <a&b>", "Concurrency": 2, "NumberPoolNo": "NP1"}


@dataclass(frozen=True)
class Wire:
    """A request as the server receives it."""

    sdk: str
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    region: str
    canonical_request: str = field(repr=False, default="")

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def with_header(self, name: str, value: str | None) -> Wire:
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return replace(self, headers=kept if value is None else (*kept, (name, value)))


def _h(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def hmac_signature(canonical: str, region: str, *, secret: str = SK,
                   x_date: str = X_DATE, service: str = SERVICE) -> str:
    """The documented steps (FACTS section 2, items 4-5), written out independently."""
    date = x_date[:8]
    key = _h(_h(_h(_h(secret.encode("utf-8"), date), region), service), "request")
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    to_sign = f"HMAC-SHA256\n{x_date}\n{date}/{region}/{service}/request\n{digest}"
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _rfc3986(text: str) -> str:
    """Every SDK's query escaping: keep only A-Z a-z 0-9 - _ . ~ (space is %20)."""
    return quote(text, safe="-_.~")


def _sorted_query(query: Mapping[str, str]) -> str:
    return "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in sorted(query.items()))


def _authorization(signed: str, signature: str, region: str, sep: str = ", ") -> str:
    credential = f"{AK}/{X_DATE[:8]}/{region}/{SERVICE}/request"
    return (f"HMAC-SHA256 Credential={credential}{sep}SignedHeaders={signed}"
            f"{sep}Signature={signature}")


def _finish(sdk: str, method: str, path: str, wire_query: str, sent: list[tuple[str, str]],
            body: bytes, region: str, canonical: str, signed: str, *, sep: str = ", ",
            secret: str = SK) -> Wire:
    auth = _authorization(signed, hmac_signature(canonical, region, secret=secret), region, sep)
    return Wire(sdk, method, path, wire_query, (*sent, ("Authorization", auth)), body, region,
                canonical)


def _go_style(sdk: str, body: bytes, *, host: str, content_type: str, region: str,
              token: str | None, extra: Mapping[str, str], secret: str) -> Wire:
    """volc-sdk-golang base/sign.go ``GetSignRequest`` / ``getCanonicalHeaders``.

    Signs Content-Type, Content-Md5, Host, X-Security-Token and every ``X-`` header
    (Go's canonical header names); values ``strings.TrimSpace``-d; Host loses a
    ``:80``/``:443`` port in the signature but is sent with it; X-Content-Sha256 sent;
    query ``url.Values.Encode()`` (sorted by key) with ``+`` turned into ``%20``; path
    per-segment escaped; Authorization fields joined by ", ".
    """
    x_sha = _sha(body)
    headers = {"Host": host, "Content-Type": content_type, "X-Date": X_DATE,
               "X-Content-Sha256": x_sha, **extra}
    if token:
        headers["X-Security-Token"] = token
    signed = {k.lower(): v.strip() for k, v in headers.items()}
    if ":" in signed["host"] and signed["host"].split(":")[1] in ("80", "443"):
        signed["host"] = signed["host"].split(":")[0]
    names = sorted(signed)
    block = "".join(f"{n}:{signed[n]}\n" for n in names)
    canonical = "\n".join(["POST", "/", _sorted_query(QUERY), block, ";".join(names), x_sha])
    return _finish(sdk, "POST", "/", urlencode(QUERY, quote_via=quote_plus),
                   list(headers.items()), body, region, canonical, ";".join(names),
                   secret=secret)


def go_handwritten(body: bytes, *, host: str = HOST + ":80", region: str = "cn-north-1",
                   token: str | None = None, extra: Mapping[str, str] | None = None,
                   secret: str = SK) -> Wire:
    """Hand-written Go (service/vms/config.go: cn-north-1, plain http;
    base/client.go ``CtxJson``: Content-Type application/json)."""
    return _go_style("go", body, host=host, content_type="application/json", region=region,
                     token=token, extra=extra or {}, secret=secret)


def go_generated(body: bytes, *, host: str = HOST, region: str = "cn-beijing",
                 token: str | None = None, extra: Mapping[str, str] | None = None,
                 secret: str = SK) -> Wire:
    """Generated Go (volcengine-go-sdk): the same signer, with
    ``application/json; charset=utf-8`` (FACTS section 7)."""
    return _go_style("go-generated", body, host=host,
                     content_type="application/json; charset=utf-8", region=region,
                     token=token, extra=extra or {}, secret=secret)


def java_handwritten(body: bytes, *, host: str = HOST, region: str = "cn-north-1",
                     token: str | None = None, extra: Mapping[str, str] | None = None,
                     secret: str = SK) -> Wire:
    """volc-sdk-java auth/impl/SignerV4Impl.java ``getSignRequest``.

    H_INCLUDE = Content-Type, Content-Md5, Host, plus names starting with ``X-``
    (case-sensitive); values ``String.trim()``-ed; Host is ``URIBuilder.getHost()``
    (no port) and is also the Host header it sets; X-Content-Sha256 sent; query sorted
    by name (NameValueComparator) with ``signStringEncoder``; ", " separators.
    """
    x_sha = _sha(body)
    bare_host = host.split(":")[0]
    headers = {"Host": bare_host, "Content-Type": "application/json", "X-Date": X_DATE,
               "X-Content-Sha256": x_sha, **(extra or {})}
    if token:
        headers["X-Security-Token"] = token
    signed = {k.lower(): v.strip() for k, v in headers.items()
              if k in ("Content-Type", "Content-Md5", "Host") or k.startswith("X-")}
    names = sorted(signed)
    block = "".join(f"{n}:{signed[n]}\n" for n in names)
    canonical = "\n".join(["POST", "/", _sorted_query(QUERY), block, ";".join(names), x_sha])
    return _finish("java", "POST", "/", _sorted_query(QUERY), list(headers.items()), body,
                   region, canonical, ";".join(names), secret=secret)


def java_generated(body: bytes, *, host: str = HOST, region: str = "cn-beijing",
                   token: str | None = None, secret: str = SK) -> Wire:
    """volcengine-java-sdk sign/VolcstackSign.java ``sign``.

    ``buildSignedHeaders`` keeps only x-date (value as is); the canonical URI is the
    literal "/"; the query is a HashMap sorted by key; the payload hash is taken of
    the body string and never sent as a header; X-Security-Token is put in the
    headers by ``initHeaders`` but not signed.
    """
    headers = {"Host": host, "Content-Type": "application/json; charset=utf-8",
               "X-Date": X_DATE}
    if token:
        headers["X-Security-Token"] = token
    canonical = "\n".join(["POST", "/", _sorted_query(QUERY), f"x-date:{X_DATE}\n", "x-date",
                           _sha(body)])
    return _finish("java-generated", "POST", "/", _sorted_query(QUERY), list(headers.items()),
                   body, region, canonical, "x-date", secret=secret)


_PHP_BLACKLIST = {"cache-control", "content-type", "content-length", "expect", "max-forwards",
                  "pragma", "range", "te", "if-match", "if-none-match", "if-modified-since",
                  "if-unmodified-since", "if-range", "accept", "authorization",
                  "proxy-authorization", "from", "referer", "user-agent"}


def php_handwritten(body: bytes, *, host: str = HOST, region: str = "cn-north-1",
                    token: str | None = None, extra: Mapping[str, str] | None = None,
                    secret: str = SK) -> Wire:
    """volc-sdk-php src/Base/SignatureV4.php ``signRequest`` / ``createContext``.

    Signs every header Guzzle holds except a blacklist (Content-Type and User-Agent
    among them), so a VMS call signs host;x-date; values (already trimmed by Guzzle)
    get ``preg_replace('/\\s+/', ' ', ...)``; no X-Content-Sha256 header, the payload
    hash is the body's; path "/" + rawurlencode; query ksort + rawurlencode.
    """
    headers = {"Host": host, "User-Agent": "volc-sdk-php/v1",
               "Content-Type": "application/json", **(extra or {}), "X-Date": X_DATE}
    if token:
        headers["X-Security-Token"] = token
    signed = {k.lower(): re.sub(r"[ \t\n\v\f\r]+", " ", v.strip(" \t"))
              for k, v in headers.items() if k.lower() not in _PHP_BLACKLIST}
    names = sorted(signed)
    block = "".join(f"{n}:{signed[n]}\n" for n in names)
    canonical = "\n".join(["POST", "/", _sorted_query(QUERY), block, ";".join(names),
                           _sha(body)])
    return _finish("php", "POST", "/", _sorted_query(QUERY), list(headers.items()), body,
                   region, canonical, ";".join(names), secret=secret)


def php_generated(body: bytes, *, host: str = HOST, region: str = "cn-beijing",
                  token: str | None = None, secret: str = SK) -> Wire:
    """volcengine-php-sdk src/Common/Utils.php ``signv4``.

    Signs host, content-md5, content-type and x-* (compared lower-cased), values
    trimmed; X-Content-Sha256 set and signed; path "/"; the query string as built.
    """
    x_sha = _sha(body)
    headers = {"Host": host, "Content-Type": "application/json", "X-Date": X_DATE,
               "X-Content-Sha256": x_sha}
    if token:
        headers["X-Security-Token"] = token
    signed = {k.lower(): v.strip() for k, v in headers.items()
              if k.lower() in ("host", "content-md5", "content-type") or
              k.lower().startswith("x-")}
    names = sorted(signed)
    block = "".join(f"{n}:{signed[n]}\n" for n in names)
    query = _sorted_query(QUERY)
    canonical = "\n".join(["POST", "/", query, block, ";".join(names), x_sha])
    return _finish("php-generated", "POST", "/", query, list(headers.items()), body, region,
                   canonical, ";".join(names), secret=secret)


def cpp(body: bytes, *, host: str = HOST, region: str = "cn-beijing",
        token: str | None = None, content_type: str = "application/json",
        secret: str = SK) -> Wire:
    """volcengine-cpp-sdk core/src/auth/VolcengineAuthSigner.cpp ``signHeader``.

    ``isSigningHeader`` keeps only content-type; x-date (and x-security-token with a
    token) are added; values as is; no X-Content-Sha256 header; query from a std::map
    sorted by key; Authorization written ``...,SignedHeaders=...,Signature=...``.
    """
    headers = {"Host": host, "Content-Type": content_type, "X-Date": X_DATE}
    signed = {"content-type": content_type, "x-date": X_DATE}
    if token:
        headers["X-Security-Token"] = token
        signed["x-security-token"] = token
    names = sorted(signed)
    block = "".join(f"{n}:{signed[n]}\n" for n in names)
    canonical = "\n".join(["POST", "/", _sorted_query(QUERY), block, ";".join(names),
                           _sha(body)])
    return _finish("cpp", "POST", "/", _sorted_query(QUERY), list(headers.items()), body,
                   region, canonical, ";".join(names), sep=",", secret=secret)


def _node_value(value: str) -> str:
    # canonicalHeaderValues: value.replace(/\s+/g, " ") then trim.
    return re.sub(r"[\t\n\v\f\r \xa0]+", " ", value).strip("\t\n\v\f\r \xa0")


def node_handwritten(task: object, *, host: str = HOST, region: str = "cn-north-1",
                     token: str | None = None, extra: Mapping[str, str] | None = None,
                     secret: str = SK) -> Wire:
    """@volcengine/openapi (volc-sdk-nodejs) src/base/sign.ts ``Signer``.

    The body is ``JSON.stringify`` (compact, raw UTF-8); at signing time the headers
    are content-type (unsignable), X-Date, X-Content-Sha256 (with a body) and the
    caller's, so Host is never signed; values whitespace-collapsed and trimmed; the
    method upper-cased, the path as given; ", " separators.
    """
    body = json.dumps(task, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    x_sha = _sha(body)
    at_signing = {"content-type": "application/json; charset=utf-8", **(extra or {}),
                  "X-Date": X_DATE, "X-Content-Sha256": x_sha}
    if token:
        at_signing["X-Security-Token"] = token
    signed = {k.lower(): _node_value(v) for k, v in at_signing.items()
              if k.lower() not in ("authorization", "content-type", "content-length",
                                   "user-agent", "presigned-expires", "expect")}
    names = sorted(signed)
    block = "".join(f"{n}:{signed[n]}\n" for n in names)
    canonical = "\n".join(["POST", "/", _sorted_query(QUERY), block, ";".join(names), x_sha])
    sent = [("Host", host), *at_signing.items(), ("User-Agent", "volc-sdk-nodejs/v1.36.0")]
    return _finish("node", "POST", "/", urlencode(QUERY), sent, body, region, canonical,
                   ";".join(names), secret=secret)


def node_generated(body: bytes, *, host: str = HOST, region: str = "cn-beijing",
                   token: str | None = None, extra: Mapping[str, str] | None = None,
                   secret: str = SK) -> Wire:
    """volcengine-nodejs-sdk packages/sdk-core/src/utils/signer.ts.

    ``addRequiredHeaders`` adds x-date, host, x-security-token and (with a body)
    x-content-sha256, all signed; content-type is unsignable; values collapsed and
    trimmed (``canonicalHeaderValues``); path per-segment ``uriEscape``; ", ".
    """
    x_sha = _sha(body)
    headers = {"content-type": "application/json", **(extra or {}), "x-date": X_DATE,
               "host": host, "x-content-sha256": x_sha}
    if token:
        headers["x-security-token"] = token
    signed = {k: _node_value(v) for k, v in headers.items() if k != "content-type"}
    names = sorted(signed)
    block = "".join(f"{n}:{signed[n]}\n" for n in names)
    canonical = "\n".join(["POST", "/", _sorted_query(QUERY), block, ";".join(names), x_sha])
    return _finish("node-generated", "POST", "/", _sorted_query(QUERY), list(headers.items()),
                   body, region, canonical, ";".join(names), secret=secret)


def compact_json(task: object) -> bytes:
    return json.dumps(task, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def go_json(task: object) -> bytes:
    """encoding/json: compact, raw UTF-8, with <, > and & escaped."""
    text = json.dumps(task, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .encode("utf-8"))


HEADER_SIGNERS: dict[str, Callable[..., Wire]] = {
    "go": lambda **kw: go_handwritten(go_json(TASK), **kw),
    "go-generated": lambda **kw: go_generated(go_json(TASK), **kw),
    "java": lambda **kw: java_handwritten(compact_json(TASK), **kw),
    "java-generated": lambda **kw: java_generated(compact_json(TASK), **kw),
    "php": lambda **kw: php_handwritten(compact_json(TASK), **kw),
    "php-generated": lambda **kw: php_generated(compact_json(TASK), **kw),
    "cpp": lambda **kw: cpp(compact_json(TASK), **kw),
    "node": lambda **kw: node_handwritten(TASK, **kw),
    "node-generated": lambda **kw: node_generated(compact_json(TASK), **kw),
}
"""Each SDK's CreateTask request for the same task, keyword arguments passed through."""

SENDS_CONTENT_SHA256 = {"go", "go-generated", "java", "php-generated", "node", "node-generated"}
"""The SDKs that send X-Content-Sha256 (FACTS section 7)."""


# --- presigned URLs ------------------------------------------------------


def _presigned(sdk: str, query: dict[str, str], canonical_keys: list[str], region: str,
               secret: str, body_hash: str, method: str = "GET") -> Wire:
    signed_query = "&".join(f"{_rfc3986(k)}={_rfc3986(query[k])}" for k in sorted(canonical_keys))
    canonical = "\n".join([method, "/", signed_query, "\n", "", body_hash])
    query = {**query, "X-Signature": hmac_signature(canonical, region, secret=secret)}
    return Wire(sdk, method, "/", urlencode(query, quote_via=quote), (("Host", HOST),), b"",
                region, canonical)


def _presign_base(region: str) -> dict[str, str]:
    return {**QUERY, "X-Date": X_DATE, "X-NotSignBody": "",
            "X-Credential": f"{AK}/{X_DATE[:8]}/{region}/{SERVICE}/request",
            "X-Algorithm": "HMAC-SHA256", "X-SignedHeaders": ""}


def go_presigned(*, region: str = "cn-north-1", token: str | None = None,
                 secret: str = SK) -> Wire:
    """volc-sdk-golang base/sign.go ``SignUrl``: X-SignedQueries is computed over keys
    that include itself and X-Security-Token, and every listed key is signed."""
    query = _presign_base(region)
    if token:
        query["X-Security-Token"] = token
    query["X-SignedQueries"] = ";".join(sorted([*query, "X-SignedQueries"]))
    return _presigned("go-presigned", query, list(query), region, secret, _sha(b""))


def node_presigned(*, region: str = "cn-north-1", token: str | None = None,
                   secret: str = SK) -> Wire:
    """volc-sdk-nodejs sign.ts ``getSignUrl``: signs with X-SignedQueries undefined
    (so absent from the canonical query), then lists every other key but itself."""
    query = _presign_base(region)
    if token:
        query["X-Security-Token"] = token
    keys = list(query)
    query["X-SignedQueries"] = ";".join(sorted(keys))
    return _presigned("node-presigned", query, keys, region, secret, _sha(b""))


def java_generated_presigned(*, region: str = "cn-beijing", token: str | None = None,
                             secret: str = SK) -> Wire:
    """volcengine-java-sdk VolcstackSign.java ``presign``: X-SignedQueries lists every
    key (itself included); X-Security-Token is added afterwards and not signed."""
    query = _presign_base(region)
    query["X-SignedQueries"] = ""
    keys = sorted(query)
    query["X-SignedQueries"] = ";".join(keys)
    if token:
        query["X-Security-Token"] = token
    return _presigned("java-generated-presigned", query, keys, region, secret, _sha(b""))


def php_presigned(body: bytes, *, region: str = "cn-north-1", secret: str = SK) -> Wire:
    """volc-sdk-php SignatureV4.php ``signRequestToUrl``: X-SignedQueries lists the keys
    present before it is added (not itself); the payload hash is the real body's
    (``getPayload``) although X-NotSignBody is set."""
    query = _presign_base(region)
    keys = sorted(query)
    query["X-SignedQueries"] = ";".join(keys)
    wire = _presigned("php-presigned", query, keys, region, secret, _sha(body), method="POST")
    return replace(wire, body=body)


PRESIGNERS: dict[str, Callable[..., Wire]] = {
    "go-presigned": go_presigned,
    "node-presigned": node_presigned,
    "java-generated-presigned": java_generated_presigned,
    "php-presigned": lambda **kw: php_presigned(compact_json(TASK), **kw),
}
