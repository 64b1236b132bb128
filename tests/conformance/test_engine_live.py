"""The engine against loopback servers: the reference passes, each broken one is named.

Every server is a ReferenceService (subclass) on a real port (ThreadedServer, port 0),
driven as a live URL with the test key pair; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import inspect
import json
import re

import pytest

import vmsspec
from vmsspec.adapters.server import ThreadedServer
from vmsspec.conformance._engine import RunOptions, run

from . import servers

CREDS = vmsspec.Credentials(vmsspec.TEST_ACCESS_KEY, vmsspec.TEST_SECRET_KEY)
# Until ReferenceService(regions=...) lands (SERVICE), the reference accepts any
# credential-scope region, so auth.wrong-region cannot pass against it.
REGIONS = "regions" in inspect.signature(vmsspec.ReferenceService).parameters
UNCHECKED = () if REGIONS else ("auth.wrong-region",)
FIRST_RULES = tuple(r.id for r in vmsspec.rules()[:12])


def check(service, **options):
    options.setdefault("exclude_checks", UNCHECKED)
    with ThreadedServer(service) as server:
        report = run(RunOptions(url=server.url, credentials=CREDS, rate_limit=None, seed=7,
                                **options))
    return report, server.service


def failed(report):
    return {o.test_id for o in report.findings}


def failed_checks(report):
    return {o.check_id for o in report.findings}


def test_the_reference_service_passes_as_a_live_url():
    report, service = check(vmsspec.ReferenceService())
    assert report.exit_code == 0, [o.message for o in report.findings]
    assert report.counts()["passed"] > 500
    states = {d.rule_id: d.state for d in report.drift}
    assert states["RingAgainTimes:maximum"] == "documented"
    # safe by default: FailList rules need a created task, so they are not reached
    assert states["PhoneList[].Phone:format"] == "not-reached"
    assert not service.tasks, "a default run created a task"
    assert [p.name for p in report.probes] == ["reachable", "credentials", "clock", "dry-run"]
    assert all(p.ok for p in report.probes)


def test_out_of_range_ring_again_times_is_named():
    report, service = check(servers.accepts_out_of_range_ring_again())
    assert report.exit_code == 1
    assert failed(report) >= {"rejection.code[RingAgainTimes:maximum]"}
    assert all(o.rule_id == "RingAgainTimes:maximum" for o in report.findings)
    drift = {d.rule_id: d for d in report.drift}["RingAgainTimes:maximum"]
    assert drift.state == "not-enforced" and drift.observed == "400 DryRunOperation"
    assert not service.tasks, "the DryRun guard kept the unenforced rule from creating a task"


def test_a_server_accepting_any_signature_fails_every_auth_check():
    report, _ = check(servers.AcceptsAnySignature(), rules=("Name:required",))
    assert report.exit_code == 1
    auth = {c for c in failed_checks(report) if c.startswith("auth.")}
    assert auth == {f"auth.{name}" for name in vmsspec.conformance.TAMPERS} - set(UNCHECKED)


def test_missing_parameter_answered_as_invalid_parameter_is_other_code():
    report, _ = check(servers.MissingAsInvalid())
    assert report.exit_code == 1
    assert "rejection.code[Name:required]" in failed(report)
    drift = {d.rule_id: d.state for d in report.drift}
    assert drift["Name:required"] == "other-code"
    assert drift["Name:maxLength"] == "documented"
    assert all((o.rule_id or "").endswith("required") or "-when-" in (o.rule_id or "")
               for o in report.findings)


def test_errors_sent_with_http_200_are_named():
    report, _ = check(servers.ErrorsWith200(), rules=("Name:required",))
    assert report.exit_code == 1
    assert "status.error-not-200" in failed_checks(report)
    assert "status.error-not-200[auth/no-signature]" in failed(report)


def test_a_server_ignoring_dry_run_is_reported_and_its_task_stopped():
    report, service = check(servers.IgnoresDryRun(), rules=("RingAgainTimes:maximum",))
    assert report.exit_code == 1
    assert "dry-run.honoured[dry-run/minimal]" in failed(report)
    probe = {p.name: p for p in report.probes}["dry-run"]
    assert not probe.ok and "created task" in probe.detail
    # nothing more that could create a task was sent; the probe's task was stopped
    assert len(service.tasks) == 1
    assert [t.state for t in service.tasks.values()] == ["stopped"]
    assert report.created == report.stopped == tuple(service.tasks)
    skipped = [o for o in report.outcomes if o.rule_id == "RingAgainTimes:maximum"]
    assert skipped and all(o.verdict == "skipped" for o in skipped)


def test_internal_errors_on_long_phone_lists_are_named():
    report, _ = check(servers.InternalErrorOnLongPhoneLists(), retries=1,
                      rules=("PhoneList:maxItems", "Name:required", "PhoneList[].Ext:maxLength"))
    assert report.exit_code == 1
    assert {"status.no-5xx[PhoneList:maxItems]", "status.no-5xx[dry-run/max-phones]"} <= failed(
        report)
    assert all(o.rule_id in ("PhoneList:maxItems", "dry-run/max-phones")
               for o in report.findings)


def test_throttling_with_retry_after_is_no_finding():
    service = servers.Throttles(every=10, retry_after="1")
    report, _ = check(service, rules=FIRST_RULES)
    assert report.exit_code == 0, [o.message for o in report.findings]
    assert len(service.throttled_at) >= 2
    waits = [b - a for a, b in zip(service.throttled_at, service.after_throttle, strict=False)]
    assert waits and min(waits) >= 0.9, waits
    assert any(o.exchange and o.exchange.attempts == 2 for o in report.outcomes)


def test_a_default_run_through_a_recording_proxy_creates_no_task_upstream():
    with ThreadedServer() as upstream:
        proxy = servers.RecordingProxy(upstream.url)
        report, _ = check(proxy)
        tasks = upstream.service.tasks
    assert report.exit_code == 0, [o.message for o in report.findings]
    assert len(proxy.seen) > 100
    assert tasks == {}


def test_allow_side_effects_stops_every_task_it_created():
    report, service = check(vmsspec.ReferenceService(), allow_side_effects=True)
    assert report.exit_code == 0, [o.message for o in report.findings]
    assert report.created and set(report.created) == set(report.stopped) == set(service.tasks)
    assert {t.state for t in service.tasks.values()} == {"stopped"}
    created = [json.loads(e.body) for e in service.exchanges
               if "Action=CreateTask" in e.target and e.status == 200]
    assert created
    for body in created:
        assert body["Start"] is False and body["StartTime"].startswith("2099")
    assert all(d.state == "documented" for d in report.drift)


def test_compare_reference_reports_each_disagreement():
    report, _ = check(servers.MissingAsInvalid(), compare_reference=True,
                      rules=("Name:required", "Name:maxLength"))
    disagree = {o.rule_id for o in report.findings if o.check_id == "compare.reference"}
    assert "Name:required" in disagree
    assert "Name:maxLength" not in disagree


@pytest.mark.parametrize("selection", [{"checks": ("auth.*",)}, {"rules": ("Name:required",)}])
def test_selection_limits_what_is_judged(selection):
    report, _ = check(vmsspec.ReferenceService(), **selection)
    if "checks" in selection:
        assert {o.check_id for o in report.outcomes} == {
            f"auth.{n}" for n in vmsspec.conformance.TAMPERS} - set(UNCHECKED)
    else:
        assert {d.rule_id for d in report.drift} == {"Name:required"}


def test_no_secret_reaches_the_report():
    secret, token = "vmsspecSecretUnderTest0000000000000000==", "STSvmsspecTokenUnderTest000000"
    creds = vmsspec.Credentials("AKLTvmsspecSecrecyTest000000", secret, token)
    service = vmsspec.ReferenceService(credentials={creds.access_key: secret})
    with ThreadedServer(service) as server:
        report = run(RunOptions(url=server.url, credentials=creds, rate_limit=None, seed=2,
                                rules=("Name:required",), exclude_checks=UNCHECKED))
    text = json.dumps(report.as_dict())
    assert report.exit_code == 0, [o.message for o in report.findings]
    assert secret not in text and token not in text
    signatures = re.findall(r"Signature=([0-9a-f]{64})", text)
    assert signatures == []
    assert "Signature=<redacted>" in text


def test_a_request_past_the_timeout_is_an_error_not_a_hang():
    report, _ = check(servers.SlowOn(b"RingAgainTimes", 3.0), timeout=0.5,
                      rules=("RingAgainTimes:maximum", "Name:required"))
    assert report.exit_code == 1
    errors = {o.rule_id for o in report.outcomes if o.verdict == "error"}
    assert errors == {"RingAgainTimes:maximum"}
    assert {d.rule_id: d.state for d in report.drift}["Name:required"] == "documented"
