"""Property test: every task the strategies can generate, the example client creates.

``vms_fresh`` is session-scoped, so Hypothesis has no function-scoped fixture to warn
about: each example gets its own service (``with vms_fresh() as vms``), and leaving the
block checks that example's requests against the contract.
"""

from hypothesis import given, settings
from vms_client import VmsClient

from vmsspec import strategies as vst
from vmsspec import validate_request


@settings(max_examples=25, deadline=None)
@given(body=vst.valid_bodies(max_phones=50, never=("DryRun", "ClientToken")))
def test_every_generated_task_is_created(vms_fresh, body):
    with vms_fresh() as vms:
        client = VmsClient(vms.access_key, vms.secret_key, region=vms.region,
                           base_url=vms.url)
        created = client.create_task(**body)
        assert created.task_open_id in vms.tasks
        expected = validate_request(body).fail_list
        assert [(f.index, f.phone, f.type) for f in created.fail_list] == \
               [(f.index, f.phone, f.type) for f in expected]
