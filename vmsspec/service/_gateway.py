"""The gateway's view of a request's HTTP form: Host, media type, credential-scope region.

Each refusal is a key of ``vmsspec._errors.REFUSALS``, which holds its code and why.
Everything here is cheap (header look-ups, one regex): it runs before authentication or
on requests that passed it, never on the body's content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._http import HttpRequest

__all__ = ["GATEWAY_502_PAGE", "MISSING_CONTENT_TYPE", "content_type_refusal", "host_refusal",
           "scope_region"]

MISSING_CONTENT_TYPE: tuple[str, ...] = ("json", "refuse")
"""What a request without Content-Type gets: read as JSON (the default; no vendor source
says the gateway refuses it, and a hand-written test often omits it), or refused with
REFUSALS["missing-content-type"]."""

# The page a reverse proxy in front of an API sends when its upstream fails: HTML, not
# the vendor's JSON envelope, so a client must survive a body it cannot parse.
GATEWAY_502_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def host_refusal(request: HttpRequest) -> str | None:
    """RFC 9112 3.2: HTTP/1.1 needs exactly one Host; HTTP/1.0 may omit it."""
    hosts = [v for k, v in request.headers if k.lower() == "host"]
    if len(hosts) > 1:
        return "duplicate-host"
    if not hosts and request.http_version == "1.1":
        return "missing-host"
    return None


def content_type_refusal(request: HttpRequest, missing: str) -> str | None:
    """``application/json`` with any parameters (charset...), in any letter case (RFC 9110
    8.3.1: media types are case-insensitive); a missing one as ``missing`` says."""
    value = request.header("content-type")
    if value is None:
        return None if missing == "json" else "missing-content-type"
    if value.partition(";")[0].strip().lower() != "application/json":
        return "content-type"
    return None


_CREDENTIAL = re.compile(r"Credential=[^/,\s]*/[^/,\s]*/([^/,\s]*)/")


def scope_region(request: HttpRequest, params: Mapping[str, str]) -> str | None:
    """The region the request's credential scope names (Authorization or X-Credential)."""
    authorization = request.header("authorization")
    if authorization is not None:
        match = _CREDENTIAL.search(authorization)
        return match.group(1) if match else None
    credential = params.get("X-Credential")
    if credential is not None:
        parts = credential.split("/")
        return parts[2] if len(parts) >= 5 else None
    return None
