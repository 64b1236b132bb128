"""sign_request's shortcuts give what the plain steps give.

- It builds its frozen SignedRequest by setting the slots directly: the result must be
  indistinguishable from ``SignedRequest(...)`` itself (type, fields, equality, hashing,
  repr, still frozen).
- It keeps the last (secret, date, region, service) with its scope and key, the secret
  tested by identity: whatever sequence of secrets (str or Secret, equal or not), days,
  regions and services signs, each signature is the HMAC with the key derived afresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsspec.signing import Secret, SignedRequest, derive_signing_key, sign_request

AK = "AKLTexampleAccessKeyId0000000000"
SK = "exampleSecretKey0000000000000000000000=="
T0 = datetime(2025, 5, 27, 11, 46, 34, tzinfo=timezone.utc)


@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=16), token=st.sampled_from([None, "tok"]),
       headers=st.dictionaries(st.sampled_from(["Host", "X-A", "Accept"]),
                               st.text(max_size=6), max_size=3))
def test_sign_requests_result_is_what_the_dataclass_builds(
        body: bytes, token: str | None, headers: dict[str, str]) -> None:
    made = sign_request("POST", "/", {"Action": "CreateTask"}, headers, body,
                        access_key=AK, secret_key=SK, region="cn-beijing", service="vms",
                        now=T0, session_token=token)
    fields = [getattr(made, f.name) for f in dataclasses.fields(SignedRequest)]
    reference = SignedRequest(*fields)
    assert type(made) is SignedRequest
    assert made == reference
    for value in (made, reference):  # eq and frozen make a field hash; headers have none
        with pytest.raises(TypeError, match="mappingproxy"):
            hash(value)
    assert repr(made) == repr(reference)
    assert [getattr(reference, f.name) for f in dataclasses.fields(reference)] == fields
    assert dataclasses.replace(made) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.signature = "x"  # type: ignore[misc]


# The third equals the first but is another object (a literal would be the same one).
SECRETS = ["sk-one", "sk-two", "".join(["sk-", "one"])]
secrets_st = st.tuples(st.integers(0, 2), st.booleans()).map(
    lambda pick: Secret(SECRETS[pick[0]]) if pick[1] else SECRETS[pick[0]])
signing_st = st.tuples(secrets_st, st.integers(0, 2), st.sampled_from(["cn-beijing", "r2"]),
                       st.sampled_from(["vms", "sms"]))
SHARED_SECRET = Secret("sk-shared")  # one object reused: the identity hit


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.one_of(signing_st, st.tuples(st.just(SHARED_SECRET),
                                                      st.integers(0, 2),
                                                      st.just("cn-beijing"), st.just("vms"))),
                      min_size=1, max_size=8))
def test_the_kept_key_is_the_key_derived_afresh(
        steps: list[tuple[str | Secret, int, str, str]]) -> None:
    for secret, day, region, service in steps:
        now = T0 + timedelta(days=day)
        made = sign_request("POST", "/", None, {"Host": "h"}, b"{}", access_key=AK,
                            secret_key=secret, region=region, service=service, now=now)
        date = now.strftime("%Y%m%d")
        key = derive_signing_key(secret, date, region, service)
        assert made.signature == hmac.new(key, made.string_to_sign.encode(),
                                          hashlib.sha256).hexdigest()
        assert made.credential_scope == f"{date}/{region}/{service}/request"
        assert f"Credential={AK}/{date}/{region}/{service}/request," in made.authorization
