"""Run every benchmark and write bench/RESULTS.md.

Run: python bench/run_all.py [--quick] [--only NAME ...] [--output PATH]

Each bench script runs in its own process, one after another (never two at once: they
would time each other). Scripts built on _timing.py append their figures to a file named
by VMSSPEC_BENCH_OUT; run_all.py collects them into one table: figure, ours, reference,
ratio, goal, met, and the machine, date and load average of the run that measured it. A
script that reports no figures (or none in this format) still gets a row with its exit
status. ``--quick`` (VMSSPEC_BENCH_QUICK=1) makes every script take fewer repeats: about
three minutes for everything, cheap enough to re-run at the end of a working session.
Exit status: 0 when every goal is met, 1 when any is missed or a script failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _timing import OUT_ENV, QUICK_ENV, stamp

HERE = Path(__file__).resolve().parent
# Ours first, then the other helpers' scripts when they exist (run, never required).
SCRIPTS = (
    "bench_signing.py",
    "bench_contract.py",
    "bench_service.py",
    "bench_serve.py",
    "bench_strategies.py",
    "bench_robustness.py",
    "bench_plugin.py",
    "bench_check.py",
)
TIMEOUT = {"quick": 600, "full": 1800}  # seconds per script: each bench stops by itself


def run_script(name: str, quick: bool, out: Path) -> dict[str, Any]:
    env = {**os.environ, OUT_ENV: str(out)}
    if quick:
        env[QUICK_ENV] = "1"
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, str(HERE / name)], cwd=HERE.parent, env=env,
                              capture_output=True, text=True,
                              timeout=TIMEOUT["quick" if quick else "full"], check=False)
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code = -1
        stdout = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
        stderr = f"timed out after {exc.timeout:.0f} s"
    return {"script": name, "exit": code, "seconds": time.monotonic() - started,
            "stdout": stdout, "stderr": stderr}


def read_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a foreign line: ignored, the script's exit status still shows
    return records


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(runs: list[dict[str, Any]], records: dict[str, list[dict[str, Any]]],
           quick: bool, begun: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run_all.py{' --quick' if quick else ''}` on "
        f"{begun['date']}; machine: {begun['machine']}; load average at the start "
        f"{begun['load']} (1, 5, 15 min). Method: [README.md](README.md#method). "
        "A ratio is the median of per-repeat ratios measured side by side, unless the "
        "figure says otherwise; \"absolute\" rows compare with a fixed budget and move "
        "with the machine's load.",
        "",
        "| figure | ours | reference | ratio | goal | met | script | date | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        script = run["script"]
        got = records.get(script, [])
        for record in got:
            when = record["started"]["date"]
            load = record["started"]["load"][:1] + record["ended"]["load"][:1]
            load_text = " -> ".join(f"{x:g}" for x in load)
            for f in record["figures"]:
                met = {True: "yes", False: "**no**", None: "(measured)"}[f["met"]]
                lines.append(
                    f"| {_cell(f['figure'])} | {_cell(f['ours'])} | {_cell(f['reference'])} "
                    f"| {f['ratio']:.2f}x | {_cell(f['goal'] or '-')} | {met} | {script} "
                    f"| {when} | {load_text} |")
        if not got:
            status = "ok" if run["exit"] == 0 else f"exit {run['exit']}"
            lines.append(f"| {script}: no figures in run_all's format ({status}) | | | | | "
                         f"{'yes' if run['exit'] == 0 else '**no**'} | {script} | | |")
    notes = [f["note"] for rs in records.values() for r in rs for f in r["figures"]
             if f.get("note")]
    if notes:
        lines += ["", "Notes, in table order:", ""]
        seen: set[str] = set()
        for note in notes:
            if note not in seen:
                seen.add(note)
                lines.append(f"- {note}")
    lines += ["", "Scripts:", ""]
    for run in runs:
        tail = run["stderr"].strip().splitlines()[-1:] if run["exit"] else []
        lines.append(f"- `{run['script']}`: exit {run['exit']}, {run['seconds']:.0f} s"
                     + (f" ({_cell(tail[0])})" if tail else ""))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, ~3 minutes")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="only these scripts (e.g. bench_signing.py)")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    names = [n for n in SCRIPTS if (HERE / n).exists()]
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            print(f"run_all.py: no such bench script: {', '.join(unknown)}", file=sys.stderr)
            return 2
        names = [n for n in names if n in args.only]
    begun = stamp()
    runs = []
    records: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            out = Path(tmp) / f"{name}.jsonl"
            print(f"run_all.py: {name} ...", flush=True)
            run = run_script(name, args.quick, out)
            runs.append(run)
            records[name] = read_records(out)
            print(run["stdout"].rstrip())
            if run["exit"]:
                print(run["stderr"].rstrip()[-2000:], file=sys.stderr)
    text = render(runs, records, args.quick, begun)
    # Written whole and renamed: an interrupted run never leaves half a table.
    partial = args.output.with_suffix(".md.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(args.output)
    print(f"run_all.py: wrote {args.output}")
    return 0 if all(run["exit"] == 0 for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
