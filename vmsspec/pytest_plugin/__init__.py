"""vmsspec's pytest plugin: fixtures that put the reference service beside a client's tests.

Installed with vmsspec (the ``pytest11`` entry point ``vmsspec``, module
``_vmsspec_pytestplugin``); nothing to add to a conftest. Importing it costs nothing
until a test asks for a fixture (no hypothesis, httpx or respx import before that).

``vms``: the in-process service for httpx clients, fresh for every test::

    def test_my_client_creates_a_task(vms):
        client = MyClient(vms.url, vms.access_key, vms.secret_key, region=vms.region)
        task_id = client.create_task(name="hello", ...)
        assert task_id in vms.tasks
        # at teardown: every request the client sent must have been conformant

Every httpx request to ``https://cloud-vms.volcengineapi.com`` (``vms.url``) is answered
by the service (respx); at teardown the test fails if any request broke the contract,
naming the rule id and the parameter with what was expected and what came, and for a
signature mismatch the server's canonical request and string to sign beside what the
request declared. Secrets are masked in every failure and report.

``vms_transport``: the same service as an httpx transport, for a client that takes one
(no respx on the path)::

    def test_with_transport(vms, vms_transport):
        client = httpx.Client(transport=vms_transport, auth=vms.auth(), base_url=vms.url)

``vms_server``: the service on a real port of 127.0.0.1 (port 0), for clients not built
on httpx (the vendor SDKs, other languages). One server per configuration, shared by the
session (each pytest-xdist worker its own), reset before every test::

    def test_sdk(vms_server):
        sdk.host = vms_server.url.removeprefix("http://")

Configuration, as pytest-httpx does it: the closest marker wins, ``pytestmark`` covers
a module::

    @pytest.mark.vms(profile="example-compatible", region="cn-north-1",
                     regions=("cn-north-1", "cn-beijing"), credentials={"AK...": "secret"},
                     assert_conformant=True)

Forced answers, as a method or a marker (same keywords as
``ReferenceService.respond_next``)::

    vms.respond_next(code="ExceedMaxConcurrency")
    vms.respond_next(code="Throttling", count=3)       # 429 three times
    vms.respond_next(code="InvalidParameter", parameter="Name", status=200)  # HTTP 200 + Error
    vms.respond_next(gateway_502=True)                 # non-JSON 502 page
    vms.respond_next(drop=True)                        # connection closed, no answer
    vms.respond_next(delay=3.0)                        # slow answer
    vms.respond_next(fail_items=[(0, "INVALID_PHONE_FORMAT")])

    @pytest.mark.vms_respond(code="Throttling", count=2)
    def test_retries(vms): ...

As Pact fails a consumer test whose declared interactions were never exercised, a test
whose forced answers were not all consumed fails at teardown (the client sent fewer
calls than the test prepared for); ``@pytest.mark.vms(assert_forced_consumed=False)``
switches that off.

Fresh state per Hypothesis example, no health check suppressed: ``vms_fresh`` is
session-scoped (so Hypothesis has no function-scoped fixture to warn about) and hands
out a new in-process service per block, checked for conformance when the block ends, so
a bad request fails *that example* and Hypothesis shrinks it::

    @given(body=vst.valid_bodies(max_phones=50))
    def test_each_example(vms_fresh, body):
        with vms_fresh() as vms:             # keywords as @pytest.mark.vms
            ...

Within an ordinary test, ``vms.reset()`` (or ``with vms.fresh():``) is the cheap way to
start over: it clears tasks and forced answers and keeps the exchanges for the teardown
check.

Options (each also an ini key without the dashes): ``--vms-profile``, ``--vms-region``,
``--vms-seed``, ``--vms-report FILE`` (NDJSON of every exchange, secrets redacted),
``--vms-no-conformance-check``. The header line shows the profile, region and seed; the
terminal summary (and JUnit properties ``vms_codes``, ``vms_rules``, ``vms_fail_types``)
shows which rule ids, error codes and FailList types the client met and which never,
merged across xdist workers.
"""

from __future__ import annotations

from ._coverage import Coverage
from ._redact import scrub
from ._vms import Vms, VmsConfig

__all__ = ["Coverage", "Vms", "VmsConfig", "scrub"]
