"""The ASGI app: a ReferenceService on a real port, plus its control path.

The control path ``/_vmsspec/`` is reserved and never signed:
``GET /_vmsspec/exchanges`` (the recording, secrets redacted; ``?since=N&limit=M`` pages
by exchange number, ``?format=ndjson`` or ``Accept: application/x-ndjson`` streams one
exchange a line), ``GET /_vmsspec/tasks``, ``POST /_vmsspec/faults`` with
the fields of ``ReferenceService.respond_next`` (``{"code": "AccessDenied", "count": 2}``,
``{"drop": true}``, ``{"fail_items": [[0, "NO_PERMISSION"]], "when": {"Name": "x"}}``...)
or the older ``{"kind": "internal-error"|"throttle"|"latency", "count": N, "latency": s}``,
``POST /_vmsspec/reset`` (``{"keep_recording": true}`` keeps the recording),
``GET /_vmsspec/health``.

It is closed where it matters (issue 12): it answers only requests whose Host is a
loopback name (a web page that rebinds its own DNS name to 127.0.0.1 sends its own Host),
its POSTs need ``Content-Type: application/json`` (a cross-site form cannot send that
without a CORS preflight, which is never approved), and with a ``control_token`` every
control request must carry it in ``X-Vmsspec-Control-Token`` (then any Host is served:
a page cannot add that header either). ``control=False`` turns it off.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import orjson

from ..service import HttpRequest, HttpResponse, ReferenceService
from ._direct import CONTROL_PREFIX
from ._limits import ServerLimits, error_envelope
from ._protocol import CONNECTION, Connection

__all__ = ["CONTROL_PREFIX", "CONTROL_TOKEN_HEADER", "create_app"]

CONTROL_TOKEN_HEADER = "X-Vmsspec-Control-Token"  # noqa: S105 - a header name
_EXCHANGES_BATCH = 200  # exchanges serialised between two turns of the event loop

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("vmsspec.server")


class _ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(status: int, doc: Any) -> HttpResponse:
    return HttpResponse(status, (("Content-Type", "application/json"),), orjson.dumps(doc))


def _object(body: bytes, allowed: frozenset[str]) -> dict[str, Any]:
    try:
        doc = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError:
        raise _ControlError(400, "the body is not JSON") from None
    if not isinstance(doc, dict):
        raise _ControlError(400, "the body must be a JSON object")
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise _ControlError(400, f"unknown field {unknown[0]!r} (known: {sorted(allowed)})")
    return doc


def _reset(service: ReferenceService, body: bytes) -> None:
    doc = _object(body, frozenset({"keep_recording"}))
    keep = doc.get("keep_recording", False)
    if not isinstance(keep, bool):
        raise _ControlError(400, "keep_recording must be true or false")
    service.reset(keep_recording=keep)


def _control(service: ReferenceService, method: str, path: str, body: bytes) -> HttpResponse:
    name = path[len(CONTROL_PREFIX):]
    if (method, name) == ("GET", "health"):
        return _json(200, {"ok": True})
    if (method, name) == ("GET", "tasks"):
        return _json(200, [{"TaskOpenId": t.task_open_id, "Name": t.name, "State": t.state}
                           for t in service.tasks.values()])
    if (method, name) == ("POST", "reset"):
        try:
            _reset(service, body)
        except _ControlError as exc:
            return _json(exc.status, {"error": str(exc)})
        return _json(200, {"ok": True})
    if (method, name) == ("POST", "faults"):
        # The fields of ReferenceService.respond_next, or the older {"kind", "count",
        # "latency"}; parsed strictly by the service (1.9 or true is no count).
        try:
            pending = service.force_from_json(orjson.loads(body or b"{}"))
        except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
            return _json(400, {"error": str(exc).splitlines()[0]})
        return _json(200, {"ok": True, "pending": pending})
    return _json(404, {"error": f"no control endpoint {method} {path}"})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def _drop_connection(receive: Receive) -> None:
    """Close the connection without a byte of response (a forced ``drop``) under an
    ASGI server other than vmsspec's protocol (which aborts through ``Connection``).

    ASGI has no message for it, so this reaches uvicorn's transport through the request
    cycle that ``receive`` is bound to (uvicorn's h11 and httptools protocols alike)."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("this ASGI server gives no way to drop a connection")
    transport.close()
    # Let the protocol see the connection lost, so the server sends no 500 for an app
    # that returned without answering.
    await asyncio.sleep(0)


def is_loopback_host(host: str) -> bool:
    """Whether a Host header value names this machine's loopback interface."""
    name = host.strip()
    if name.startswith("["):  # [::1]:8960
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _guard_control(scope: Scope, token: str | None) -> None:
    """Raise _ControlError unless this control request may be served (module docstring)."""
    if token is not None:
        sent = _header(scope, CONTROL_TOKEN_HEADER.lower().encode())
        if sent is None or not hmac.compare_digest(sent, token.encode()):
            raise _ControlError(403, f"the control path needs the {CONTROL_TOKEN_HEADER} "
                                     "header given to vmsspec serve --control-token")
    else:
        host = _header(scope, b"host")
        if host is None or not is_loopback_host(host.decode("latin-1")):
            raise _ControlError(421, "the control path answers only a loopback Host "
                                     "(127.0.0.1, ::1, localhost)")
    if scope["method"] == "POST":
        media = (_header(scope, b"content-type") or b"").partition(b";")[0].strip().lower()
        if media != b"application/json":
            raise _ControlError(415, "control POSTs need Content-Type: application/json")


def _page(scope: Scope) -> tuple[int, int | None, bool]:
    """(since, limit, ndjson) from the exchanges query and Accept header."""
    try:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), strict_parsing=False)
    except ValueError:
        query = {}
    numbers: list[int | None] = []
    for name in ("since", "limit"):
        values = query.get(name)
        if not values:
            numbers.append(None)
            continue
        if not values[-1].isdigit():
            raise _ControlError(400, f"{name} must be a whole number 0 or more, "
                                     f"not {values[-1][:20]!r}")
        numbers.append(int(values[-1]))
    fmt = (query.get("format") or [""])[-1]
    if fmt not in ("", "json", "ndjson"):
        raise _ControlError(400, f"format must be json or ndjson, not {fmt[:20]!r}")
    accept = (_header(scope, b"accept") or b"").lower()
    ndjson = fmt == "ndjson" or (fmt == "" and b"application/x-ndjson" in accept)
    return numbers[0] or 0, numbers[1], ndjson


async def _exchanges(service: ReferenceService, since: int, limit: int | None,
                     ndjson: bool) -> AsyncIterator[bytes]:
    """The recording in batches, yielding the loop between batches: 10,000 exchanges take
    a while to redact and serialise, and other clients must be answered meanwhile."""
    exchanges = service.recorder.iter_exchanges(since, limit)
    batch: list[bytes] = [] if ndjson else [b"["]
    for n, exchange in enumerate(exchanges):
        line = orjson.dumps(exchange.as_dict())
        batch.append(line + b"\n" if ndjson else line if n == 0 else b"," + line)
        if len(batch) >= _EXCHANGES_BATCH:
            yield b"".join(batch)
            batch = []
            await asyncio.sleep(0)
    if not ndjson:
        batch.append(b"]")
    yield b"".join(batch)


class _QuietResourceErrors:
    """The event loop's exception handler while serving: out of file descriptors, asyncio
    logs a traceback every time it retries accept() (once a second); this logs one line
    per ``interval`` instead, with how often it happened. Everything else as before."""

    def __init__(self, previous: Any, interval: float = 30.0) -> None:
        self._previous, self._interval = previous, interval
        self._last, self._suppressed = -interval, 0

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "_start_serving" in repr(context.get("handle")) and isinstance(
                context.get("exception"), (OSError, ValueError)):
            # asyncio's accept() retry timer firing after the server closed its socket
            # ("Invalid file descriptor: -1"): nothing is lost, nothing to report
            return
        if "out of system resource" not in str(context.get("message", "")):
            if self._previous is not None:
                self._previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        now = time.monotonic()
        if now - self._last < self._interval:
            self._suppressed += 1
            return
        exc = context.get("exception")
        more = f" ({self._suppressed} more since the last message)" if self._suppressed else ""
        logger.warning("vmsspec: cannot accept connections: %s; retrying every second, "
                       "next message in %.0f s at the earliest%s",
                       getattr(exc, "strerror", None) or exc, self._interval, more)
        self._last, self._suppressed = now, 0


def create_app(service: ReferenceService, *, limits: ServerLimits | None = None,
               control: bool = True, control_token: str | None = None) -> ASGIApp:
    """An ASGI 3 application answering from ``service`` (no framework: one route table).

    Under ``vmsspec serve`` (``VmsHttpProtocol``) it can also drop connections and say in
    the recording whether each answer was delivered; under another server it answers the
    same, without those two.
    """
    limits = limits or ServerLimits()
    executor: ThreadPoolExecutor | None = None

    async def lifespan(receive: Receive, send: Send) -> None:
        nonlocal executor
        loop = asyncio.get_running_loop()
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                loop.set_exception_handler(_QuietResourceErrors(loop.get_exception_handler()))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if executor is not None:
                    executor.shutdown(wait=False, cancel_futures=True)
                    executor = None
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def in_thread(request: HttpRequest) -> HttpResponse:
        nonlocal executor
        if executor is None:
            executor = ThreadPoolExecutor(limits.threads, thread_name_prefix="vmsspec-handle")
        return await asyncio.get_running_loop().run_in_executor(executor, service.handle,
                                                                request)

    async def respond(send: Send, response: HttpResponse, *, close: bool = False) -> None:
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                   for k, v in response.headers]
        # a length, not chunks: the body is whole already, and simple clients expect one
        headers.append((b"content-length", b"%d" % len(response.body)))
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": response.status,
                    "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    async def control_path(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if not control:
                raise _ControlError(403, "the control path is off on a non-loopback bind "
                                         "(start vmsspec serve with --control-token)")
            _guard_control(scope, control_token)
            path, method = scope["path"], scope["method"]
            if (method, path) == ("GET", CONTROL_PREFIX + "exchanges"):
                since, limit, ndjson = _page(scope)
                media = b"application/x-ndjson" if ndjson else b"application/json"
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", media)]})
                async for chunk in _exchanges(service, since, limit, ndjson):
                    await send({"type": "http.response.body", "body": chunk,
                                "more_body": True})
                await send({"type": "http.response.body", "body": b""})
                return
            body, too_large = await read_body(receive, 1024 * 1024)
            if body is None:
                return
            if too_large:
                raise _ControlError(413, "control bodies are at most 1 MiB")
            response = _control(service, method, path, body)
        except _ControlError as exc:
            response = _json(exc.status, {"error": str(exc)})
        await respond(send, response)

    async def read_body(receive: Receive, limit: int,
                        message: Message | None = None) -> tuple[bytes | None, bool]:
        """(body, too_large); None when the client went away. Stops reading at ``limit``.
        ``message``: the first message, when the caller has received it already."""
        chunks: list[bytes] = []
        size = 0
        while True:
            if message is None:
                message = await receive()
            if message["type"] == "http.disconnect":
                return None, False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                # stop here: the rest is never read, let alone kept (the protocol throws
                # it away while closing)
                return b"", True
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False
            message = None

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        connection: Connection | None = scope.get("extensions", {}).get(CONNECTION)
        if connection is not None and connection.over_capacity:
            status, doc = error_envelope("Throttling", region=service.region)
            await respond(send, HttpResponse(
                status, (("Content-Type", "application/json; charset=utf-8"),), doc),
                close=True)
            return
        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            await control_path(scope, receive, send)
            return
        raw_headers = scope["headers"]
        declared = _header(scope, b"content-length")
        limit = service.max_body_bytes
        too_large = declared is not None and declared.isdigit() and int(declared) > limit
        body: bytes | None = b""
        if not too_large:  # else refused from the headers: the body is never read
            message = await receive()
            chunk = message.get("body", b"")
            if message["type"] == "http.request" and not message.get("more_body", False) \
                    and len(chunk) <= limit:
                body = chunk  # the usual case: the whole body in one message
            else:
                body, too_large = await read_body(receive, limit, message)
                if body is None:
                    return
        raw_path = scope.get("raw_path") or path.encode("utf-8")
        query: bytes = scope.get("query_string", b"")
        target = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        headers = tuple([(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers])
        request = HttpRequest(scope["method"], target, headers, body or b"", too_large,
                              scope.get("http_version", "1.1"))
        # small bodies on the loop (a thread hop costs more than they do), large in a thread
        response = service.handle(request) if len(request.body) < limits.thread_body_bytes \
            else await in_thread(request)
        if response.delay:  # awaited: other connections are answered meanwhile
            await asyncio.sleep(response.delay)
        if response.drop:
            if connection is None:
                await _drop_connection(receive)
                return
            connection.drop()
            service.recorder.mark_delivered(request, False)
            return
        await respond(send, response, close=too_large)
        if connection is not None:
            service.recorder.mark_delivered(request, connection.delivered)

    return app
