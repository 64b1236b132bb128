"""The pytest plugin, through pytester: options, ini, markers, fixtures, failures, reports."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

pytest_plugins = ["pytester"]

SECRET = "pluginTestSecretThatMustNotLeak0000000=="  # a test value

# A client a test file can use: signs with what vms hands it, posts a body.
CLIENT = '''
import httpx, json, pytest, vmsspec
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
QUERY = {"Action": "CreateTask", "Version": "2022-01-01"}
BODY = {"Name": "n", "Resource": "r", "NumberPoolNo": "NP1",
        "StartTime": "2030-01-01 09:00:00", "EndTime": "2030-01-01 18:00:00",
        "Concurrency": 2, "PhoneList": [{"Phone": "13800138000"}]}

def post(vms, body=BODY, *, secret=None, region=None, transport=None, **kw):
    auth = VolcSignatureAuth(vms.access_key, secret or vms.secret_key,
                             region=region or vms.region)
    with httpx.Client(auth=auth, transport=transport) as client:
        if "content" not in kw:
            kw["json"] = body
        return client.post(vms.url, params=QUERY, **kw)
'''


def _make(pytester: pytest.Pytester, source: str) -> None:
    pytester.makepyfile(helper=CLIENT, test_it=textwrap.dedent(source))


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", *args)


# -- options, ini, header, markers ----------------------------------------------------


def test_header_line_shows_profile_region_and_seed(pytester: pytest.Pytester) -> None:
    _make(pytester, "def test_nothing(): pass\n")
    result = _run(pytester, "--vms-profile=example-compatible", "--vms-seed=1234",
                  "--vms-report=empty.ndjson")
    result.stdout.fnmatch_lines(
        ["vmsspec: profile=example-compatible, region=cn-beijing, seed=1234 (--vms-seed=1234)"])
    # no fixture used: no coverage section, an empty report
    assert "vmsspec contract coverage" not in result.stdout.str()
    assert (pytester.path / "empty.ndjson").read_text() == ""


def test_ini_keys_configure_and_options_override(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nvms_profile = example-compatible\nvms_region = cn-north-1\n"
                     "vms_seed = 77\n")
    _make(pytester, """
        def test_config(vms, request):
            assert vms.config.profile == request.config.getoption("vms_profile_expected")
            assert vms.region == "cn-north-1"
    """)
    pytester.makeconftest("""
        def pytest_addoption(parser):
            parser.addoption("--vms-profile-expected", dest="vms_profile_expected")
    """)
    result = _run(pytester, "--vms-profile-expected=example-compatible")
    result.stdout.fnmatch_lines(["*profile=example-compatible, region=cn-north-1, seed=77*"])
    result.assert_outcomes(passed=1)
    result = _run(pytester, "--vms-profile=documented", "--vms-profile-expected=documented")
    result.assert_outcomes(passed=1)


def test_a_bad_seed_in_ini_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nvms_seed = twelve\n")
    _make(pytester, "def test_nothing(): pass\n")
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*vms_seed must be an integer, not 'twelve'*"])


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.vms(profile=None*closest marker wins*",
                                 "@pytest.mark.vms_respond(code=None*"])
    _make(pytester, """
        import pytest
        @pytest.mark.vms(profile="documented")
        @pytest.mark.vms_respond(code="Throttling")
        def test_marked(): pass
    """)
    _run(pytester, "--strict-markers").assert_outcomes(passed=1)


def test_the_closest_vms_marker_wins(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        import pytest
        pytestmark = pytest.mark.vms(profile="example-compatible", region="cn-north-1")

        def test_module_marker(vms):
            assert (vms.config.profile, vms.region) == ("example-compatible", "cn-north-1")

        @pytest.mark.vms(region="cn-beijing")
        class TestClass:
            def test_class_marker_replaces_the_module_one(self, vms):
                # keywords are not merged: profile falls back to the run's option
                assert (vms.config.profile, vms.region) == ("documented", "cn-beijing")

            @pytest.mark.vms(profile="example-compatible", region="cn-south-9")
            def test_function_marker(self, vms_server):
                assert vms_server.region == "cn-south-9"
                assert vms_server.service.profile.name == "example-compatible"
    """)
    _run(pytester).assert_outcomes(passed=3)


def test_unknown_marker_keywords_fail_clearly(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        import pytest
        @pytest.mark.vms(proflie="documented")
        def test_typo(vms): pass

        @pytest.mark.vms(profile="nonesuch")
        def test_bad_profile(vms): pass
    """)
    result = _run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*mark.vms got unknown keyword(s) proflie; known: *",
                                 "*unknown profile 'nonesuch'*"])


# -- fixtures -------------------------------------------------------------------------


def test_vms_is_fresh_per_test_and_transport_shares_its_service(
        pytester: pytest.Pytester) -> None:
    _make(pytester, """
        from helper import post
        seen = []

        def test_first(vms):
            assert post(vms).status_code == 200
            seen.append(vms.service)
            assert len(vms.tasks) == 1

        def test_second_starts_empty(vms, vms_transport):
            assert vms.service is not seen[0] and vms.tasks == {}
            assert post(vms, transport=vms_transport).status_code == 200
            assert len(vms.tasks) == 1 and len(vms.exchanges) == 1

        def test_reset_keeps_exchanges_for_the_check(vms):
            post(vms)
            with vms.fresh():
                assert vms.tasks == {} and vms.current_exchanges == ()
            assert len(vms.exchanges) == 1
    """)
    _run(pytester).assert_outcomes(passed=3)


def test_vms_server_is_shared_and_reset_per_test(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        from helper import post
        urls = []

        def test_first(vms_server):
            assert vms_server.url.startswith("http://127.0.0.1:")
            assert post(vms_server).status_code == 200
            urls.append(vms_server.url)

        def test_second(vms_server):
            assert vms_server.url == urls[0]       # the same server
            assert vms_server.tasks == {}          # reset between tests
    """)
    _run(pytester).assert_outcomes(passed=2)


def test_forced_answers_by_method_and_by_marker(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        import pytest
        from helper import post

        pytestmark = pytest.mark.vms_respond(code="Throttling")

        @pytest.mark.vms_respond(code="InternalError", count=2)
        def test_marker_queue_in_reading_order(vms):
            assert [post(vms).status_code for _ in range(4)] == [429, 500, 500, 200]

        def test_method(vms):
            post(vms)  # the module's 429
            vms.respond_next(code="ExceedMaxConcurrency", parameter="Concurrency")
            response = post(vms)
            assert response.json()["ResponseMetadata"]["Error"]["Code"] == \
                "ExceedMaxConcurrency"
    """)
    _run(pytester).assert_outcomes(passed=2)


def test_vms_fresh_gives_each_example_its_own_service(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        from hypothesis import given, settings, strategies as st
        from helper import post, BODY

        @settings(max_examples=5, database=None)
        @given(name=st.text(min_size=1, max_size=5))
        def test_examples(vms_fresh, name):
            with vms_fresh() as vms:
                assert post(vms, {**BODY, "Name": name}).status_code == 200
                assert len(vms.tasks) == 1
    """)
    result = _run(pytester)
    result.assert_outcomes(passed=1)
    assert "HealthCheck" not in result.stdout.str()


# -- failures ---------------------------------------------------------------------------


def test_a_contract_violation_names_rule_parameter_expected_and_actual(
        pytester: pytest.Pytester) -> None:
    _make(pytester, """
        from helper import post, BODY

        def test_bad_body(vms):
            post(vms, {**BODY, "RingAgainTimes": 9, "Concurrency": "2"})
    """)
    result = _run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_bad_body*",
        "*1 of 1 requests the client sent broke the CreateTask contract (profile documented):",
        "request 1: POST /?Action=CreateTask&Version=2022-01-01 -> 400 InvalidParameter",
        "  rule Concurrency:type, parameter Concurrency: answered InvalidParameter",
        "    expected: *integer*",
        '    actual:   "2"',
        "  rule RingAgainTimes:maximum, parameter RingAgainTimes: answered InvalidParameter",
        "    expected: *5*",
        "    actual:   9",
    ])


def test_a_signature_mismatch_shows_both_sides_and_no_secret(
        pytester: pytest.Pytester) -> None:
    _make(pytester, f"""
        import pytest
        from helper import post

        @pytest.mark.vms(credentials={{"AKLTpluginTest": "{SECRET}"}})
        def test_wrong_secret(vms):
            post(vms, secret="not-the-right-secret-at-all")

        @pytest.mark.vms(credentials={{"AKLTpluginTest": "{SECRET}"}})
        def test_the_secret_in_a_body_is_masked(vms):
            from helper import BODY
            post(vms, {{**BODY, "Name": "{SECRET}", "Bogus": 1}})
    """)
    result = _run(pytester, "--vms-report=report.ndjson")
    result.assert_outcomes(passed=2, errors=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*signature: SignatureDoesNotMatch*",
        "*the server computed:*",
        "*the request declared:*",
        "*Authorization: HMAC-SHA256 Credential=AKLTpluginTest/*SignedHeaders=*",
    ])
    assert "CanonicalRequest" in out or "canonical request" in out.lower()
    report = (pytester.path / "report.ndjson").read_text()
    for text in (out, report):
        assert SECRET not in text
        assert "not-the-right-secret-at-all" not in text
    assert "Signature=<redacted>" in report
    assert "********" in report  # the body's Name, masked


def test_a_wrong_region_and_a_text_plain_body_fail(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        import json
        from helper import post, BODY

        def test_wrong_region(vms):
            post(vms, region="cn-north-1")

        def test_text_plain(vms):
            post(vms, content=json.dumps(BODY), headers={"Content-Type": "text/plain"})
    """)
    result = _run(pytester)
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(["*test_wrong_region*", "*cn-north-1*"])
    result.stdout.fnmatch_lines(["*test_text_plain*", "*Content-Type*"])


def test_the_check_can_be_switched_off(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        import pytest
        from helper import post

        @pytest.mark.vms(assert_conformant=False)
        def test_marker(vms):
            post(vms, {"Name": 1})

        def test_option(vms):
            post(vms, {"Name": 1})
    """)
    _run(pytester).assert_outcomes(passed=2, errors=1)
    _run(pytester, "--vms-no-conformance-check").assert_outcomes(passed=2)


def test_an_explicit_assert_points_at_the_test(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        from helper import post

        def test_explicit(vms):
            post(vms, {"Name": 1})
            vms.assert_all_conformant()
    """)
    result = _run(pytester)
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines([">       vms.assert_all_conformant()",
                                 "E       *NonConformantRequests: 1 of 1 requests*"])


# -- coverage, JUnit, report, xdist -----------------------------------------------------


COVERAGE_TESTS = """
    import pytest
    from helper import post, BODY

    @pytest.mark.vms_respond(code="Throttling")
    def test_throttled(vms):
        assert post(vms).status_code == 429

    def test_fail_list(vms):
        post(vms, {**BODY, "PhoneList": [{"Phone": "123"}]})

    @pytest.mark.vms(assert_conformant=False)
    def test_rule(vms):
        post(vms, {**BODY, "RingAgainTimes": 9})

    @pytest.mark.vms_respond(code="AccessDenied")
    def test_denied(vms_server):
        assert post(vms_server).status_code == 403
"""


def _coverage_lines(out: str) -> dict[str, str]:
    section = out.split("vmsspec contract coverage", 1)[1]
    return {line.split(":", 1)[0]: line for line in section.splitlines() if ": " in line}


def test_coverage_summary_junit_properties_and_report(pytester: pytest.Pytester) -> None:
    _make(pytester, COVERAGE_TESTS)
    result = _run(pytester, "--junitxml=junit.xml", "--vms-report=out/report.ndjson")
    result.assert_outcomes(passed=4)
    lines = _coverage_lines(result.stdout.str())
    assert "AccessDenied x1" in lines["error codes"] and "Throttling x1" in lines["error codes"]
    assert "InvalidParameter x1" in lines["error codes"]
    assert "INVALID_PHONE_FORMAT x1" in lines["FailList types"]
    assert "RingAgainTimes:maximum x1" in lines["rule ids"]
    never = result.stdout.str().split("error codes:", 1)[1].splitlines()[1]
    assert "never:" in never and "SignatureDoesNotMatch" in never and "Throttling" not in never
    properties = {(p.get("name"), p.get("value"))
                  for p in ET.parse(pytester.path / "junit.xml").iter("property")}
    assert ("vms_codes", "Throttling") in properties
    assert ("vms_fail_types", "INVALID_PHONE_FORMAT") in properties
    assert ("vms_rules", "RingAgainTimes:maximum") in properties
    records = [json.loads(line) for line in
               (pytester.path / "out" / "report.ndjson").read_text().splitlines()]
    assert [r["test"].split("::")[1] for r in records] == [
        "test_throttled", "test_fail_list", "test_rule", "test_denied"]
    assert all("Signature=<redacted>" in {k.lower(): v for k, v in r["headers"]}["authorization"]
               for r in records)


@pytest.mark.slow
def test_coverage_and_report_merge_across_xdist_workers(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    _make(pytester, COVERAGE_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2",
                                           "--vms-report=report.ndjson", "--vms-seed=5")
    result.assert_outcomes(passed=4)
    out = result.stdout.str()
    assert "seed=5" in out
    lines = _coverage_lines(out)
    assert lines["error codes"].startswith("error codes: 3 of")
    assert "4 services" in out
    records = (pytester.path / "report.ndjson").read_text().splitlines()
    assert len(records) == 4
    assert list(pytester.path.glob("report.ndjson.*.part")) == []


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    script = ("import sys, _vmsspec_pytestplugin; "
              "heavy = [m for m in ('vmsspec', 'hypothesis', 'httpx', 'respx') "
              "if m in sys.modules]; "
              "import vmsspec.pytest_plugin; "
              "heavier = [m for m in ('hypothesis', 'httpx', 'respx') if m in sys.modules]; "
              "print(heavy, heavier)")
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    assert out.strip() == "[] []"


def test_a_slow_answer_times_out_in_process_sync_and_async(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        import asyncio, time, httpx, pytest
        from helper import post, QUERY, BODY

        def test_sync(vms):
            vms.respond_next(delay=2.0)
            start = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                post(vms, timeout=0.2)
            assert time.monotonic() - start < 1.5
            assert post(vms, timeout=0.2).status_code == 200   # only the next answer was slow

        def test_async_without_blocking_the_loop(vms):
            vms.respond_next(delay=2.0, count=2)

            async def main():
                async with httpx.AsyncClient(auth=vms.auth(), timeout=0.2) as client:
                    calls = [client.post(vms.url, params=QUERY, json=BODY) for _ in range(2)]
                    start = time.monotonic()
                    results = await asyncio.gather(*calls, return_exceptions=True)
                    return time.monotonic() - start, results

            elapsed, results = asyncio.run(main())
            assert all(isinstance(r, httpx.ReadTimeout) for r in results)
            assert elapsed < 1.0    # both waited at once: the loop was not blocked
    """)
    _run(pytester).assert_outcomes(passed=2)


def test_forced_answers_never_consumed_fail_the_test(pytester: pytest.Pytester) -> None:
    _make(pytester, """
        import pytest
        from helper import post

        @pytest.mark.vms_respond(code="Throttling", count=3)
        def test_client_gave_up_early(vms):
            assert post(vms).status_code == 429

        @pytest.mark.vms(assert_forced_consumed=False)
        @pytest.mark.vms_respond(code="Throttling", count=3)
        def test_switched_off(vms):
            post(vms)

        def test_lost_by_a_reset(vms):
            vms.respond_next(code="InternalError")
            vms.reset()
    """)
    result = _run(pytester)
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_client_gave_up_early*",
        "2 forced answer(s) never consumed: the client sent fewer API calls than the test "
        "forced answers for (respond_next(code='Throttling', count=3))",
        "*ERROR at teardown of test_lost_by_a_reset*",
        "1 forced answer(s) never consumed*respond_next(code='InternalError')*"])
