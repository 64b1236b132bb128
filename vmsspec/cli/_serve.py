"""``vmsspec serve``: the reference service on a real port, for any HTTP client."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import orjson

from ..adapters._limits import ServerLimits
from ..adapters.asgi import CONTROL_TOKEN_HEADER, is_loopback_host
from ..service import DEFAULT_REGIONS, MISSING_CONTENT_TYPE
from ..service._recording import DEFAULT_RECORD_LIMIT, Recorder
from ._common import CliError

if TYPE_CHECKING:
    from ..service import ReferenceService

__all__ = ["register"]

ENV_CONTROL_TOKEN = "VMSSPEC_CONTROL_TOKEN"  # noqa: S105 - a variable name


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve", help="run the reference CreateTask service on a port",
        description="Serve CreateTask on HOST:PORT until Ctrl-C. Requests are signed with the "
                    "embedded test key pair (printed at start), or with VOLC_ACCESSKEY / "
                    "VOLC_SECRETKEY when both are set.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8960, help="0 picks a free port (default 8960)")
    p.add_argument("--profile", default="documented")
    p.add_argument("--region", action="append", metavar="REGION",
                   help="a credential-scope region to accept; repeatable, the first is what "
                        "ResponseMetadata.Region echoes (default: "
                        f"{', '.join(DEFAULT_REGIONS)})")
    p.add_argument("--missing-content-type", choices=MISSING_CONTENT_TYPE, default="json",
                   help="a request without Content-Type is read as JSON (default) or refused")
    p.add_argument("--record", metavar="FILE",
                   help="on exit (Ctrl-C or SIGTERM), write the recorded exchanges (secrets "
                        "redacted) to FILE as JSON, atomically")
    p.add_argument("--record-limit", type=_count, default=DEFAULT_RECORD_LIMIT, metavar="N",
                   help=f"keep the newest N exchanges (default {DEFAULT_RECORD_LIMIT:,}); "
                        "older ones are still counted")
    p.add_argument("--no-record", action="store_true",
                   help="keep no exchanges at all (they are still counted)")
    p.add_argument("--fail-on-nonconformant", action="store_true",
                   help="exit 1 if any request broke the contract (for CI)")
    p.add_argument("--control-token", metavar="TOKEN",
                   default=os.environ.get(ENV_CONTROL_TOKEN) or None,
                   help=f"require header {CONTROL_TOKEN_HEADER}: TOKEN on /_vmsspec/ (default "
                        f"${ENV_CONTROL_TOKEN}); without it the control path answers only "
                        "loopback Hosts, and is off on a non-loopback --host")
    limits = ServerLimits()
    p.add_argument("--max-header-bytes", type=_count, default=limits.max_header_bytes,
                   metavar="N", help="request line and headers larger than N bytes are "
                                     f"refused (default {limits.max_header_bytes})")
    p.add_argument("--read-timeout", type=_seconds, default=limits.read_timeout, metavar="S",
                   help="headers must arrive within S seconds and a body may not pause "
                        f"longer (default {limits.read_timeout:g})")
    p.add_argument("--idle-timeout", type=_seconds, default=limits.idle_timeout, metavar="S",
                   help=f"close idle keep-alive connections after S seconds "
                        f"(default {limits.idle_timeout:g})")
    p.add_argument("--max-connections", type=_count, default=limits.max_connections,
                   metavar="N", help="connections past N are answered Throttling (429) "
                                     f"and closed (default {limits.max_connections})")
    p.add_argument("--shutdown-timeout", type=_seconds, default=limits.shutdown_timeout,
                   metavar="S", help="on exit, wait at most S seconds for requests in "
                                     f"flight (default {limits.shutdown_timeout:g})")
    p.set_defaults(func=run)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 86400:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _check_record_path(record: Path) -> None:
    """Refuse at start what could only fail at exit, when the exchanges would be lost."""
    if record.is_dir():
        raise CliError(f"--record {record}: is a directory")
    if not record.parent.is_dir():
        raise CliError(f"--record {record}: no such directory {record.parent}")
    if record.exists() and not os.access(record, os.W_OK):
        raise CliError(f"--record {record}: not writable")
    try:  # what the write on exit does: a temporary file beside the record
        fd, probe = tempfile.mkstemp(dir=record.parent, prefix=f".{record.name}.")
    except OSError as exc:
        raise CliError(f"--record {record}: cannot write in {record.parent}: "
                       f"{exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)


class _Interrupted(Exception):
    def __init__(self, sig: int) -> None:
        super().__init__(signal.Signals(sig).name)
        self.sig = sig


def _write_record(path: Path, chunks: Iterable[bytes]) -> bool:
    """Write ``chunks`` to ``path`` through a temporary file renamed over it: whatever
    happens, ``path`` holds the complete new record or what it held before.

    A SIGINT or SIGTERM during the write abandons it (raised as _Interrupted) unless the
    rename already happened; returns whether ``path`` now holds the new record."""
    def interrupt(sig: int, frame: FrameType | None) -> None:
        raise _Interrupted(sig)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())  # the rename must not reach the disk before the data
        os.replace(tmp, path)
    except BaseException:
        if not os.path.exists(tmp):  # renamed just before the signal: complete
            return True
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return True


def _record_chunks(service: ReferenceService) -> Iterator[bytes]:
    # One exchange a line inside a JSON array: streamed, so memory stays flat however
    # many exchanges are kept.
    yield b"["
    for n, exchange in enumerate(service.recorder.iter_exchanges()):
        yield (b"\n" if n == 0 else b",\n") + orjson.dumps(exchange.as_dict())
    yield b"\n]\n"


def run(args: argparse.Namespace) -> int:
    from ..adapters.server import VmsServer, free_port, uvicorn_config
    from ..contract import get_profile
    from ..service import TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService
    from ..signing import ENV_ACCESS_KEY, ENV_SECRET_KEY

    try:
        profile = get_profile(args.profile)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port {args.port} is not a TCP port")
    record = Path(args.record) if args.record else None
    if record is not None and args.no_record:
        raise CliError("--record and --no-record: choose one")
    if record is not None:
        _check_record_path(record)
    if args.control_token is not None and (not args.control_token.strip()
                                           or not args.control_token.isprintable()):
        raise CliError("--control-token must be printable and not blank")
    try:
        limits = ServerLimits(
            max_header_bytes=args.max_header_bytes, read_timeout=args.read_timeout,
            idle_timeout=args.idle_timeout, max_connections=args.max_connections,
            shutdown_timeout=args.shutdown_timeout)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    credentials = {TEST_ACCESS_KEY: TEST_SECRET_KEY}
    env_ak, env_sk = os.environ.get(ENV_ACCESS_KEY), os.environ.get(ENV_SECRET_KEY)
    if env_ak and env_sk:
        credentials[env_ak] = env_sk
    regions: list[str] = args.region or list(DEFAULT_REGIONS)
    unusable = [r for r in regions if not r or not r.isprintable() or r != r.strip()]
    if unusable:
        raise CliError(f"--region {unusable[0]!r} is not a region name")
    service = ReferenceService(credentials=credentials, profile=profile, regions=regions,
                               missing_content_type=args.missing_content_type)
    service.recorder = Recorder(limit=0 if args.no_record else args.record_limit)
    if not is_loopback_host(args.host):
        state = ("needs the --control-token header" if args.control_token
                 else "is off (give --control-token to turn it on)")
        print(f"vmsspec: warning: listening on {args.host}, not loopback: other machines can "
              f"reach this mock; its control path {state}", file=sys.stderr, flush=True)
    port = args.port
    try:
        port = port or free_port(args.host)
        probe = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((args.host, port))
        probe.close()
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{port}: {exc.strerror or exc}") from None
    except (UnicodeError, ValueError) as exc:
        raise CliError(f"cannot listen on {args.host}:{port}: {exc}") from None
    server = VmsServer(uvicorn_config(service, args.host, port, limits=limits,
                                      control_token=args.control_token))
    print(f"vmsspec: serving CreateTask (profile {profile.name}) at http://{args.host}:{port}")
    print(f"  regions accepted: {', '.join(service.regions)}")
    print(f"  test credentials (public, embedded): {ENV_ACCESS_KEY}={TEST_ACCESS_KEY} "
          f"{ENV_SECRET_KEY}={TEST_SECRET_KEY}")
    if env_ak and env_sk:
        print(f"  also accepting {ENV_ACCESS_KEY}={env_ak} from the environment")
    control = "control" if is_loopback_host(args.host) or args.control_token else "control (off)"
    print(f"  {control}: http://{args.host}:{port}/_vmsspec/exchanges   (Ctrl-C stops)")
    sys.stdout.flush()
    # SIGINT or SIGTERM stops the server (VmsServer) and comes back here: the recording
    # below must still be written. A KeyboardInterrupt can only come before uvicorn
    # takes the signals over.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    recorder = service.recorder
    status = 0
    if record is not None:
        try:
            _write_record(record, _record_chunks(service))
        except _Interrupted as stop:
            existed = "left as it was" if record.exists() else "not created"
            print(f"vmsspec: {stop} while writing the record: {record} {existed}; "
                  f"{len(recorder)} exchanges not written", file=sys.stderr)
            status = 128 + stop.sig
        except OSError as exc:
            print(f"vmsspec: cannot write {record}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
        else:
            print(f"vmsspec: wrote {len(recorder)} exchanges to {record}")
    bad = recorder.nonconformant
    print(f"vmsspec: stopped after {recorder.total} requests, {bad} not conformant")
    if status == 0 and args.fail_on_nonconformant and bad:
        print(f"vmsspec: {bad} requests broke the contract (--fail-on-nonconformant)",
              file=sys.stderr)
        status = 1
    return status
