"""``vmsspec serve``: the reference service on a real port, for any HTTP client."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

from ..service import DEFAULT_REGIONS, MISSING_CONTENT_TYPE
from ._common import CliError

__all__ = ["register"]


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
                   help="on exit, write every exchange (secrets redacted) to FILE as JSON")
    p.set_defaults(func=run)


def _write_atomically(path: Path, data: bytes) -> None:
    # A crash mid-write must not leave half a file where a good one is expected.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..adapters.server import free_port, uvicorn_config
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
    if record is not None and not record.parent.is_dir():
        raise CliError(f"--record {record}: no such directory {record.parent}")
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
    port = args.port or free_port(args.host)
    server = uvicorn.Server(uvicorn_config(service, args.host, port))
    try:
        import socket

        probe = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((args.host, port))
        probe.close()
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{port}: {exc.strerror or exc}") from None
    print(f"vmsspec: serving CreateTask (profile {profile.name}) at http://{args.host}:{port}")
    print(f"  regions accepted: {', '.join(service.regions)}")
    print(f"  test credentials (public, embedded): {ENV_ACCESS_KEY}={TEST_ACCESS_KEY} "
          f"{ENV_SECRET_KEY}={TEST_SECRET_KEY}")
    if env_ak and env_sk:
        print(f"  also accepting {ENV_ACCESS_KEY}={env_ak} from the environment")
    print(f"  control: http://{args.host}:{port}/_vmsspec/exchanges   (Ctrl-C stops)")
    sys.stdout.flush()
    # uvicorn shuts down on the first Ctrl-C and then re-raises it: that is our normal
    # way out, and the recording below must still be written.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    exchanges = service.exchanges
    if record is not None:
        data = json.dumps([e.as_dict() for e in exchanges], ensure_ascii=False, indent=2)
        _write_atomically(record, data.encode("utf-8"))
        print(f"vmsspec: wrote {len(exchanges)} exchanges to {record}")
    bad = sum(not e.conformant for e in exchanges)
    print(f"vmsspec: stopped after {len(exchanges)} requests, {bad} not conformant")
    return 0
