"""The strategies compose like Hypothesis's own and change nothing global on import."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from vmsspec import EXAMPLE_COMPATIBLE, validate_request
from vmsspec import strategies as vst


@given(st.one_of(
    vst.valid_bodies(max_phones=5, fail_items=False, never=["DryRun"]).map(
        lambda b: (b, 200, ())),
    vst.invalid_bodies(max_phones=5).map(lambda c: (c.body, c.status, (c.code,))),
))
def test_one_of_and_map(triple: tuple[Any, int, tuple[str, ...]]) -> None:
    body, status, codes = triple
    expectation = validate_request(body)
    assert expectation.status == status
    assert codes == () or codes[0] in {code for code, _ in expectation.acceptable} | {
        f.type for f in expectation.fail_list}
    if not codes:  # the valid branch: fail_items=False, so every phone is added
        assert expectation.ok and expectation.fail_list == ()


@given(vst.valid_bodies(max_phones=5).filter(lambda b: "SmsConfig" in b))
def test_filter(body: dict[str, Any]) -> None:
    """A filtered valid_bodies is still valid_bodies: what passes the filter is valid."""
    assert body["SmsConfig"] is not None
    assert isinstance(body["SmsConfig"], list)
    assert validate_request(body).ok


@given(st.sampled_from(["documented", EXAMPLE_COMPATIBLE]).flatmap(
    lambda profile: st.tuples(st.just(profile), vst.valid_bodies(profile, max_phones=5))))
def test_flatmap_over_profiles(pair: tuple[Any, dict[str, Any]]) -> None:
    profile, body = pair
    assert validate_request(body, profile).ok


@given(st.data())
def test_interactive_draws(data: st.DataObject) -> None:
    case = data.draw(vst.invalid_bodies(rules=["Type:enum"], max_phones=5))
    signed = data.draw(vst.signed_requests(bodies=st.just(case.body)))
    assert json.loads(signed.request.body) == case.body
    assert signed.verify().ok


@given(st.lists(vst.valid_bodies(max_phones=3), min_size=2, max_size=3))
def test_inside_collections(bodies: list[dict[str, Any]]) -> None:
    assert all(validate_request(b).ok for b in bodies)


def test_importing_registers_nothing_with_hypothesis() -> None:
    script = """
import json
from hypothesis import settings
from hypothesis.strategies._internal import types

def state():
    return {
        "profiles": sorted(settings._profiles),
        "current": settings._current_profile,
        "types": sorted(map(repr, types._global_type_lookup)),
    }

before = state()
import vmsspec.strategies
after = state()
print(json.dumps(before == after))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "true", out.stderr
