"""uvicorn's httptools protocol with the connection hygiene a long-running mock needs.

uvicorn alone holds a connection that never sends a byte or sends its headers one byte
a minute (slowloris) forever, accepts 10 MB of headers, answers a connection past its
cap with a bare ``503 Service Unavailable`` text, closes the connection of a client that
half-closed its side after sending (so the answer is lost), and resets a connection
whose request body it did not read (so the client may lose the answer too). This
subclass keeps uvicorn's parsing and request cycle and changes only those edges; the
ASGI app reaches it through ``scope["extensions"][CONNECTION]`` to drop a connection
on purpose or to learn whether its answer went out.

With a service bound (``protocol_class(..., service)``), the usual API request skips the
ASGI app altogether: ``_direct.py`` says which requests and why.
"""

from __future__ import annotations

import asyncio
from itertools import chain
from typing import TYPE_CHECKING, Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from ..service import HttpRequest, HttpResponse
from ._direct import direct_head, response_bytes
from ._limits import ServerLimits, error_envelope

if TYPE_CHECKING:
    from ..service import ReferenceService

__all__ = ["CONNECTION", "Connection", "protocol_class"]

CONNECTION = "vmsspec.connection"
"""The scope extension holding the request's ``Connection``."""


class Connection:
    """The app's handle on the connection one request came on.

    It holds the request's cycle only until the answer is complete (``_finish``): the
    cycle holds the scope, the scope this handle, and a reference loop per request would
    leave every request's cycle, scope and headers to the cyclic garbage collector
    instead of freeing them when the request is done.
    """

    def __init__(self, protocol: VmsHttpProtocol, cycle: RequestResponseCycle,
                 out: _LingeringClose) -> None:
        self._protocol, self._out = protocol, out
        self._cycle: RequestResponseCycle | None = cycle
        self._delivered = False
        self.over_capacity = False
        """Set when the connection is past ``max_connections``: the app answers Throttling."""

    def drop(self) -> None:
        """Close the connection at once, with no response bytes (a forced dropped answer).

        An abort, not a close: the client sees the connection reset, as when a gateway
        dies, and nothing it could read as an answer."""
        if self._cycle is not None:
            self._cycle.disconnected = True  # so uvicorn does not send its own 500 instead
        self._protocol.transport.abort()

    @property
    def delivered(self) -> bool:
        """Whether the whole answer was handed to an open connection."""
        cycle = self._cycle
        if cycle is None:
            return self._delivered
        return cycle.response_complete and not cycle.disconnected

    def _finish(self) -> None:
        """The cycle's ``on_response``: its answer is complete (uvicorn calls it right
        after the last body write, before the app's ``send`` returns)."""
        cycle = self._cycle
        if cycle is not None:
            self._delivered = cycle.response_complete and not cycle.disconnected
            self._cycle = None
        self._out.release()
        self._protocol.on_response_complete()


class _LingeringClose:
    """The transport as a request cycle sees it: ``close()`` closes gracefully, and the
    status line and headers go out in one write with what follows them.

    uvicorn writes the head on ``http.response.start`` and the body on
    ``http.response.body``: two ``send`` calls, and on loopback each one runs the
    receiver's TCP path and wakes it. The head is held until the next write (the body,
    or the first chunk) or until the response completes or the connection closes, so
    the bytes and their order are the same, in one segment instead of two.
    """

    def __init__(self, protocol: VmsHttpProtocol, cycle: RequestResponseCycle) -> None:
        self._protocol = protocol
        self._cycle: RequestResponseCycle | None = cycle
        self._transport = protocol.transport
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._protocol._holding = None
            self._transport.write(head + data)
        elif self._cycle is not None and self._cycle.response_started:
            # the cycle sets response_started just before it writes the head, the first
            # write after it (a 100 Continue is written before)
            self._cycle = None
            self._head = bytes(data)
            self._protocol._holding = self
        else:
            self._transport.write(data)

    def flush(self) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._protocol._holding = None
            self._transport.write(head)

    def release(self) -> None:
        """The response is complete: write what is held, forget the cycle."""
        self.flush()
        self._cycle = None

    def close(self) -> None:
        self.flush()
        self._protocol.close_gracefully()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _PendingAnswer:
    """``self.cycle`` while a direct answer waits out a forced delay: what uvicorn and
    this protocol read off a cycle, so that a pipelined request queues behind it, a lost
    connection or a shutdown is seen, as for an ASGI cycle."""

    def __init__(self, keep_alive: bool) -> None:
        self.keep_alive = keep_alive
        self.more_body = False
        self.response_complete = False
        self.disconnected = False
        self.message_event = asyncio.Event()


_Direct = tuple[str, str, tuple[tuple[str, str], ...], str, bool]
"""method, target, headers, HTTP version, keep-alive of a request on the direct path."""


class VmsHttpProtocol(HttpToolsProtocol):
    """One connection. The class attributes are set by ``protocol_class``."""

    limits: ServerLimits = ServerLimits()
    region: str = "cn-beijing"
    service: ReferenceService | None = None
    """The service answered directly (``_direct.py``); None: every request goes to the app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn's own cap answers bare text: ours answers an envelope (see on_headers_complete)
        self.limit_concurrency = None
        self.timeout_keep_alive = self.limits.idle_timeout  # type: ignore[assignment]
        self._header_bytes = 0  # bytes received while a header block is incomplete
        self._in_headers = True  # (also between requests: the next bytes are headers)
        self._in_message = False
        self._read_timer: asyncio.TimerHandle | None = None
        self._lingering = False
        self._discarded = 0
        self._peer_closed = False
        self._holding: _LingeringClose | None = None  # a cycle's transport holding a head
        self._direct: _Direct | None = None  # the request being read on the direct path
        self._direct_body: list[bytes] = []
        self._idle_timer: asyncio.TimerHandle | None = None  # the direct path's keep-alive
        self._idle_since = 0.0

    # -- timers -----------------------------------------------------------------------

    def _arm_read_timer(self, delay: float) -> None:
        self._cancel_read_timer()
        self._read_timer = self.loop.call_later(delay, self._read_timed_out)

    def _cancel_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self.flow is not None and self.flow.read_paused and not self._in_headers:
            # We stopped reading (the app is behind), not the client: no stall of its own.
            self._arm_read_timer(self.limits.read_timeout)
            return
        if not self.transport.is_closing():
            self.transport.close()

    # -- connection -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is idle, and idle connections are closed:
        # uvicorn's keep-alive timer, which it cancels when bytes come.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.limits.idle_timeout, self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_timer()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._discarded += len(data)
            if self._discarded > self.limits.linger_bytes:
                self.transport.close()
            return
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        if not self._in_message or self._lingering or self.transport.is_closing():
            return  # (a request that came whole needs no timer: the common case)
        if self._in_headers:
            # Counted around the parser: httptools buffers a header until it is complete,
            # so a 10 MB header would be in memory before any callback could see its size.
            if self._header_bytes > self.limits.max_header_bytes:
                self._refuse("QuotaExceeded", "headers")
            elif self._read_timer is None:  # a deadline for the whole header block
                self._arm_read_timer(self.limits.read_timeout)
        else:  # the body is still coming: it may pause, but not for longer than this
            self._arm_read_timer(self.limits.read_timeout)

    def eof_received(self) -> bool | None:  # type: ignore[override]
        if self._lingering:
            return False  # the client is done sending: close now
        cycle = self.cycle
        if cycle is not None and not cycle.more_body and not cycle.response_complete:
            # Half-closed after sending a whole request: it still waits for the answer,
            # so keep our side open until the answer is written (then close).
            self._peer_closed = True
            return True
        return False

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._peer_closed and not self.transport.is_closing():
            self.transport.close()

    # -- parser callbacks -------------------------------------------------------------

    # Once refused, the rest of what the parser already holds is not a request to answer.

    # on_url and on_header are uvicorn's own: a Python override of each would run once per
    # header of every request; the sizes are summed once in on_headers_complete instead.
    # Past a refusal they only fill the refused request's url and header list, which
    # nothing reads (data_received feeds the parser nothing more once lingering).

    def on_message_begin(self) -> None:
        if self._lingering:
            return
        super().on_message_begin()
        self._in_headers = self._in_message = True

    def on_body(self, body: bytes) -> None:
        if self._direct is not None:
            self._direct_body.append(body)
        elif not self._lingering:
            super().on_body(body)

    def on_headers_complete(self) -> None:
        if self._lingering:
            return
        self._in_headers = False
        self._header_bytes = 0
        headers = self.headers
        # the request line and headers as parsed: name, ": ", value and CRLF each
        header_size = len(self.url) + 4 * len(headers) + sum(map(len, chain.from_iterable(headers)))
        if header_size > self.limits.max_header_bytes:
            # arrived in one piece, so the byte count in data_received did not see it
            self._refuse("QuotaExceeded", "headers")
            return
        over_capacity = len(self.connections) > self.limits.max_connections
        self._cancel_read_timer()
        if not over_capacity and self._start_direct():
            return
        super().on_headers_complete()
        if self.parser.should_upgrade() and self._should_upgrade():
            return
        cycle = self.cycle
        out = _LingeringClose(self, cycle)
        connection = Connection(self, cycle, out)
        connection.over_capacity = over_capacity
        extensions: dict[str, Any] = self.scope.setdefault("extensions", {})
        extensions[CONNECTION] = connection
        cycle.transport = cast(asyncio.Transport, out)
        cycle.on_response = connection._finish

    def on_message_complete(self) -> None:
        if self._lingering:
            return
        direct = self._direct
        if direct is None:
            super().on_message_complete()
        self._cancel_read_timer()
        self._in_headers, self._in_message = True, False
        if direct is not None:
            self._answer_direct(direct)

    # -- the direct path (_direct.py) -------------------------------------------------

    def _start_direct(self) -> bool:
        """Take this request on the direct path if it may be (else the ASGI app's)."""
        service = self.service
        cycle = self.cycle
        if service is None or self.pipeline or self.flow.write_paused or (
                cycle is not None and not cycle.response_complete) or \
                self.expect_100_continue or self.parser.should_upgrade():
            return False
        head = direct_head(self.url, self.headers,
                           min(self.limits.thread_body_bytes - 1, service.max_body_bytes))
        if head is None:
            return False
        version = self.parser.get_http_version()
        keep_alive = version != "1.0" and self.parser.should_keep_alive()
        self._direct = (self.parser.get_method().decode("ascii"), *head, version, keep_alive)
        self._direct_body = []
        return True

    def _answer_direct(self, direct: _Direct) -> None:
        assert self.service is not None
        self._direct = None
        method, target, headers, version, keep_alive = direct
        body = self._direct_body[0] if len(self._direct_body) == 1 else \
            b"".join(self._direct_body)
        self._direct_body = []
        request = HttpRequest(method, target, headers, body, False, version)
        response = self.service.handle(request)
        if not response.delay:
            self._send_direct(request, response, keep_alive)
            return
        # Answered later without holding up other connections; a pipelined request
        # waits behind it as behind an ASGI cycle, and shutdown waits for the task.
        pending = _PendingAnswer(keep_alive)
        self.cycle = cast(RequestResponseCycle, pending)
        task = self.loop.create_task(self._send_later(request, response, pending))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send_later(self, request: HttpRequest, response: HttpResponse,
                          pending: _PendingAnswer) -> None:
        await asyncio.sleep(response.delay)
        pending.response_complete = True
        if pending.disconnected:
            assert self.service is not None
            self.service.recorder.mark_delivered(request, False)
            return
        self._send_direct(request, response, pending.keep_alive)

    def _send_direct(self, request: HttpRequest, response: HttpResponse,
                     keep_alive: bool) -> None:
        """What the ASGI app and uvicorn's cycle do with an answer, in one write."""
        assert self.service is not None
        recorder = self.service.recorder
        if response.drop:
            self.transport.abort()  # as Connection.drop: a reset, no byte of answer
            recorder.mark_delivered(request, False)
            return
        if self.transport.is_closing():
            recorder.mark_delivered(request, False)
            return
        self.transport.write(response_bytes(response, keep_alive,
                                            self.server_state.default_headers))
        if not keep_alive:
            self.close_gracefully()
        recorder.mark_delivered(request, True)
        if self.pipeline or self._peer_closed or self.transport.is_closing():
            self.on_response_complete()  # uvicorn's bookkeeping, and ours above
            return
        self.server_state.total_requests += 1
        self.flow.resume_reading()
        self._arm_idle_timer()

    def _arm_idle_timer(self) -> None:
        """uvicorn's keep-alive timeout for the direct path, without a timer per request:
        uvicorn arms one after every answer and cancels it when the next bytes come; this
        arms one when none is pending and, when it fires, looks at when the connection
        last went idle."""
        self._idle_since = self.loop.time()
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_later(self.timeout_keep_alive, self._idle_check)

    def _idle_check(self) -> None:
        self._idle_timer = None
        cycle = self.cycle
        if self.transport.is_closing() or self._in_message or (
                cycle is not None and not cycle.response_complete):
            return  # a request in flight: its answer arms the timer again
        remaining = self._idle_since + self.timeout_keep_alive - self.loop.time()
        if remaining > 0:
            self._idle_timer = self.loop.call_later(remaining, self._idle_check)
            return
        self.timeout_keep_alive_handler()

    # -- closing ----------------------------------------------------------------------

    def _refuse(self, code: str, parameter: str | None) -> None:
        """Answer a request the app never saw with the vendor envelope, then close."""
        status, body = error_envelope(code, parameter, region=self.region)
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s"
            % (status, b"Bad Request" if status == 400 else b"Error", len(body), body))
        self.close_gracefully()

    def close_gracefully(self) -> None:
        """Finish writing, send FIN, then read and discard what the client still sends
        for a bounded time before closing: closing with unread bytes would reset the
        connection, and a reset can destroy the answer before the client reads it."""
        if self._lingering or self.transport.is_closing():
            return
        if self._holding is not None:  # a head still held goes out before the FIN
            self._holding.flush()
        self._lingering = True
        self.pipeline.clear()  # nothing more is answered on this connection
        self._cancel_read_timer()
        if self.flow is not None:
            self.flow.resume_reading()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._read_timer = self.loop.call_later(self.limits.linger, self.transport.close)


def protocol_class(limits: ServerLimits, region: str,
                   service: ReferenceService | None = None) -> type[VmsHttpProtocol]:
    """A protocol class bound to ``limits`` (uvicorn builds one instance per connection);
    with ``service``, the usual API request is answered directly (``_direct.py``)."""
    return type("VmsHttpProtocol", (VmsHttpProtocol,),
                {"limits": limits, "region": region, "service": service})
