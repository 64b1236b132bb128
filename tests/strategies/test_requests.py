"""signed_requests / tampered_requests: the reference verifier accepts and refuses as labelled."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import vmsspec
from vmsspec import strategies as vst
from vmsspec.signing import verify_request
from vmsspec.signing._secret import reveal

# find() hands back what it found through Hypothesis's failure path, which reprs the
# whole example; a body with thousands of phones then triggers this warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

SMALL_BODIES = vst.valid_bodies(max_phones=10)


@given(vst.signed_requests(bodies=SMALL_BODIES))
def test_every_signed_request_verifies(signed: vst.SignedHTTPRequest) -> None:
    req, ctx = signed.request, signed.context
    # called directly, not through .verify(), so the helper cannot hide a mistake
    verification = verify_request(
        req.method, req.raw_path, req.raw_query, req.headers, req.body,
        credentials={ctx.access_key: ctx.secret_key}, now=ctx.now, max_skew=ctx.max_skew,
        region=ctx.region, service=ctx.service,
    )
    assert verification.ok, verification.explain()
    assert abs(ctx.now - signed.signed_at) <= ctx.max_skew
    assert set(signed.signed_headers) >= {"host", "x-date", "x-content-sha256"}
    assert vmsspec.parse_body(req.body) == signed.payload
    assert req.raw_query in ("Action=CreateTask&Version=2022-01-01",
                             "Version=2022-01-01&Action=CreateTask")


# What each mutation can only get, read off the documented order of the checks
# (MissingAuthenticationToken, MissingSignature, InvalidAccessKey, InvalidTimestamp,
# SignatureDoesNotMatch) rather than off the labeller.
_CODES_OF = {
    "body-byte": {"SignatureDoesNotMatch"},
    "signed-header-value": {"SignatureDoesNotMatch"},
    # X-Date moved or dropped: out of the skew window first, else the signature breaks
    "x-date-changed": {"InvalidTimestamp", "SignatureDoesNotMatch"},
    "dropped-signed-header": {"InvalidTimestamp", "SignatureDoesNotMatch"},
    "date-outside-skew": {"InvalidTimestamp"},
    "scope-region": {"SignatureDoesNotMatch"},
    "scope-service": {"SignatureDoesNotMatch"},
    "scope-date": {"SignatureDoesNotMatch"},
    "unknown-access-key": {"InvalidAccessKey"},
    "missing-authorization": {"MissingAuthenticationToken"},
    "malformed-authorization": {"MissingAuthenticationToken"},
    "missing-signature": {"MissingSignature"},
    "signature-changed": {"SignatureDoesNotMatch"},
    "query-changed": {"SignatureDoesNotMatch"},
    "method-changed": {"SignatureDoesNotMatch"},
}


def test_every_mutation_has_its_possible_codes() -> None:
    assert set(_CODES_OF) == set(vst.MUTATIONS)


@pytest.mark.parametrize("mutation", vst.MUTATIONS)
def test_every_tampered_request_fails_with_its_labelled_code(mutation: str) -> None:
    codes: Counter[str] = Counter()

    @given(vst.tampered_requests(mutations=[mutation], bodies=SMALL_BODIES))
    def run(tampered: vst.TamperedRequest) -> None:
        assert tampered.mutation == mutation
        assert tampered.request != tampered.original.request
        assert tampered.original.verify().ok
        verification = tampered.verify()
        assert not verification.ok
        assert verification.code == tampered.expected_code, (tampered.detail,
                                                             verification.reason)
        assert verification.status == tampered.expected_status
        codes[tampered.expected_code] += 1

    run()
    assert set(codes) <= _CODES_OF[mutation], codes


@pytest.mark.parametrize("code", ["MissingAuthenticationToken", "MissingSignature",
                                  "InvalidAccessKey", "InvalidTimestamp",
                                  "SignatureDoesNotMatch"])
def test_each_vendor_auth_error_comes_out_of_the_full_strategy(code: str) -> None:
    found = find(vst.tampered_requests(bodies=SMALL_BODIES),
                 lambda t: t.expected_code == code,
                 settings=settings(database=None, max_examples=2000, phases=(Phase.generate,)))
    assert found.verify().code == code


def test_the_brief_s_mutations_are_all_there() -> None:
    assert set(vst.MUTATIONS) >= {
        "body-byte", "signed-header-value", "date-outside-skew", "scope-region",
        "scope-service", "unknown-access-key", "dropped-signed-header",
        "missing-authorization",
    }
    with pytest.raises(ValueError, match="unknown"):
        vst.tampered_requests(mutations=["nope"])


def test_signed_requests_take_other_scopes_and_raw_bodies() -> None:
    @given(vst.signed_requests(bodies=vst.invalid_bodies(max_phones=5).map(lambda c: c.body),
                               region="cn-shanghai", service="vms2", host="127.0.0.1:8080"))
    def run(signed: vst.SignedHTTPRequest) -> None:
        assert signed.verify().ok
        assert signed.context.region == "cn-shanghai"
        assert signed.request.url.startswith("https://127.0.0.1:8080/")

    run()

    # Raw bodies: sent byte for byte, not JSON-encoded again; any bytes, JSON or not.
    raw_bodies = st.one_of(st.binary(max_size=64),
                           vst.valid_bodies(max_phones=5).map(orjson.dumps))

    @given(raw_bodies, st.sampled_from([bytes, bytearray, memoryview]), st.data())
    def run_raw(raw: bytes, kind: type, data: st.DataObject) -> None:
        signed = data.draw(vst.signed_requests(bodies=st.just(kind(raw)), region="cn-shanghai",
                                               service="vms2"))
        assert signed.verify().ok
        assert type(signed.request.body) is bytes
        assert signed.request.body == raw
        assert signed.payload is None  # no JSON value was given
        assert signed.context.service == "vms2"

    run_raw()


def test_secrets_stay_out_of_reprs() -> None:
    @given(vst.tampered_requests(mutations=["body-byte"], bodies=SMALL_BODIES))
    def run(tampered: vst.TamperedRequest) -> None:
        secret = reveal(tampered.context.secret_key)
        assert secret not in repr(tampered)
        assert len(repr(tampered)) < 5000

    run()

