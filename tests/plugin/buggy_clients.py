"""Deliberately buggy variants of the example client, one bug each (issue 10's list).

Each names the kit scenario that must catch it and a phrase its failure message must
contain, so a test can assert the kit names the bug.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from examples.httpx_client.vms_client import (
    RETRIED,
    CreatedTask,
    FailedPhone,
    VmsClient,
    VmsError,
)
from vmsspec.kit import Target


class NoRetryOn429(VmsClient):
    retried = RETRIED - {429}


class Retries400(VmsClient):
    retried = RETRIED | {400}


class DropsFailList(VmsClient):
    def _result(self, response: httpx.Response) -> CreatedTask:
        return CreatedTask(super()._result(response).task_open_id)


class FailListIndexOffByOne(VmsClient):
    def _result(self, response: httpx.Response) -> CreatedTask:
        created = super()._result(response)
        return CreatedTask(created.task_open_id, [
            FailedPhone(f.index + 1, f.phone, f.type) for f in created.fail_list])


class IntegersAsStrings(VmsClient):
    def create_task(self, **params: Any) -> CreatedTask:
        return super().create_task(**{k: str(v) if type(v) is int else v
                                      for k, v in params.items()})


class DropsAParameter(VmsClient):
    def create_task(self, **params: Any) -> CreatedTask:
        params.pop("ForbidTimeList", None)  # "not supported yet", silently
        return super().create_task(**params)


class WrongRegion(VmsClient):
    def __init__(self, access_key: str, secret_key: str, **kwargs: Any) -> None:
        super().__init__(access_key, secret_key, **{**kwargs, "region": "cn-north-1"})


class Http200ErrorIsSuccess(VmsClient):
    def _result(self, response: httpx.Response) -> CreatedTask:
        if response.status_code == 200:
            result = response.json().get("Result") or {}
            return CreatedTask(result.get("TaskOpenId", ""))
        return super()._result(response)


class NoTimeout(VmsClient):
    def __init__(self, access_key: str, secret_key: str, **kwargs: Any) -> None:
        super().__init__(access_key, secret_key, **{**kwargs, "timeout": None})


class SecretInErrors(VmsClient):
    def __init__(self, access_key: str, secret_key: str, **kwargs: Any) -> None:
        super().__init__(access_key, secret_key, **kwargs)
        self._credentials = f"{access_key}:{secret_key}"

    def create_task(self, **params: Any) -> CreatedTask:
        try:
            return super().create_task(**params)
        except VmsError as exc:
            raise VmsError(f"{exc} (credentials {self._credentials})", code=exc.code) from None


class CrashesOnNonJson(VmsClient):
    def _result(self, response: httpx.Response) -> CreatedTask:
        response.json()  # no guard: a gateway's HTML page raises JSONDecodeError
        return super()._result(response)


class RetriesForeverWithoutBackoff(VmsClient):
    def create_task(self, **params: Any) -> CreatedTask:
        while True:
            response = self._http.post("/", params={"Action": "CreateTask",
                                                    "Version": "2022-01-01"}, json=params)
            if response.status_code not in self.retried:
                return self._result(response)
            time.sleep(0)


# variant -> (the scenario that must catch it, a phrase its message must contain)
BUGS: dict[type[VmsClient], tuple[str, str]] = {
    NoRetryOn429: ("retries-429", "no retry on 429"),
    Retries400: ("no-retry-400", "a retried 400"),
    DropsFailList: ("fail-list", "FailList dropped"),
    IntegersAsStrings: ("sends-every-parameter", "integers sent as strings"),
    WrongRegion: ("sends-every-parameter", "wrong region"),
    Http200ErrorIsSuccess: ("error-in-http-200", "an HTTP 200 carrying Error treated as success"),
    NoTimeout: ("timeout", "no timeout"),
    SecretInErrors: ("secret-not-in-errors", "the secret key in an error message"),
    CrashesOnNonJson: ("non-json-502", "a crash on a non-JSON 502"),
    RetriesForeverWithoutBackoff: ("bounded-retries", "unbounded retries"),
    FailListIndexOffByOne: ("fail-list", "FailList index off by one"),
    DropsAParameter: ("sends-every-parameter", "a parameter silently dropped"),
}


def adapter_for(client_class: type[VmsClient]) -> Callable[[Target, Mapping[str, Any]], Any]:
    """The kit adapter for ``client_class``, as examples/httpx_client writes it."""
    def create_task(target: Target, params: Mapping[str, Any]) -> Any:
        client = client_class(target.access_key, target.secret_key, region=target.region,
                              base_url=target.base_url, timeout=target.timeout,
                              backoff=target.backoff, max_attempts=target.max_attempts)
        try:
            return client.create_task(**params)
        finally:
            client.close()
    return create_task
