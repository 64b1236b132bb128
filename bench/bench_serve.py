"""`vmsspec serve` under wrk, against a bare uvicorn app with the same HTTP parser.

Run: python bench/bench_serve.py [--quick] [--profile] [--json]
Needs wrk (Debian package ``wrk``: ``apt-get install -y wrk``).

Figures (issue 13): requests/s of ``python -m vmsspec serve --port 0`` at least 0.7x a
bare uvicorn ASGI app (a trivial app answering a canned CreateTask answer, vmsspec's
uvicorn settings, httptools: the parser `vmsspec serve` runs on) at one connection and at
eight; and server CPU per request (user + system time of the server process over the
window, from /proc, divided by the requests wrk completed) at most 1.5x bare's.

Method: both servers run at once, each in its own process. Every window runs
``wrk -t1 -cN -dS`` against one server with bench/wrk_create_task.lua, which sends one
CreateTask request signed just before the window (Host, Content-Type, X-Date,
X-Content-Sha256, Authorization; the body is the bundled example with a ClientToken, so
the service answers the same task again and never reaches its task limit). Windows
alternate between the servers, the order rotated each round; a figure is the median over
the rounds. A window with any non-2xx answer or socket error fails the run. wrk itself
takes one of the two cores, as a client on the same machine does.

``--profile`` adds a py-spy sample of the `vmsspec serve` process during one extra
one-connection window, summarized by where the time goes. ``--floor`` adds one-connection
windows against the service with ``handle`` answering a canned response (the HTTP side
alone) and with ``handle`` timing itself (its thread CPU inside the server), beside the
two servers: user and system CPU per request of each (bench/README.md, "Where the floor
is").
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _servers import child_argv, cpu_seconds, cpu_times, serve_argv, server_process
from _timing import Figure, at_least, at_most, finish, measured, quick
from _timing import stamp as machine_stamp

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk_create_task.lua"
API = "/?Action=CreateTask&Version=2022-01-01"
CONNECTIONS = (1, 8)
SERVERS = ("vmsspec serve", "bare uvicorn (httptools)")


def signed_request_file(path: Path, url: str) -> None:
    """The request wrk sends, signed now, in wrk_create_task.lua's format."""
    import vmsspec
    from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY
    from vmsspec.signing import sign_request

    host = url.removeprefix("http://")
    body_doc = json.loads(vmsspec.example_bytes())
    body_doc["ClientToken"] = "bench-serve-0001"
    body = json.dumps(body_doc, ensure_ascii=False).encode()
    signed = sign_request("POST", "/", {"Action": "CreateTask", "Version": "2022-01-01"},
                          [("Host", host), ("Content-Type", "application/json")], body,
                          access_key=TEST_ACCESS_KEY, secret_key=TEST_SECRET_KEY,
                          region="cn-beijing", service="vms")
    lines = [API, *(f"{name}: {value}" for name, value in signed.headers.items())]
    path.write_bytes(("\n".join(lines) + "\n\n").encode() + body)


def run_wrk(url: str, connections: int, seconds: float, request_file: Path) -> dict[str, Any]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "-s", str(LUA), url + "/"]
    env = {**os.environ, "VMSSPEC_WRK_REQUEST": str(request_file)}
    out = subprocess.run(argv, capture_output=True, text=True, env=env,
                         timeout=seconds + 30, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()[:500]}")
    text = out.stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", text)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if done is None or rate is None:
        raise RuntimeError(f"cannot read wrk's output:\n{text}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    if bad or errors:
        raise RuntimeError(f"{url}: wrk saw failures ({(bad or errors).group(0)}):\n{text}")
    return {"requests": int(done.group(1)), "rps": float(rate.group(1))}


def profile_serve(url: str, pid: int, seconds: float, request_file: Path) -> dict[str, Any]:
    """py-spy samples of the server during a one-connection wrk window, summarized."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        return {"error": "py-spy not installed (pip install py-spy)"}
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        spy = subprocess.Popen([py_spy, "record", "--pid", str(pid), "--duration",
                                f"{int(seconds) + 1}", "--rate", "250", "--format", "raw",
                                "--output", str(raw), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            run_wrk(url, 1, seconds, request_file)
            _, err = spy.communicate(timeout=seconds + 30)
        finally:
            if spy.poll() is None:
                spy.kill()
                spy.wait()
        if not raw.exists():
            return {"error": f"py-spy: {err.decode(errors='replace').strip()[:300]}"}
        return summarize_stacks(raw.read_text(encoding="utf-8", errors="replace"))


# Buckets for the profile summary: the first (outermost) frame matching wins.
BUCKETS = (
    ("ReferenceService.handle: verify signature", re.compile(r"_authenticate|verify_request")),
    ("ReferenceService.handle: validate", re.compile(r"_expect |_validator|_python_rules")),
    ("ReferenceService.handle: parse body", re.compile(r"_parse \(vmsspec")),
    ("ReferenceService.handle: record", re.compile(r"_record |_recording")),
    ("ReferenceService.handle: rest", re.compile(r"_service\.py")),
    ("ASGI app (vmsspec.adapters.asgi)", re.compile(r"vmsspec/adapters/asgi")),
    ("uvicorn HTTP protocol", re.compile(r"uvicorn/protocols|_protocol\.py")),
    ("asyncio event loop, socket calls", re.compile(r"asyncio|selectors")),
)


def summarize_stacks(text: str) -> dict[str, Any]:
    """Collapsed stacks ("frame;frame;... count") -> share of busy samples per bucket."""
    buckets: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if frames and "select" in frames[-1] and "selectors" in frames[-1]:
            continue  # idle: waiting in epoll
        total += count
        for name, pattern in BUCKETS:
            if any(pattern.search(frame) for frame in frames):
                buckets[name] += count
                break
        else:
            buckets["other"] += count
        leaves[re.sub(r"\s*\(.*?:\d+\)$", "", frames[-1]) if frames else "?"] += count
    if not total:
        return {"error": "no busy samples"}
    return {"busy_samples": total,
            "buckets": {k: round(v / total, 3) for k, v in buckets.most_common()},
            "top_leaf_functions": {k: round(v / total, 3) for k, v in leaves.most_common(12)}}


def floor_split(seconds: float, rounds: int) -> dict[str, Any]:
    """User/system CPU per request of bare uvicorn, vmsspec serve, and vmsspec with a
    canned or a self-timing ``handle``, one connection, windows alternating."""
    argvs = {"bare uvicorn": child_argv("bare", "httptools"), "vmsspec serve": serve_argv(),
             "vmsspec, canned handle": child_argv("vmsspec-canned", "httptools"),
             "vmsspec, handle timed": child_argv("vmsspec-timed", "httptools")}
    rows: dict[str, list[dict[str, float]]] = collections.defaultdict(list)
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        times_file = tmp / "handle-times.txt"
        os.environ["VMSSPEC_BENCH_HANDLE_TIMES"] = str(times_file)
        servers = {name: stack.enter_context(server_process(argv))
                   for name, argv in argvs.items()}
        for url, _ in servers.values():
            signed_request_file(tmp / "request.txt", url)
            run_wrk(url, 1, 1, tmp / "request.txt")
        times_file.unlink(missing_ok=True)  # the warm-up's
        for _ in range(rounds):
            for name, (url, pid) in servers.items():
                signed_request_file(tmp / "request.txt", url)
                user, system = cpu_times(pid)
                result = run_wrk(url, 1, seconds, tmp / "request.txt")
                user2, system2 = cpu_times(pid)
                rows[name].append({"rps": result["rps"],
                                   "user_us": (user2 - user) / result["requests"] * 1e6,
                                   "system_us": (system2 - system) / result["requests"] * 1e6})
        handle = [float(x) * 1e6 for x in times_file.read_text().split()] \
            if times_file.exists() else []
    summary: dict[str, Any] = {
        name: {key: round(statistics.median(r[key] for r in runs), 1)
               for key in ("rps", "user_us", "system_us")} for name, runs in rows.items()}
    summary["handle inside the server, thread CPU µs (median of 2,000-call means)"] = (
        round(statistics.median(handle), 1) if handle else None)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one short round (run_all --quick)")
    parser.add_argument("--profile", action="store_true", help="add a py-spy summary")
    parser.add_argument("--floor", action="store_true",
                        help="add the HTTP side / handle split (README: where the floor is)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench_serve.py: wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    fast = quick()
    seconds, rounds = (2.0, 1) if fast else (4.0, 3)
    started = machine_stamp()
    runs: dict[tuple[str, int], list[dict[str, Any]]] = collections.defaultdict(list)
    details: dict[str, Any] = {}
    argvs = {SERVERS[0]: serve_argv(), SERVERS[1]: child_argv("bare", "httptools")}
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        servers = {name: stack.enter_context(server_process(argv))
                   for name, argv in argvs.items()}
        for url, _ in servers.values():  # warm up, and prove the request is answered
            signed_request_file(tmp / "request.txt", url)
            run_wrk(url, 1, 1, tmp / "request.txt")
        for r in range(rounds):
            for connections in CONNECTIONS:
                order = list(servers)[r % 2:] + list(servers)[:r % 2]
                for name in order:
                    url, pid = servers[name]
                    signed_request_file(tmp / "request.txt", url)
                    before = cpu_seconds(pid)
                    result = run_wrk(url, connections, seconds, tmp / "request.txt")
                    result["cpu_per_request_s"] = (cpu_seconds(pid) - before) / result["requests"]
                    runs[(name, connections)].append(result)
        if args.profile:
            url, pid = servers[SERVERS[0]]
            signed_request_file(tmp / "request.txt", url)
            details["profile"] = profile_serve(url, pid, 5.0, tmp / "request.txt")

    def median(name: str, connections: int, key: str) -> float:
        return statistics.median(run[key] for run in runs[(name, connections)])

    figures = []
    for connections in CONNECTIONS:
        ours, bare = (median(s, connections, "rps") for s in SERVERS)
        figures.append(Figure(
            f"vmsspec serve / bare uvicorn, requests/s, wrk {connections} connection(s)",
            measured(ours, "req/s"), measured(bare, "req/s"), ours / bare, at_least(0.7)))
    for connections in CONNECTIONS:
        ours, bare = (median(s, connections, "cpu_per_request_s") for s in SERVERS)
        figures.append(Figure(
            f"vmsspec serve / bare uvicorn, server CPU per request, wrk {connections} conn.",
            measured(ours, "s"), measured(bare, "s"), ours / bare, at_most(1.5)))
    details["runs"] = {f"{name}, {c} conn.": rs for (name, c), rs in runs.items()}
    if args.floor:
        details["floor"] = floor_split(seconds, rounds)
    code = finish("bench_serve.py", figures, started, details, as_json=args.json)
    for key in ("profile", "floor"):
        if key in details and not args.json:
            print(json.dumps({key: details[key]}, indent=2, ensure_ascii=False))
    return code


if __name__ == "__main__":
    sys.exit(main())
