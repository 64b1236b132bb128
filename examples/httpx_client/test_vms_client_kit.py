"""The vmsspec client kit against the example client: every scenario passes."""

from vms_client import VmsClient

from vmsspec.kit import battery


def create_task(target, params):
    client = VmsClient(target.access_key, target.secret_key, region=target.region,
                       base_url=target.base_url, timeout=target.timeout,
                       backoff=target.backoff, max_attempts=target.max_attempts)
    try:
        return client.create_task(**params)
    finally:
        client.close()


test_vms_kit = battery(create_task)
