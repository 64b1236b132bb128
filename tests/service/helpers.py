"""Shared by the service tests: signing a body the way a correct client does."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY, HttpRequest, ReferenceService
from vmsspec.signing import sign_request

NOW = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)
HOST = "cloud-vms.volcengineapi.com"
CREATE = {"Action": "CreateTask", "Version": "2022-01-01"}


def signed(body: bytes | dict[str, Any], *, action: str = "CreateTask", now: datetime = NOW,
           access_key: str = TEST_ACCESS_KEY, secret_key: str = TEST_SECRET_KEY,
           version: str = "2022-01-01", region: str = "cn-beijing", method: str = "POST",
           content_type: str | None = "application/json") -> HttpRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    query = {"Action": action, "Version": version}
    headers = {"Host": HOST} if content_type is None else {"Host": HOST,
                                                           "Content-Type": content_type}
    result = sign_request(method, "/", query, headers, raw, access_key=access_key,
                          secret_key=secret_key, region=region, service="vms", now=now)
    return HttpRequest.build(method, f"/?Action={action}&Version={version}", result.headers, raw)


def answer(service: ReferenceService, request: HttpRequest) -> tuple[int, dict[str, Any]]:
    response = service.handle(request)
    return response.status, json.loads(response.body)
