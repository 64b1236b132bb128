"""The HTML report renders in headless Chromium, from disk, with no server and no network.

Chromium (Debian's ``chromium`` package) dumps the DOM it built and takes a screenshot:
the drift matrix must be in the DOM with one row per rule, and the screenshot must show
its four state colours (it is painted, not only parsed). Skipped when no Chromium is
installed; ``examples/conformance_report/html_report_in_chromium.py`` does the same by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import report_samples as samples
from vmsspec.cli import main
from vmsspec.conformance._reports import HtmlReport
from vmsspec.conformance._reports._chromium import (
    drift_states,
    find_chromium,
    png_pixels,
    render_in_chromium,
)
from vmsspec.conformance._reports._html import STATE_COLOURS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_chromium() is None,
                       reason="no Chromium on PATH (Debian: apt-get install chromium)"),
]


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_the_drift_matrix_is_built_and_painted(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    report = HtmlReport(page, replay_dir=tmp_path / "replays", secrets=[])
    for event in samples.events():
        report(event)
    report.close()
    view = render_in_chromium(page, tmp_path / "report.png")
    assert drift_states(view.dom) == [d.state for d in samples.DRIFT]
    assert "Findings (4)" in view.dom and "vmsspec replay" in view.dom
    assert (view.width, view.height) == (1280, 2000)
    # the matrix is in the top part of the page: decode only that much (pure Python)
    _, _, pixels = png_pixels(view.png.read_bytes(), rows=900)
    colours = set(pixels)
    for state, colour in STATE_COLOURS.items():
        assert _rgb(colour) in colours, f"no {state} cell ({colour}) painted"
    assert len(colours) > 50  # text was drawn (anti-aliased glyphs), not a flat page


def test_the_report_of_a_real_run_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "check.html"
    rules = ["Name:required", "RingAgainTimes:maximum", "PhoneList:maxItems"]
    assert main(["check", "--seed", "5", "--rules", ",".join(rules),
                 "--report", f"html:{page}"]) == 0
    capsys.readouterr()
    view = render_in_chromium(page, tmp_path / "check.png")
    # every rule of the run has its row; the embedded service enforces each as documented
    assert drift_states(view.dom) == ["documented"] * len(rules)
    for rule in rules:
        assert rule in view.dom
    assert "conformant" in view.dom and "--seed 5" in view.dom
