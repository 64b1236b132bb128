"""Robustness benchmark for ``vmsspec serve`` (issue 12), each figure beside its goal.

Run: python bench/bench_robustness.py [--quick] [--json]

Each figure is taken from ``python -m vmsspec serve --port 0`` in its own process, over
loopback:
- health latency (max and median of GETs every 10 ms) while an unsigned 28 MB body is
  answered on another connection (goal: max under 100 ms), and the same while a signed
  10,000-phone body is answered;
- RSS growth of the server after 20,000 small requests (goal under 30 MB) and after a
  further 1,000 requests of 1 MB (goal under 100 MB), default record limit;
- time from sending the headers of a declared 100 MB body to the refusal's first byte
  (median of 20; goal under 50 ms);
- time from SIGTERM to exit with a complete record of 50,000 exchanges
  (``--record-limit 50000 --record FILE``; the file is parsed and counted; goal under 5 s).
``--quick`` divides the request counts by 10 (figures then say so). Timings on a shared
machine are noisy: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

HOST = "127.0.0.1"
API = "/?Action=CreateTask&Version=2022-01-01"


@contextmanager
def serve(*args: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    proc = subprocess.Popen([sys.executable, "-m", "vmsspec", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        match = re.search(r"http://[\d.]+:(\d+)", line)
        if match is None:
            raise RuntimeError(f"no URL from vmsspec serve: {line!r}")
        port = int(match.group(1))
        for _ in range(400):
            try:
                socket.create_connection((HOST, port), 1).close()
                break
            except OSError:
                time.sleep(0.025)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def request(body: bytes, headers: str = "") -> bytes:
    return (f"POST {API} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            f"{headers}Content-Length: {len(body)}\r\n\r\n").encode() + body


def signed_request(port: int, body: bytes) -> bytes:
    from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY
    from vmsspec.signing import sign_request

    signed = sign_request("POST", "/", {"Action": "CreateTask", "Version": "2022-01-01"},
                          [("Host", f"{HOST}:{port}"), ("Content-Type", "application/json")],
                          body, access_key=TEST_ACCESS_KEY, secret_key=TEST_SECRET_KEY,
                          region="cn-beijing", service="vms").headers
    head = "".join(f"{k}: {v}\r\n" for k, v in signed.items())
    return f"POST {API} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


def read_responses(sock: socket.socket, count: int) -> list[int]:
    """Statuses of ``count`` pipelined responses (each with a Content-Length)."""
    buffer, statuses = b"", []
    while len(statuses) < count:
        head_end = buffer.find(b"\r\n\r\n")
        if head_end >= 0:
            head = buffer[:head_end].decode("latin-1")
            length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
            if len(buffer) >= head_end + 4 + length:
                statuses.append(int(head.split()[1]))
                buffer = buffer[head_end + 4 + length:]
                continue
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError(f"closed after {len(statuses)} of {count} responses")
        buffer += chunk
    return statuses


def pipeline(port: int, raw: bytes, count: int, batch: int = 100) -> None:
    with socket.create_connection((HOST, port), 30) as sock:
        sent = 0
        while sent < count:
            n = min(batch, count - sent)
            sock.sendall(raw * n)
            read_responses(sock, n)
            sent += n


def phone_body(phones: int) -> bytes:
    items = ",".join(f'{{"Phone":"138{n:08d}"}}' for n in range(phones))
    return ('{"Name":"big","Resource":"r","PhoneList":[' + items + "]}").encode()


def health_while(port: int, raw: bytes) -> dict[str, Any]:
    """Health latencies on one connection while ``raw`` is answered on another."""
    latencies: list[float] = []
    done = threading.Event()

    def big() -> None:
        with socket.create_connection((HOST, port), 120) as sock:
            sock.sendall(raw)
            read_responses(sock, 1)
        done.set()

    thread = threading.Thread(target=big)
    with socket.create_connection((HOST, port), 120) as sock:
        probe = f"GET /_vmsspec/health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
        thread.start()
        began = time.perf_counter()
        while not done.is_set():
            t = time.perf_counter()
            sock.sendall(probe)
            read_responses(sock, 1)
            latencies.append(time.perf_counter() - t)
            time.sleep(0.01)
        answered = time.perf_counter() - began
    thread.join()
    return {"body_mb": len(raw) / 1e6, "big_answered_s": answered, "probes": len(latencies),
            "health_max_ms": max(latencies) * 1e3,
            "health_median_ms": statistics.median(latencies) * 1e3}


def refusal_ms(port: int, rounds: int = 20) -> float:
    head = request(b"").replace(b"Content-Length: 0", b"Content-Length: 104857600")
    times = []
    for _ in range(rounds):
        with socket.create_connection((HOST, port), 10) as sock:
            t = time.perf_counter()
            sock.sendall(head)
            if not sock.recv(1):
                raise ConnectionError("no refusal")
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def sigterm_with_record(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        record = os.path.join(folder, "record.json")
        with serve("--record-limit", str(count), "--record", record) as (proc, port):
            raw = request(b"{}")  # unsigned: answered MissingAuthenticationToken, recorded
            threads = [threading.Thread(target=pipeline, args=(port, raw, count // 4))
                       for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            began = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
            elapsed = time.perf_counter() - began
        with open(record, "rb") as f:
            kept = len(json.load(f))
    return {"exchanges": kept, "exit_s": elapsed, "returncode": proc.returncode}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the request counts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    load = os.getloadavg()
    results: dict[str, Any] = {"load_average": load, "quick": args.quick}
    with serve() as (proc, port):
        # 28 MB: 1.2 million phones, each {"Phone": "138..."} (unsigned: no Authorization)
        results["big_body"] = health_while(port, request(phone_body(1_200_000)))
        results["phones_10k"] = health_while(port, signed_request(port, phone_body(10_000)))
    with serve() as (proc, port):
        base = rss_mb(proc.pid)
        pipeline(port, signed_request(port, b'{"Name":"n"}'), 20_000 // scale)
        small = rss_mb(proc.pid)
        megabyte = b'{"Name":"' + b"x" * (1 << 20) + b'"}'
        pipeline(port, signed_request(port, megabyte), 1_000 // scale, batch=10)
        large = rss_mb(proc.pid)
        results["rss_mb"] = {"start": base, "after_small": small, "after_1mb": large,
                             "small_growth": small - base, "large_growth": large - small}
        results["refuse_100mb_ms"] = refusal_ms(port)
    results["sigterm"] = sigterm_with_record(50_000 // scale)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    big, rss, term = results["big_body"], results["rss_mb"], results["sigterm"]
    note = " (--quick: a tenth of the requests)" if args.quick else ""
    print(f"vmsspec serve robustness, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
          f"{note}")
    print(f"  health while an unsigned {big['body_mb']:.0f} MB body is answered "
          f"({big['big_answered_s']:.1f} s): max {big['health_max_ms']:.0f} ms, median "
          f"{big['health_median_ms']:.1f} ms over {big['probes']} probes  (goal max < 100 ms)")
    ten = results["phones_10k"]
    print(f"  health while a signed 10,000-phone body ({ten['body_mb']:.2f} MB) is answered "
          f"({ten['big_answered_s']:.2f} s): max {ten['health_max_ms']:.0f} ms, median "
          f"{ten['health_median_ms']:.1f} ms over {ten['probes']} probes")
    print(f"  RSS growth after {20_000 // scale} small requests: {rss['small_growth']:+.1f} MB"
          f"  (goal < 30 MB; {rss['start']:.0f} MB at start)")
    print(f"  RSS growth after {1_000 // scale} requests of 1 MB: {rss['large_growth']:+.1f} MB"
          f"  (goal < 100 MB)")
    print(f"  refusal of a declared 100 MB body: {results['refuse_100mb_ms']:.1f} ms median"
          f"  (goal < 50 ms)")
    print(f"  SIGTERM to exit with a complete record of {term['exchanges']} exchanges: "
          f"{term['exit_s']:.2f} s, exit {term['returncode']}  (goal < 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
