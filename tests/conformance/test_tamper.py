"""prepare(): a correctly signed request is accepted, each tamper refused with its code.

Judged by the reference service, which verifies with the reference verifier: the
tamper's code is the contract's answer for that change.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

import vmsspec
from vmsspec import Credentials, HttpRequest, ReferenceService
from vmsspec.conformance import Reproduction, prepare
from vmsspec.conformance._tamper import TAMPERS

NOW = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc)
CREDS = Credentials(vmsspec.TEST_ACCESS_KEY, vmsspec.TEST_SECRET_KEY)
URL = "https://cloud-vms.volcengineapi.com/?Action=CreateTask&Version=2022-01-01"
BODY = json.dumps({**json.loads(vmsspec.example_bytes()), "DryRun": True}).encode()


def _answer(tamper: str | None) -> tuple[int, str | None]:
    service = ReferenceService(clock=lambda: NOW)
    rep = Reproduction("POST", URL, BODY, (("Content-Type", "application/json"),),
                       tamper=tamper)
    method, url, headers, body = prepare(rep, CREDS, now=NOW)
    target = url.split("cloud-vms.volcengineapi.com", 1)[1]
    response = service.handle(HttpRequest.build(method, target, headers, body))
    error = json.loads(response.body)["ResponseMetadata"].get("Error") or {}
    return response.status, error.get("Code")


def test_untampered_request_reaches_the_contract():
    assert _answer(None) == (400, "DryRunOperation")


@pytest.mark.parametrize("name", sorted(set(TAMPERS) - {"wrong-region"}))
def test_each_tamper_gets_its_code(name):
    tamper = TAMPERS[name]
    assert _answer(name) == (tamper.status, tamper.code)


def test_wrong_region_is_signed_for_another_region():
    rep = Reproduction("POST", URL, BODY, region="cn-beijing", tamper="wrong-region")
    _, _, headers, _ = prepare(rep, CREDS, now=NOW)
    auth = dict(headers)["Authorization"]
    assert "/cn-beijing/" not in auth and "/vms/request" in auth


def test_unknown_tamper_is_a_one_line_error():
    rep = Reproduction("POST", URL, BODY, tamper="nope")
    with pytest.raises(ValueError, match="unknown tamper 'nope'"):
        prepare(rep, CREDS, now=NOW)


def test_prepare_never_puts_the_secret_in_headers():
    for name in (None, *TAMPERS):
        _, _, headers, _ = prepare(Reproduction("POST", URL, BODY, tamper=name), CREDS, now=NOW)
        assert vmsspec.TEST_SECRET_KEY not in repr(headers)
