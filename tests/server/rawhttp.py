"""Raw loopback sockets for the robustness tests: what httpx will not send on purpose
(partial headers, lies about Content-Length, a half-closed side)."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import vmsspec
from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY
from vmsspec.signing import sign_request

API = "/?Action=CreateTask&Version=2022-01-01"


def connect(url: str, timeout: float = 10.0) -> socket.socket:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=timeout)


def signed_request(url: str, body: bytes | None = None, *, extra: str = "") -> bytes:
    """A complete signed CreateTask request as bytes."""
    body = vmsspec.example_bytes() if body is None else body
    host = url.removeprefix("http://")
    headers = sign_request("POST", "/", {"Action": "CreateTask", "Version": "2022-01-01"},
                           [("Host", host), ("Content-Type", "application/json")], body,
                           access_key=TEST_ACCESS_KEY, secret_key=TEST_SECRET_KEY,
                           region="cn-beijing", service="vms").headers
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {API} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n{extra}\r\n"
            .encode() + body)


def read_response(sock: socket.socket, deadline: float = 10.0) -> tuple[int, dict[str, str],
                                                                         bytes]:
    """(status, headers, body) of one response with a Content-Length."""
    data = b""
    end = time.monotonic() + deadline
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a whole response head: {data[:200]!r}")
        data += chunk
        if time.monotonic() > end:
            raise TimeoutError("no response head")
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length]


def envelope_code(body: bytes) -> Any:
    return json.loads(body)["ResponseMetadata"]["Error"]["Code"]


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``sock`` within ``seconds`` (reading whatever comes)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True
