"""Schemathesis hooks: sign every generated CreateTask request as a Volcengine client does.

Load with ``SCHEMATHESIS_HOOKS=vms_signing_hooks`` (this folder on ``PYTHONPATH``); see
README.md beside it. Credentials: VOLC_ACCESSKEY / VOLC_SECRETKEY when both are set, else
the reference service's embedded, public test key pair.

Two parts, because a signature covers the exact bytes sent and Schemathesis serializes
the body only after its hooks ran:

- an auth provider (``@schemathesis.auth``) puts a placeholder Authorization on each case,
  so Schemathesis knows the case carries real credentials; its auth probes remove or
  replace that placeholder to see the service refuse them;
- ``before_call`` hands ``requests`` an auth object that, on the prepared request, swaps
  the placeholder for a real signature (X-Date, X-Content-Sha256, Authorization) over the
  final method, URL, headers and body. A request whose placeholder a probe took away is
  sent as the probe made it: unsigned, or with the probe's invalid Authorization.

Two more hooks keep the run about the contract rather than about state and the limits
of JSON Schema, each saying why:

- ``filter_case`` drops a *positive* case whose body breaks only a rule JSON Schema
  cannot state (a date not on the calendar, EndTime before StartTime, a no-call window
  that ends before it starts): the OpenAPI document lists those rules in the operation's
  description, and the contract core (vmsspec.validate_request) is what decides;
- ``after_call`` stops each task a call created (StopTask, signed the same way), so the
  50-active-task limit (ExceedTaskNumLimit) does not refuse every case after the 50th.

A negative case whose *headers* Schemathesis broke keeps its broken X-Date and
X-Content-Sha256 (a missing one stays missing): signing them away would turn the case
into a valid request and hide what it tests.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
import schemathesis

import vmsspec

_SIGNED_BY_CASE = ("X-Date", "X-Content-Sha256")
PLACEHOLDER = "vmsspec-sign-me"


def _credentials() -> tuple[str, str]:
    access_key, secret_key = os.environ.get("VOLC_ACCESSKEY"), os.environ.get("VOLC_SECRETKEY")
    if access_key and secret_key:
        return access_key, secret_key
    return vmsspec.TEST_ACCESS_KEY, vmsspec.TEST_SECRET_KEY


class VmsSignature(requests.auth.AuthBase):
    """Signs a prepared request with vmsspec.sign_request (region cn-beijing, service vms)."""

    def __init__(self, keep: dict[str, str | None] | None = None) -> None:
        self.keep = keep
        """Header values to put back after signing (None: remove), for negative cases."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.headers.get("Authorization") != PLACEHOLDER:
            return request  # an auth probe: its credentials are the point
        parts = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {name: value for name, value in request.headers.items()
                   if name.lower() not in ("x-date", "x-content-sha256", "authorization")}
        headers["Host"] = parts.netloc
        access_key, secret_key = _credentials()
        signed = vmsspec.sign_request(
            request.method or "POST", unquote(parts.path or "/"),
            parse_qsl(parts.query, keep_blank_values=True), headers, body,
            access_key=access_key, secret_key=secret_key, region="cn-beijing", service="vms")
        for name, value in signed.headers.items():
            request.headers[name] = value
        for name, kept in (self.keep or {}).items():
            if kept is None:
                request.headers.pop(name, None)
            else:
                request.headers[name] = kept
        return request


def _broken_headers(case: Any) -> dict[str, str | None] | None:
    meta = getattr(case, "meta", None)
    components = getattr(meta, "components", None) or {}
    for location, info in components.items():
        if getattr(location, "name", str(location)).lower() == "header" and \
                getattr(info.mode, "value", str(info.mode)) == "negative":
            given = {k.lower(): v for k, v in (case.headers or {}).items()}
            return {name: (None if given.get(name.lower()) is None
                           else str(given[name.lower()])) for name in _SIGNED_BY_CASE}
    return None


_CATALOG = {rule.id: rule for rule in vmsspec.rules()}


def _mode(case: Any) -> str | None:
    generation = getattr(getattr(case, "meta", None), "generation", None)
    mode = getattr(generation, "mode", None)
    return getattr(mode, "value", None)


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    body = case.body
    if _mode(case) == "negative" or not isinstance(body, dict):
        return True
    expectation = vmsspec.validate_request(body)
    beyond_schema = expectation.violations and all(
        _CATALOG[v.rule].origin == "python" for v in expectation.violations)
    return not beyond_schema


# Schemathesis shows one example per kind of failure; this counts every schema-valid
# case the service did not answer 200, by code, and prints the count when the run ends.
_REFUSED_POSITIVE: Counter[str] = Counter()


@atexit.register
def _report_refused_positive() -> None:
    if _REFUSED_POSITIVE:
        listed = ", ".join(f"{code} {n}" for code, n in _REFUSED_POSITIVE.most_common())
        print(f"\nSchema-valid cases not answered 200, by code: {listed}", file=sys.stderr)
    else:
        print("\nEvery schema-valid case was answered 200.", file=sys.stderr)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if response.status_code != 200:
        if _mode(case) == "positive":
            try:
                code = response.json()["ResponseMetadata"]["Error"]["Code"]
            except (ValueError, KeyError, TypeError):
                code = f"HTTP {response.status_code}"
            _REFUSED_POSITIVE[code] += 1
        return
    try:
        task = response.json()["Result"]["TaskOpenId"]
    except (ValueError, KeyError, TypeError):
        return
    url = urlsplit(response.request.url)
    stop = f"{url.scheme}://{url.netloc}/?Action=StopTask&Version=2022-01-01"
    body = json.dumps({"TaskOpenId": task}).encode()
    prepared = requests.Request("POST", stop, data=body,
                                headers={"Content-Type": "application/json",
                                         "Authorization": PLACEHOLDER}).prepare()
    with requests.Session() as session:
        session.send(VmsSignature()(prepared), timeout=10)


@schemathesis.auth()
class PlaceholderAuth:
    """Marks each case as authenticated; VmsSignature signs it when it is sent."""

    def get(self, case: Any, ctx: Any) -> str:
        return PLACEHOLDER

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": data}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    kwargs["auth"] = VmsSignature(_broken_headers(case))
