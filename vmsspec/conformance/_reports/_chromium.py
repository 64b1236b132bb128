"""Open an HTML report in headless Chromium: the DOM it built and a screenshot.

Used by the browser test and by ``examples/conformance_report/html_report_in_chromium.py``
to show that the page renders from disk with no server and no network: Chromium runs
with every background service off and a host resolver that resolves nothing, in a
throwaway profile.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["CHROMIUM_FLAGS", "BrowserView", "drift_states", "find_chromium", "png_pixels",
           "render_in_chromium"]

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
    # nothing resolves: a page that tried to fetch anything would fail to, visibly
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The first Chromium-like browser on PATH (Debian's package installs ``chromium``)."""
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass(frozen=True)
class BrowserView:
    dom: str
    """``--dump-dom``: the document after parsing, as Chromium serialises it."""
    png: Path
    width: int
    height: int


def _run(browser: str, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="vmsspec-chromium-") as profile:
        return subprocess.run(  # noqa: S603 -- argv list, no shell; the browser is the caller's
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=timeout, check=False,
        )


def render_in_chromium(html: Path, png: Path, *, browser: str | None = None,
                       window: tuple[int, int] = (1280, 2000),
                       timeout: float = 120.0) -> BrowserView:
    """Load ``html`` from disk, dump its DOM and screenshot it to ``png``.

    Raises RuntimeError (one line) when no browser is found or it produced nothing.
    """
    browser = browser or find_chromium()
    if browser is None:
        raise RuntimeError("no Chromium found on PATH (Debian: apt-get install chromium)")
    url = html.resolve().as_uri()
    dumped = _run(browser, ["--dump-dom", url], timeout)
    if "<html" not in dumped.stdout:
        tail = (dumped.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{browser} --dump-dom printed no document: {tail}")
    png.unlink(missing_ok=True)
    shot = _run(browser, [f"--screenshot={png}", f"--window-size={window[0]},{window[1]}", url],
                timeout)
    if not png.is_file():
        tail = (shot.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{browser} --screenshot wrote no file: {tail}")
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    return BrowserView(dumped.stdout, png, width, height)


class _DriftRows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.states: list[str] = []
        self.in_matrix = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.in_matrix = found.get("id") == "drift-matrix"
        elif tag == "tr" and self.in_matrix and "drift-row" in (found.get("class") or ""):
            self.states.append(found.get("data-state") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_matrix = False


def drift_states(dom: str) -> list[str]:
    """The drift matrix's rows, as the state each row marks."""
    parser = _DriftRows()
    parser.feed(dom)
    return parser.states


def png_pixels(data: bytes, rows: int | None = None,
               ) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels (of the first ``rows`` rows) of an 8-bit,
    non-interlaced RGB or RGBA PNG.

    Just enough of PNG to tell a rendered page from a blank one without an image library
    (pure Python: about two seconds per thousand rows of 1280 pixels).
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, bytearray(), b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(bytes(idat))
    stride = width * step
    previous = bytearray(stride)
    pixels: list[tuple[int, int, int]] = []
    for row in range(height if rows is None else min(rows, height)):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        pixels.extend(tuple(line[i:i + 3]) for i in range(0, stride, step))  # type: ignore[misc]
        previous = line
    return width, height, pixels
