"""Many clients at once against the real-port server: idempotency holds."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx

import vmsspec
from tests.service.helpers import CREATE
from vmsspec.adapters.httpx_auth import VolcSignatureAuth
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService

THREADS = 16
REQUESTS = 48


def create_many(server: ThreadedServer, tokens: list[str]) -> list[str]:
    body = json.loads(vmsspec.example_bytes())
    auth = VolcSignatureAuth(TEST_ACCESS_KEY, TEST_SECRET_KEY)

    def one(token: str) -> str:
        with httpx.Client(auth=auth, base_url=server.url, timeout=30) as client:
            response = client.post("/", params=CREATE, json={**body, "ClientToken": token})
        assert response.status_code == 200, response.text
        return str(response.json()["Result"]["TaskOpenId"])

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, tokens))


def test_one_client_token_from_many_threads_creates_one_task() -> None:
    service = ReferenceService()
    with ThreadedServer(service) as server:
        ids = create_many(server, ["same"] * REQUESTS)
    assert len(set(ids)) == 1
    assert list(service.tasks) == [ids[0]]


def test_distinct_tokens_create_exactly_that_many_tasks() -> None:
    service = ReferenceService(max_active_tasks=REQUESTS)
    with ThreadedServer(service) as server:
        ids = create_many(server, [f"token-{i}" for i in range(REQUESTS)])
    assert len(set(ids)) == REQUESTS
    assert set(service.tasks) == set(ids)
