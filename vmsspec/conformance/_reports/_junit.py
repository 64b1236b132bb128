"""``junit:FILE``: one testcase per check and rule, as CI servers list and count them.

Several cases of the same check and rule (one per generated request) are one testcase:
failed when any failed, and its failure text shows the smallest reproducing request.
The run's seed, target and profile are testsuite properties, so a red CI build says how to
run the same cases again.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from .._results import CheckOutcome, RunReport
from ._base import FileReport
from ._collect import group_findings
from ._render import answer_text, curl_command, drift_expected, reproduce_run

__all__ = ["JUnitReport"]

# XML 1.0 cannot carry these at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_PRIORITY = {"failed": 3, "error": 2, "passed": 1, "skipped": 0}


def _testcases(outcomes: Iterable[CheckOutcome]) -> dict[str, list[CheckOutcome]]:
    groups: dict[str, list[CheckOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.test_id, []).append(outcome)
    return groups


def failure_text(outcome: CheckOutcome, cases: int, replay: str) -> str:
    """Expected against actual, the reproducing request and the replay command."""
    parts = [outcome.message, "", f"expected: {outcome.expected or '-'}",
             f"actual:   {outcome.actual or '-'}"]
    if cases > 1:
        parts.append(f"({cases} cases failed; this is the smallest)")
    if outcome.reproduction is not None:
        parts += ["", "request:", curl_command(outcome.reproduction)]
    if outcome.exchange is not None:
        parts += ["", "answer:", answer_text(outcome.exchange)]
    parts += ["", f"replay: vmsspec replay {replay}" if not replay.startswith("(") else replay]
    return "\n".join(parts)


class JUnitReport(FileReport):
    """The JUnit XML that Jenkins, GitLab and GitHub test-report actions read."""

    kind = "junit"

    def render(self, report: RunReport) -> str:
        findings = {f.test_id: f for f in group_findings(report.outcomes)}
        groups = _testcases(report.outcomes)
        suite = ET.Element("testsuite", name=_xml(f"vmsspec check {report.target}"),
                           timestamp=_xml(report.started))
        props = ET.SubElement(suite, "properties")
        prop_values = [("seed", str(report.seed)), ("target", report.target),
                       ("profile", report.profile), ("region", report.region),
                       ("started", report.started), ("finished", report.finished),
                       ("side_effects", str(report.side_effects).lower()),
                       ("interrupted", str(report.interrupted).lower()),
                       ("created", " ".join(report.created)),
                       ("stopped", " ".join(report.stopped)),
                       ("reproduce", reproduce_run(report))]
        prop_values += [(f"probe.{p.name}", f"{'ok' if p.ok else 'FAILED'}: {p.detail}")
                        for p in report.probes]
        for name, value in prop_values:
            ET.SubElement(props, "property", name=_xml(name), value=_xml(value))
        counts = {"failures": 0, "errors": 0, "skipped": 0}
        total_time = 0.0
        for test_id, cases in groups.items():
            verdict = max((c.verdict for c in cases), key=_PRIORITY.__getitem__)
            elapsed = sum(c.exchange.elapsed for c in cases if c.exchange is not None)
            total_time += elapsed
            case = ET.SubElement(suite, "testcase", classname=_xml(cases[0].check_id),
                                 name=_xml(test_id), time=f"{elapsed:.3f}")
            if verdict in ("failed", "error"):
                finding = findings[test_id]
                tag = "failure" if verdict == "failed" else "error"
                counts["failures" if tag == "failure" else "errors"] += 1
                shown = finding.outcome
                element = ET.SubElement(case, tag, message=_xml(shown.message),
                                        type=_xml(shown.check_id))
                element.text = _xml(failure_text(shown, finding.cases,
                                                 self.replay_path(finding, report)))
            elif verdict == "skipped":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=_xml(cases[0].message))
        out = ET.SubElement(suite, "system-out")
        out.text = _xml(self._drift_text(report))
        attrs = {"tests": str(len(groups)), **{k: str(v) for k, v in counts.items()},
                 "time": f"{total_time:.3f}"}
        suite.attrib.update(attrs)
        root = ET.Element("testsuites", {"name": "vmsspec check", **attrs})
        root.append(suite)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

    @staticmethod
    def _drift_text(report: RunReport) -> str:
        lines = [f"seed {report.seed}; reproduce with: {reproduce_run(report)}"]
        if report.interrupted:
            lines.append("the run was interrupted: this report holds what ran before that")
        lines += [f"drift {d.rule_id}: {d.state} (expected {drift_expected(d)};"
                  f" observed {d.observed or '-'})" for d in report.drift]
        return "\n".join(lines)
