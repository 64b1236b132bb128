"""Where verify_request's CPU time goes, and what the verifier costs inside the service.

Run: python bench/profile_verify.py [--quick]

Not a benchmark with goals (bench_signing.py has verify_request / floor): a profile
for bench/README.md's "Where the floor is", with the same method (_timing.interleaved:
CPU time, interleaved repeats, medians, ratios paired per repeat).

1. The fast path (``vmsspec/signing/_planned.py``) cut after each step, on
   bench_signing.py's request: each row adds one step to the one above, so the
   differences are the steps' costs. The steps are written out here as
   ``verify_planned`` runs them; the full run must return the very verdict
   verify_request returns, so the copy cannot drift unnoticed.
2. ``ReferenceService.handle`` on the bundled example body (with a ClientToken, so
   repeats answer the same task), and ``verify_indexed`` called as ``_authenticate``
   calls it on that request: the verifier's share of handling a request.
"""

from __future__ import annotations

import hmac
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from hashlib import sha256

from _timing import interleaved, paired_ratio, quick
from _timing import stamp as machine_stamp
from bench_signing import AK, NOW, QUERY, RAW_QUERY, SK, SMALL_BODY, sign_small, stdlib_floor

import vmsspec
from vmsspec.service import TEST_ACCESS_KEY, TEST_SECRET_KEY, ReferenceService
from vmsspec.service._http import HttpRequest
from vmsspec.signing import _canonical as c
from vmsspec.signing import sign_request, verify_request
from vmsspec.signing._checks import check_scope, check_time, header_index
from vmsspec.signing._planned import plan
from vmsspec.signing._verifier import verify_indexed

STEPS = (
    "header_index (verify_request's own)",
    "+ Authorization split, plan lookup",
    "+ secret lookup, X-Date window",
    "+ scope check",
    "+ header values, body sha256, X-Content-Sha256",
    "+ canonical request joined",
    "+ sha256 of the canonical request",
    "+ signing key, string to sign, HMAC",
    "+ compare, verdict",
)


def cut_after(stop: int) -> Callable[[], object]:
    wire = dict(sign_small().headers)  # type: ignore[attr-defined]
    credentials = {AK: SK}
    skew, expires = timedelta(minutes=15), timedelta(days=7)

    def run() -> object:
        index, _ = header_index(wire)
        if stop == 1:
            return None
        head, _, sent = index["authorization"].rpartition("Signature=")
        p = plan(head, "POST", "/", RAW_QUERY)
        assert p is not None
        if stop == 2:
            return None
        found = p.found
        secret = credentials.get(found.access_key)
        assert secret is not None
        assert sent.isascii()
        x_date = index["x-date"]
        check_time(x_date, None, NOW, skew, expires)
        if stop == 3:
            return None
        check_scope(found, x_date, None, None, None)
        if stop == 4:
            return None
        values = p.values(index)
        body_hash = sha256(SMALL_BODY).hexdigest()
        assert index.get("x-content-sha256") == body_hash
        if stop == 5:
            return None
        chunks = p.chunks.copy()
        chunks[1:-2:2] = values
        chunks[-1] = body_hash
        canonical = "".join(chunks)
        if stop == 6:
            return None
        digest = sha256(canonical.encode("utf-8", c.ENCODING_ERRORS)).hexdigest()
        if stop == 7:
            return None
        expected = p.key(secret).sign(c.ALGORITHM + "\n" + x_date + p.sts_scope + digest)
        if stop == 8:
            return None
        return p.verdict if hmac.compare_digest(sent, expected) else None

    return run


def service_cases() -> dict[str, Callable[[], object]]:
    doc = json.loads(vmsspec.example_bytes())
    doc["ClientToken"] = "profile-verify-0001"
    body = json.dumps(doc, ensure_ascii=False).encode()
    service = ReferenceService()
    signed = sign_request("POST", "/", QUERY, {"Host": "cloud-vms.volcengineapi.com",
                                               "Content-Type": "application/json"}, body,
                          access_key=TEST_ACCESS_KEY, secret_key=TEST_SECRET_KEY,
                          region="cn-beijing", service="vms")
    request = HttpRequest("POST", "/?" + RAW_QUERY, (
        *signed.headers.items(), ("Content-Length", str(len(body)))), body)
    assert service.handle(request).status == 200
    index, repeated = header_index(request.headers)

    def verify_as_the_service_does() -> object:  # _service.py ReferenceService._authenticate
        return verify_indexed(
            "POST", "/", RAW_QUERY, index, repeated, body, credentials=service.credentials,
            now=service.clock(), max_skew=service.max_skew, service="vms",
            regions=service.regions)

    assert verify_as_the_service_does().ok  # type: ignore[attr-defined]
    return {"handle": lambda: service.handle(request),
            "verify_indexed in handle": verify_as_the_service_does,
            "header_index in handle": lambda: header_index(request.headers)}


def main() -> int:
    fast = quick()
    started = machine_stamp()
    wire = dict(sign_small().headers)  # type: ignore[attr-defined]

    def whole() -> object:
        return verify_request("POST", "/", RAW_QUERY, wire, SMALL_BODY, credentials={AK: SK},
                              now=NOW)

    assert cut_after(len(STEPS))() == whole(), "the steps must be verify_request's own"
    cases: dict[str, Callable[[], object]] = {
        name: cut_after(n) for n, name in enumerate(STEPS, 1)}
    cases["verify_request"] = whole
    cases["floor"] = stdlib_floor()
    t = interleaved(cases, repeats=9 if fast else 31, batch=300 if fast else 1000,
                    max_seconds=30 if fast else 90)
    floor = t["floor"]
    print(f"verify_request, step by step (CPU time, medians; load {started['load']})")
    # A step's cost is read from the paired ratios (steadier under load than the
    # difference of two medians): (its ratio - the previous row's) x the floor's median.
    previous = 0.0
    for name in (*STEPS, "verify_request", "floor"):
        ratio = paired_ratio(t[name], floor)
        step = f"(+{(ratio - previous) * floor.median * 1e6:.2f})" if name in STEPS else ""
        print(f"  {name:48s} {t[name].median * 1e6:6.2f} µs {step:9s} {ratio:.2f}x floor")
        if name in STEPS:
            previous = ratio
    s = interleaved(service_cases(), repeats=9 if fast else 21, batch=100 if fast else 300,
                    max_seconds=30 if fast else 60)
    handle = s["handle"]
    print("ReferenceService.handle, the example body signed (CPU time, medians)")
    for name, x in s.items():
        share = "" if name == "handle" else f"  {paired_ratio(x, handle):.1%} of handle"
        print(f"  {name:48s} {x.median * 1e6:6.2f} µs{share}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
