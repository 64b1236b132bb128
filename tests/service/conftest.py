from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.breakers import FULL_BODY
from tests.service.helpers import NOW
from vmsspec.adapters.server import ThreadedServer
from vmsspec.service import ReferenceService


@pytest.fixture
def service() -> ReferenceService:
    return ReferenceService(clock=lambda: NOW)


@pytest.fixture
def full_body() -> dict[str, Any]:
    return json.loads(json.dumps(FULL_BODY))


@pytest.fixture(scope="module")
def live_server() -> Iterator[ThreadedServer]:
    with ThreadedServer() as server:
        yield server
