"""The gateway's view of a request's HTTP form: Host and media type.

Each refusal is a key of ``vmsspec._errors.REFUSALS``, which holds its code and why.
Everything here is cheap (header look-ups): it runs before authentication or
on requests that passed it, never on the body's content.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from ..signing._checks import header_index
from ._http import HttpRequest

__all__ = ["GATEWAY_502_PAGE", "MISSING_CONTENT_TYPE", "content_type_refusal", "host_refusal"]

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


def host_refusal(request: HttpRequest,
                 index: tuple[Mapping[str, str], Collection[str]] | None = None) -> str | None:
    """RFC 9112 3.2: HTTP/1.1 needs exactly one Host; HTTP/1.0 may omit it.

    ``index``: the request's ``header_index`` (lower-cased name -> last value, the names
    sent more than once), when the caller has built it already.
    """
    if index is None:
        index = header_index(request.headers)
    values, repeated = index
    if "host" in repeated:
        return "duplicate-host"
    if "host" not in values and request.http_version == "1.1":
        return "missing-host"
    return None


def content_type_refusal(request: HttpRequest, missing: str,
                         index: tuple[Mapping[str, str], Collection[str]] | None = None,
                         ) -> str | None:
    """``application/json`` with any parameters (charset...), in any letter case (RFC 9110
    8.3.1: media types are case-insensitive); a missing one as ``missing`` says.
    A repeated Content-Type is judged by its first value."""
    if index is None or "content-type" in index[1]:
        value = request.header("content-type")
    else:
        value = index[0].get("content-type")
    if value is None:
        return None if missing == "json" else "missing-content-type"
    if value.partition(";")[0].strip().lower() != "application/json":
        return "content-type"
    return None
