"""sign_request builds its frozen SignedRequest by setting the slots directly.

The result must be indistinguishable from ``SignedRequest(...)`` itself: same type,
fields, equality, hashing, repr, and still frozen.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmsspec.signing import SignedRequest, sign_request

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
