"""A small CreateTask client on httpx: the shortest client the vmsspec kit passes in full.

Signing is borrowed from vmsspec (``VolcSignatureAuth``) to keep the example short; a
real client carries its own signer, which the kit checks the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from vmsspec.adapters.httpx_auth import VolcSignatureAuth

__all__ = ["CreatedTask", "FailedPhone", "VmsClient", "VmsError"]

ENDPOINT = "https://cloud-vms.volcengineapi.com"
QUERY = {"Action": "CreateTask", "Version": "2022-01-01"}
RETRIED = frozenset({429, 500, 502, 503, 504})  # the newer official SDK's list


class VmsError(Exception):
    """The service refused, or could not be reached; ``code`` is the vendor's when known."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code, self.status = code, status


@dataclass(frozen=True)
class FailedPhone:
    index: int
    phone: str
    type: str


@dataclass(frozen=True)
class CreatedTask:
    task_open_id: str
    fail_list: list[FailedPhone] = field(default_factory=list)


class VmsClient:
    retried = RETRIED

    def __init__(self, access_key: str, secret_key: str, *, region: str = "cn-beijing",
                 base_url: str = ENDPOINT, timeout: float | None = 10.0,
                 max_attempts: int = 4, backoff: float = 0.2,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.region, self.max_attempts, self.backoff = region, max_attempts, backoff
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport,
                                  auth=VolcSignatureAuth(access_key, secret_key, region=region))

    def create_task(self, **params: Any) -> CreatedTask:
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._http.post("/", params=QUERY, json=params)
            except httpx.TransportError as exc:  # timeouts, dropped connections
                if attempt == self.max_attempts:
                    raise VmsError(f"no answer after {attempt} attempts: {exc}") from None
            else:
                if response.status_code not in self.retried or attempt == self.max_attempts:
                    return self._result(response)
            time.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _result(self, response: httpx.Response) -> CreatedTask:
        try:
            doc = response.json()
        except ValueError:
            raise VmsError(f"HTTP {response.status_code} with a non-JSON body "
                           f"({response.headers.get('content-type', 'no type')})",
                           status=response.status_code) from None
        error = doc.get("ResponseMetadata", {}).get("Error")
        if error or response.status_code != 200:  # an HTTP 200 may carry Error too
            error = error or {}
            raise VmsError(f"{error.get('Code')}: {error.get('Message')}",
                           code=error.get("Code"), status=response.status_code)
        result = doc["Result"]
        return CreatedTask(result["TaskOpenId"], [
            FailedPhone(item["Index"], item["Phone"], item["Type"])
            for item in result.get("FailList") or []])

    def close(self) -> None:
        self._http.close()
