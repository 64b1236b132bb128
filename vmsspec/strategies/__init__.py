"""Hypothesis strategies for CreateTask: valid and invalid bodies, signed and tampered requests.

For client authors' own ``@given`` tests and for vmsspec's conformance suite::

    from hypothesis import given
    from vmsspec import strategies as vst

    @given(vst.valid_bodies())
    def test_my_client_sends_valid_bodies(body): ...

    @given(vst.invalid_bodies())
    def test_server_rejects(case):
        response = post(case.body)
        assert case.expectation.accepts(response.status, response.code)

What each strategy's examples are, by the answer they must get:

- :func:`valid_bodies` / :func:`labelled_bodies`: accepted, HTTP 200 (with FailList
  entries when ``fail_items``). By default none is a DryRun (``DryRun``, when present, is
  false) and a ``ClientToken``, when present, is derived from the rest of the body, so
  two examples share a token only when they are the same request: any number of them
  can be posted to one service one after another and each is answered 200 (given room
  under the task limit). ``dry_run=True`` lets ``DryRun: true`` in (answered
  DryRunOperation, 400, nothing created) and ``client_tokens=True`` draws tokens as free
  text, so different bodies may share one (IdempotentParameterMismatch): both are
  opt-in, for tests of those stateful answers.
- :func:`invalid_bodies`: rejected, HTTP 4xx; each breaks one rejecting rule
  (``case.rule.outcome == "reject"``), labelled with its code and parameter.
- :func:`fail_list_bodies`: accepted, HTTP 200, each with phones listed in
  ``Result.FailList`` for one FailList rule (``case.rule.outcome == "fail-item"``):
  ``case.code`` is the FailList Type, ``case.fail_list`` the expected items.
- :func:`signed_requests` / :func:`tampered_requests`: HTTP requests, accepted or
  refused with the labelled authentication error.

Every strategy takes a profile (a name or a :class:`vmsspec.Profile`) and reads the
bounds, enums and required sets from that profile's rule catalog, so a schema change
or a profile's patch changes what is generated. Importing this module registers
nothing with Hypothesis (no settings profiles, no type strategies).

Size distribution (``valid_bodies``, by default). The PhoneList length is one
Hypothesis draw mapped monotonically through :data:`SIZE_TIERS` (see
:func:`skewed_size`): over uniform draws, the minimum (1 phone) 5% of the time, 2-9
phones 55%, up to 101 25%, up to 1,001 10%, up to 9,999 4% and exactly 10,000 1%
(median 8, mean about 390). Hypothesis itself prefers small draws and the ends of a
range, so what a test sees is smaller still, with the maximum kept: measured over
5,000 default examples (bench/STRATEGIES.md), PhoneList is present in about 42% of
bodies and, when present, has a median of 1 phone, a 90th percentile of 6-9, 1,000
phones or more in 1-2% of lists, and exactly 10,000 in 0.5-2%. NumberList uses the
same tiers; the other lists (SmsConfig, ForbidTimeList, Times, StatusSet, Weekdays)
are mostly 1-3 items long and at their maximum 1 time in 20. ``max_phones`` caps
PhoneList and the tiers scale down with it.

Diversity within one run: Hypothesis spends most of a 100-example run on mutations of
a few base examples, so a single run does not show every rule, enum value or
FailList outcome; over runs (or with ``hypothesis.find``) all of them come up, which
the tests in ``tests/strategies`` check.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from hypothesis import strategies as st

from ..contract import Expectation, Profile, validate_request
from ._http import (
    DEFAULT_HOST,
    DEFAULT_REGION,
    DEFAULT_SERVICE,
    MUTATIONS,
    AuthContext,
    ClientRequest,
    SignedHTTPRequest,
    TamperedRequest,
    signed_requests,
    tampered_requests,
)
from ._invalid import (
    FailListBody,
    InvalidBody,
    fail_list_bodies,
    invalid_bodies,
    unreachable_rules,
)
from ._spec import UnsupportedSchema, spec_for
from ._text import SIZE_TIERS, skewed_size
from ._valid import BodyBuilder

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_REGION",
    "DEFAULT_SERVICE",
    "MUTATIONS",
    "SIZE_TIERS",
    "AuthContext",
    "ClientRequest",
    "FailListBody",
    "InvalidBody",
    "SignedHTTPRequest",
    "TamperedRequest",
    "UnsupportedSchema",
    "fail_list_bodies",
    "invalid_bodies",
    "labelled_bodies",
    "signed_requests",
    "skewed_size",
    "tampered_requests",
    "unreachable_rules",
    "valid_bodies",
]


def valid_bodies(
    profile: str | Profile = "documented",
    *,
    max_phones: int | None = None,
    fail_items: bool = True,
    always: Collection[str] = (),
    never: Collection[str] = (),
    dry_run: bool = False,
    client_tokens: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """CreateTask bodies the contract accepts (HTTP 200) under ``profile``.

    Covers every parameter, optional ones present and absent (``always`` and
    ``never`` pin optional parameters in or out), the bounds of every range, all
    enum values, unicode text, SelectNumberType 1 with its NumberList, and each
    ForbidTimeList shape. Under a lenient profile the forms its coercions accept
    appear too (digit strings for integers, JSON arrays packed into strings).

    With ``fail_items`` (the default) some phones are ones the contract lists in
    ``Result.FailList`` (bad format, repeats with Unique, parameters that are not JSON
    objects, empty TtsContent with Type 3) in about 40% of the bodies that have a
    PhoneList (17% of all bodies): valid requests, but not every phone is added. Use
    :func:`labelled_bodies` to get the expected FailList with each body, or
    ``fail_items=False`` for bodies whose every phone is added.

    ``dry_run=True`` also yields ``DryRun: true`` bodies (valid, but answered
    DryRunOperation with 400); ``client_tokens=True`` draws ClientTokens that different
    bodies may share (IdempotentParameterMismatch on the second). By default neither
    happens: see the module docstring.

    Each example is built from six Hypothesis draws (see ``_valid``): fast, and
    shrinking still removes parameters, phones and planned failures.
    """
    builder = BodyBuilder(spec_for(profile), max_phones=max_phones, fail_items=fail_items,
                          always=always, never=never, dry_run=dry_run,
                          client_tokens=client_tokens)
    return builder.strategy()


def labelled_bodies(
    profile: str | Profile = "documented",
    *,
    max_phones: int | None = None,
    fail_items: bool = True,
    always: Collection[str] = (),
    never: Collection[str] = (),
    dry_run: bool = False,
    client_tokens: bool = False,
) -> st.SearchStrategy[tuple[dict[str, Any], Expectation]]:
    """``(body, expectation)`` pairs: :func:`valid_bodies` with what the contract expects.

    The expectation is :func:`vmsspec.validate_request`'s (the contract core is the
    one place that decides): ``ok`` and the ``fail_list`` the response must carry.
    """
    bodies = valid_bodies(profile, max_phones=max_phones, fail_items=fail_items,
                          always=always, never=never, dry_run=dry_run,
                          client_tokens=client_tokens)
    return bodies.map(lambda body: (body, validate_request(body, profile)))

