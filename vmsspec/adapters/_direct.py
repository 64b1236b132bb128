"""The direct path of ``vmsspec serve``: an API request answered from the parser's callbacks.

Under uvicorn alone every request becomes an ASGI scope, a request cycle, an asyncio task,
two ``receive``/``send`` round trips and a response head built header by header: about
50 µs a request on this project's 2-core machine, most of a trivial app's whole cost. The
reference service is sans-IO and answers a small request synchronously, so for the usual
request (an API call with a small, whole body) the protocol calls ``service.handle`` as
soon as the parser has the body and writes the answer in one write: the bytes on the wire
are the ones the ASGI app writes through uvicorn (``tests/server/test_direct_path.py``
compares them). Everything else keeps the ASGI path: the control path, large or chunked
bodies, ``Expect: 100-continue``, upgrades, connections past the cap, a pipelined request
behind an answer still in flight, and a client that is not reading its answers.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import STATUS_LINE

from ..service import HttpResponse

__all__ = ["CONTROL_PREFIX", "direct_head", "response_bytes"]

CONTROL_PREFIX = "/_vmsspec/"
"""The ASGI app's control path (``asgi.py``), never signed and never answered directly."""
_CONTROL = CONTROL_PREFIX.encode()


def direct_head(url: bytes, headers: list[tuple[bytes, bytes]],
                max_body: int) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """(target, headers) of a request the direct path may answer, else None.

    ``url`` is the request target as sent; ``headers`` are uvicorn's (names lower-cased);
    ``max_body``: the largest Content-Length answered directly. The target is the ASGI
    app's (``raw_path`` + ``?`` + query), which for an origin-form target with no
    percent-escape in its path, no fragment and no empty query is the target as sent.
    """
    if not url.startswith(b"/") or url.startswith(_CONTROL) or b"#" in url \
            or url.endswith(b"?"):
        return None
    path, _, _ = url.partition(b"?")
    if b"%" in path:  # uvicorn decodes it: /%5Fvmsspec/ is the control path to the app
        return None
    for name, value in headers:
        # a body in chunks (its size is known only at its end), or one too large
        if name == b"content-length":
            if not (value.isdigit() and int(value) <= max_body):
                return None
        elif name == b"transfer-encoding":
            return None
    return url.decode("latin-1"), tuple(
        [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers])


def response_bytes(response: HttpResponse, keep_alive: bool,
                   default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """The answer as uvicorn writes what the ASGI app sends for it: status line, uvicorn's
    default headers (none under ``vmsspec serve``), the service's headers lower-cased,
    Content-Length, and ``connection: close`` when the connection ends."""
    parts = [STATUS_LINE[response.status]]
    for name_bytes, value_bytes in default_headers:
        parts.append(b"%s: %s\r\n" % (name_bytes.lower(), value_bytes))
    for name, value in response.headers:
        parts.append(b"%s: %s\r\n" % (name.lower().encode("latin-1"), value.encode("latin-1")))
    parts.append(b"content-length: %d\r\n" % len(response.body))
    if not keep_alive:
        parts.append(b"connection: close\r\n")
    parts.append(b"\r\n")
    parts.append(response.body)
    return b"".join(parts)
