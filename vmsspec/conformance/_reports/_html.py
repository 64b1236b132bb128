"""``html:FILE``: one self-contained page, readable from disk in any browser, no server.

No scripts, fonts, images or style sheets are fetched: the CSS is inline and collapsing
uses ``<details>``. The page shows the verdict and seed, the probes, the drift matrix (one
row per rule, one column per drift state), coverage, every finding with its reproducing
request, expected against actual, the answer and the replay command, then every case.
"""

from __future__ import annotations

import json
from html import escape

from .._results import DRIFT_STATES, CheckOutcome, RunReport, WireExchange
from ._base import FileReport
from ._collect import Finding, group_findings
from ._render import (
    answer_text,
    curl_command,
    drift_expected,
    reproduce_run,
    shorten,
    stopped_at_probes,
)
from ._replayfile import replay_document

__all__ = ["STATE_COLOURS", "HtmlReport"]

_INLINE_LIMIT = 64 * 1024
"""Bodies longer than this are cut on the page (the replay file keeps them whole)."""

_STATE_TITLES = {
    "documented": "enforced as documented",
    "other-code": "enforced with another code or parameter",
    "not-enforced": "not enforced (accepted)",
    "not-reached": "not reached (not tried, or only with side effects)",
}

STATE_COLOURS = {"documented": "#1f883d", "other-code": "#bf8700",
                 "not-enforced": "#cf222e", "not-reached": "#6e7781"}
"""The drift matrix's cell colours (green, amber, red, grey); verdict badges reuse them."""

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;
background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid
#d7dbe0;padding-bottom:4px}h3{font-size:15px;margin:0 0 6px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #d7dbe0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.mark{text-align:center;width:90px}
pre{background:#0f1720;color:#e6edf3;padding:10px;overflow:auto;white-space:pre-wrap;
word-break:break-all;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;margin:4px 0}
code{font:12px ui-monospace,Menlo,Consolas,monospace}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;color:#fff}
td.on{color:#fff;font-weight:700}
.meta{color:#57606a}.meta b{color:#1d232a}
.finding{background:#fff;border:1px solid #d7dbe0;border-left:5px solid #cf222e;padding:10px 14px;
margin:12px 0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.counts span{margin-right:14px}
""" + "".join(f"{selectors}{{background:{STATE_COLOURS[state]}}}\n" for state, selectors in (
    ("documented", ".ok,.s-documented,.v-passed"),
    ("not-enforced", ".bad,.s-not-enforced,.v-failed"),
    ("other-code", ".s-other-code,.v-error,.warn"),
    ("not-reached", ".s-not-reached,.v-skipped")))


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _pre(text: str) -> str:
    return f"<pre>{_e(shorten(text, _INLINE_LIMIT))}</pre>"


def _exchange_html(ex: WireExchange) -> str:
    sent = "\n".join([f"{ex.method} {ex.url}", *(f"{k}: {v}" for k, v in ex.headers), "",
                      ex.body.decode("utf-8", "replace")])
    received = "\n".join([answer_text(ex, limit=_INLINE_LIMIT).split("\n", 1)[0],
                          *(f"{k}: {v}" for k, v in ex.response_headers), "",
                          ex.response_body.decode("utf-8", "replace")])
    return ("<details><summary>the exchange as sent and received"
            f" ({ex.elapsed * 1000:.0f} ms, {ex.attempts} attempt(s))</summary>"
            f"<div class=pair><div><h3>sent</h3>{_pre(sent)}</div>"
            f"<div><h3>received</h3>{_pre(received)}</div></div></details>")


class HtmlReport(FileReport):
    """Writes the page at ``close()``, atomically."""

    kind = "html"

    def render(self, report: RunReport) -> str:
        findings = group_findings(report.outcomes)
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>vmsspec check: {_e(report.target)}</title>",
            f"<style>{_CSS}</style></head><body><main>",
            self._header(report, findings),
            self._probes(report),
            self._drift(report),
            self._coverage(report),
            self._findings(report, findings),
            self._cases(report),
            "</main></body></html>\n",
        ]
        return "\n".join(p for p in parts if p)

    def _header(self, report: RunReport, findings: list[Finding]) -> str:
        if stopped_at_probes(report):
            badge = '<span class="badge bad">stopped after the probes</span>'
        elif report.interrupted:
            badge = '<span class="badge warn">interrupted</span>'
        elif findings:
            badge = f'<span class="badge bad">{len(findings)} finding(s)</span>'
        else:
            badge = '<span class="badge ok">conformant</span>'
        counts = "".join(f"<span><b>{n}</b> {v}</span>"
                         for v, n in report.counts().items())
        meta = [("target", report.target), ("seed", report.seed),
                ("profile", report.profile or "-"), ("region", report.region or "-"),
                ("started", report.started), ("finished", report.finished),
                ("side effects", "allowed" if report.side_effects else "none")]
        stopped = set(report.stopped)
        left = [t for t in report.created if t not in stopped]
        def listed(ids: tuple[str, ...]) -> str:
            return f"<b>{len(ids)}</b>" + (f" ({_e(', '.join(ids))})" if ids else "")

        tasks = (f"<p class=meta>Tasks created: {listed(report.created)};"
                 f" stopped: {listed(report.stopped)}"
                 + (f' <span class="badge bad">left running: {_e(", ".join(left))}</span>'
                    if left else "") + "</p>")
        return (f"<h1>vmsspec check {badge}</h1>"
                f"<p class=meta>{' &middot; '.join(f'{k} <b>{_e(v)}</b>' for k, v in meta)}</p>"
                f"<p class=counts>{counts}</p>{tasks}"
                f"<p class=meta>The same seed again: <code>{_e(reproduce_run(report))}"
                "</code></p>"
                + ("<p><b>A probe failed</b>: no check was run (see Probes).</p>"
                   if stopped_at_probes(report) else
                   "<p><b>The run was interrupted</b>: this page shows what ran before.</p>"
                   if report.interrupted else ""))

    def _probes(self, report: RunReport) -> str:
        if not report.probes:
            return ""
        rows = "".join(
            f"<tr><td>{_e(p.name)}</td><td class='mark on {'ok' if p.ok else 'bad'}'>"
            f"{'ok' if p.ok else 'failed'}</td><td>{_e(p.detail)}</td></tr>"
            for p in report.probes)
        return ("<h2 id=probes>Probes</h2><table><tr><th>probe</th><th>result</th>"
                f"<th>detail</th></tr>{rows}</table>")

    def _drift(self, report: RunReport) -> str:
        tally = {state: 0 for state in DRIFT_STATES}
        for drift in report.drift:
            tally[drift.state] += 1
        heads = "".join(f"<th title='{_e(_STATE_TITLES[s])}'>{_e(s)} ({tally[s]})</th>"
                        for s in DRIFT_STATES)
        rows = []
        for d in report.drift:
            marks = "".join(
                f"<td class='mark on s-{s}'>&#x25CF;</td>" if s == d.state else "<td></td>"
                for s in DRIFT_STATES)
            rows.append(f"<tr class=drift-row data-state='{_e(d.state)}'>"
                        f"<td><code>{_e(d.rule_id)}</code></td>{marks}"
                        f"<td>{_e(drift_expected(d))}</td><td>{_e(d.observed or '-')}</td></tr>")
        legend = "; ".join(f"<b>{_e(s)}</b>: {_e(t)}" for s, t in _STATE_TITLES.items())
        body = ("".join(rows) if rows else
                f"<tr><td colspan={len(DRIFT_STATES) + 3}>no rule was judged</td></tr>")
        return (f"<h2 id=drift>Drift per rule</h2><p class=meta>{legend}</p>"
                f"<table id=drift-matrix><tr><th>rule</th>{heads}<th>expected</th>"
                f"<th>observed</th></tr>{body}</table>")

    def _coverage(self, report: RunReport) -> str:
        cov = report.coverage
        kinds = [k for k in cov if not k.endswith("_missed")]
        kinds += [k[: -len("_missed")] for k in cov if k.endswith("_missed")
                  and k[: -len("_missed")] not in kinds]
        if not kinds:
            return ""
        rows = []
        for kind in kinds:
            hit, missed = cov.get(kind, ()), cov.get(f"{kind}_missed", ())
            rows.append(f"<tr><td>{_e(kind)}</td><td>{len(hit)} of {len(hit) + len(missed)}</td>"
                        f"<td>{_e(', '.join(hit)) or '-'}</td>"
                        f"<td>{_e(', '.join(missed)) or '-'}</td></tr>")
        return ("<h2 id=coverage>Coverage</h2><table><tr><th>kind</th><th>exercised</th>"
                f"<th>which</th><th>missed</th></tr>{''.join(rows)}</table>")

    def _findings(self, report: RunReport, findings: list[Finding]) -> str:
        if not findings:
            return "<h2 id=findings>Findings</h2><p>None.</p>"
        blocks = [f"<h2 id=findings>Findings ({len(findings)})</h2>"]
        for number, finding in enumerate(findings, 1):
            blocks.append(self._finding(number, finding, report))
        return "\n".join(blocks)

    def _finding(self, number: int, finding: Finding, report: RunReport) -> str:
        o: CheckOutcome = finding.outcome
        more = f" &middot; {finding.cases} cases failed; the smallest" if finding.cases > 1 else ""
        parts = [f"<article class=finding id='finding-{number}'>",
                 f"<h3>{number}. <span class='badge v-{_e(o.verdict)}'>{_e(o.verdict)}</span> "
                 f"<code>{_e(finding.test_id)}</code>{more}</h3><p>{_e(o.message)}</p>",
                 f"<div class=pair><div><h3>expected</h3>{_pre(o.expected or '-')}</div>"
                 f"<div><h3>actual</h3>{_pre(o.actual or '-')}</div></div>"]
        if o.reproduction is not None:
            command = curl_command(o.reproduction, limit=_INLINE_LIMIT)
            parts.append(f"<h3>request</h3>{_pre(command)}")
        if o.exchange is not None:
            parts.append(_exchange_html(o.exchange))
        replay = self.replay_path(finding, report)
        if replay.startswith("("):
            parts.append(f"<p class=meta>{_e(replay)}</p>")
        else:
            parts.append(f"<p>Replay: <code>vmsspec replay {_e(replay)}</code></p>")
        doc = replay_document(o, target=report.target, seed=report.seed,
                              profile=report.profile)
        if doc is not None and len(o.reproduction.body if o.reproduction else b"") <= _INLINE_LIMIT:
            parts.append("<details><summary>the replay file's content (save it as a .json file"
                         " to replay elsewhere)</summary>"
                         f"{_pre(json.dumps(doc, indent=2, ensure_ascii=False))}</details>")
        parts.append("</article>")
        return "".join(parts)

    def _cases(self, report: RunReport) -> str:
        if not report.outcomes:
            return ""
        rows = "".join(
            f"<tr><td><code>{_e(o.test_id)}</code></td>"
            f"<td class='mark on v-{_e(o.verdict)}'>{_e(o.verdict)}</td>"
            f"<td>{_e(o.message)}</td></tr>"
            for o in report.outcomes)
        return (f"<h2 id=cases>Every case ({len(report.outcomes)})</h2><details>"
                "<summary>show the list</summary><table id=cases-table><tr><th>check [rule]</th>"
                f"<th>verdict</th><th>message</th></tr>{rows}</table></details>")
