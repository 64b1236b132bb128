"""Open a `vmsspec check` HTML report in headless Chromium and check the drift table is there.

    python examples/conformance_report/html_report_in_chromium.py [REPORT.html] [--png OUT.png]

Without REPORT.html it first runs `vmsspec check --report html:...` against the
embedded reference service (in-process, a few rules, so it takes seconds). Chromium
loads the page from disk (no server; every background service off; a host resolver
that resolves nothing), dumps the DOM and takes a 1280x2000 screenshot. Exit 0 when the
drift matrix has a row per rule; 1 when it does not; 2 when Chromium is missing
(Debian: `apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from vmsspec.cli import main as vmsspec_main
from vmsspec.conformance._reports._chromium import drift_states, render_in_chromium


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", nargs="?", type=Path, help="an HTML report (default: make one)")
    parser.add_argument("--png", type=Path, default=Path("vmsspec-report.png"),
                        help="where the screenshot goes (default: vmsspec-report.png)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vmsspec-report-"))
    report = args.report
    if report is None:
        report = work / "report.html"
        code = vmsspec_main(["check", "--seed", "1", "--rules",
                             "Name:required,RingAgainTimes:maximum,PhoneList:maxItems",
                             "--report", f"html:{report}"])
        print(f"vmsspec check exited {code}; report: {report}")
    try:
        view = render_in_chromium(report, args.png.resolve())
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    states = drift_states(view.dom)
    print(f"screenshot: {view.png} ({view.width}x{view.height})")
    print(f"drift matrix: {len(states)} rows: "
          + ", ".join(f"{n} {s}" for s, n in Counter(states).items()))
    return 0 if states else 1


if __name__ == "__main__":
    sys.exit(main())
