"""The validator: a request body in, the contract's Expectation out.

Speed matters (a 10,000-phone body is checked on every mocked request), so the body
is parsed with orjson and checked by jsonschema-rs's ``is_valid`` first; only a body
that fails is walked again with ``iter_errors`` to name every defect. That first check
is the clean-list schema's when it applies (``_clean_list``): one pass that also proves
no phone fails a FailList rule, so the Python rules run only on a list it cannot prove.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema_rs
import orjson

from .._errors import error_code
from .._schemas import load_schema
from ._catalog import rule_id, schema_rules
from ._clean_list import clean_list_validators
from ._coerce import coerce
from ._model import Expectation, Rule, Violation
from ._paths import BODY, parameter_name, parameter_pattern
from ._profiles import DOCUMENTED, Profile, get_profile
from ._python_rules import (
    FAIL_ITEM_RULES,
    FORMAT,
    REJECT_RULES,
    fail_list,
    no_reject_findings,
    repeated_phones,
)

__all__ = [
    "RequestValidator",
    "UnusableBody",
    "parse_body",
    "request_validator",
    "rules",
    "validate_request",
]


_loads = orjson.loads


class UnusableBody(ValueError):
    """The body is not JSON at all (bad UTF-8, bad syntax, nested too deep)."""


def parse_body(raw: bytes | bytearray | memoryview | str) -> Any:
    """Parse a request body; raise UnusableBody with a one-line reason."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        first_line = str(exc).splitlines()[0]
        reason = f"the body is not valid JSON: {first_line}"
        if "depth limit" in first_line:
            reason = f"the body is nested too deeply: {first_line}"
        if isinstance(raw, (bytes, bytearray, memoryview)):
            try:
                bytes(raw).decode("utf-8")
            except UnicodeDecodeError as bad:
                reason = f"the body is not valid UTF-8 (byte {bad.start})"
        raise UnusableBody(reason) from None


@dataclass(frozen=True)
class _Compiled:
    schema: dict[str, Any]
    validator: Any  # jsonschema_rs validator: its stub types are not exported
    catalog: dict[str, Rule]


def _apply_patches(schema: dict[str, Any], patches: Sequence[tuple[str, object]]) -> dict[str, Any]:
    if not patches:
        return schema
    patched = copy.deepcopy(schema)
    for pointer, value in patches:
        *parents, last = pointer.lstrip("/").split("/")
        node: Any = patched
        for part in parents:
            node = node[part]
        if last not in node:
            raise KeyError(f"profile patch {pointer!r} does not name an existing keyword")
        node[last] = value
    return patched


@lru_cache(maxsize=32)
def _compile(patches: tuple[tuple[str, object], ...]) -> _Compiled:
    schema = _apply_patches(load_schema("request"), patches)
    validator = jsonschema_rs.validator_for(schema)
    catalog = {r.id: r for r in schema_rules(schema)}
    for reject in REJECT_RULES:
        catalog[reject.rule.id] = reject.rule
    for rule in FAIL_ITEM_RULES:
        catalog[rule.id] = rule
    return _Compiled(schema, validator, catalog)


_FAIL_ITEM_IDS = frozenset(r.id for r in FAIL_ITEM_RULES)


@lru_cache(maxsize=32)
def _clean_lists(patches: tuple[tuple[str, object], ...],
                 disabled: frozenset[str]) -> tuple[Any, Any] | None:
    return clean_list_validators(_compile(patches).schema, disabled)


def rules(profile: str | Profile = DOCUMENTED) -> tuple[Rule, ...]:
    """Every rule of the contract under ``profile``, switched-off ones included."""
    return tuple(_compile(get_profile(profile).schema_patches).catalog.values())


def _holder(schema: Mapping[str, Any], location: Sequence[str | int]) -> Mapping[str, Any]:
    node: Any = schema
    for part in location:
        node = node[part]
    return node  # type: ignore[no-any-return]


# A parameter gets one violation: the vendor names one problem per parameter, and a
# value of the wrong type would otherwise also break its enum or bounds.
_PRIORITY = {"required": 0, "type": 1}


def _violation(rule: Rule, path: Sequence[str | int], detail: str) -> Violation:
    name = parameter_name(path) or BODY
    entry = error_code(rule.code)
    return Violation(
        rule.code, name, entry.format(name), rule.id, rule.source, entry.status, detail
    )


def _schema_violations(
    compiled: _Compiled, body: Any, disabled: frozenset[str]
) -> list[Violation]:
    found: dict[str, tuple[int, Violation]] = {}
    for error in compiled.validator.iter_errors(body):
        location = list(error.schema_path)
        keyword = str(location[-1])
        holder = _holder(compiled.schema, location[:-1])
        instance_path: list[str | int] = list(error.instance_path)
        if keyword == "required":
            props: list[str | None] = [error.kind.property]
        elif keyword == "additionalProperties":
            props = list(error.kind.unexpected)
        else:
            props = [None]
        for prop in props:
            rid = rule_id(holder, keyword, parameter_pattern(instance_path), prop)
            if rid in disabled:
                continue
            rule = compiled.catalog[rid]
            path = [*instance_path, prop] if prop is not None else instance_path
            violation = _violation(rule, path, error.message)
            rank = _PRIORITY.get(keyword, 2)
            previous = found.get(violation.parameter)
            if previous is None or rank < previous[0]:
                found[violation.parameter] = (rank, violation)
    return [v for _, v in found.values()]


class RequestValidator:
    """The validator for one profile, compiled once: call it with a body.

    ``validate_request`` builds (and caches) one per call; code that validates many
    bodies under the same profile, such as the reference service, keeps one.
    """

    __slots__ = ("_all_rejects", "_clean", "_clean_list", "_compiled", "_is_valid",
                 "_phones_are_keys", "_reject_rules", "profile")

    def __init__(self, profile: str | Profile = DOCUMENTED, *, disable: Iterable[str] = ()) -> None:
        self.profile = get_profile(profile).disable(disable)
        self._compiled = _compile(self.profile.schema_patches)
        unknown = sorted(self.profile.disabled - self._compiled.catalog.keys())
        if unknown:
            raise ValueError(f"unknown rule id(s): {', '.join(unknown)} (see `vmsspec rules`)")
        self._reject_rules = tuple(
            r for r in REJECT_RULES if r.rule.id not in self.profile.disabled)
        self._all_rejects = self._reject_rules == REJECT_RULES  # then one fused test first
        self._is_valid = self._compiled.validator.is_valid
        fail_disabled = self.profile.disabled & _FAIL_ITEM_IDS
        self._clean_list = _clean_lists(self.profile.schema_patches, fail_disabled)
        """is_valid of the clean-list schema, (Type is not 3, Type is 3), or None."""
        # The clean-list schema's phone pattern (rule on) leaves no country code to strip.
        self._phones_are_keys = FORMAT.id not in fail_disabled
        name = self.profile.name
        self._clean = (Expectation(name), Expectation(name, dry_run=True))

    def __repr__(self) -> str:
        return f"RequestValidator(profile={self.profile.name!r})"

    def __call__(
        self, body: bytes | bytearray | memoryview | str | Mapping[str, Any] | Any
    ) -> Expectation:
        """What the contract expects for ``body`` (raw bytes or text, or a parsed value).

        Raises UnusableBody when raw input is not JSON.
        """
        # The hot path (a valid request, every mocked call) touches only locals and
        # prebuilt answers: on a one-phone body the floor (parse + is_valid) is ~10 us,
        # so each attribute lookup and object built here shows.
        prof = self.profile
        if isinstance(body, (bytes, bytearray, memoryview, str)):
            try:
                body = _loads(body)
            except orjson.JSONDecodeError:
                parse_body(body)  # raises UnusableBody with the one-line reason
        if prof.coercions and isinstance(body, dict):
            body = coerce(body, prof.coercions)
        proven = False
        if self._clean_list is not None and type(body) is dict:
            try:
                proven = self._clean_list[body.get("Type") == 3](body)
            except Exception:  # proves nothing (a value Rust cannot hold): the general path decides
                proven = False
        violations: list[Violation] = []
        if not proven:  # (valid under the clean-list schema is valid under the contract's)
            try:
                if not self._is_valid(body):
                    violations = _schema_violations(self._compiled, body, prof.disabled)
            except ValueError as exc:
                # jsonschema-rs refuses values nested deeper than its recursion limit; no
                # CreateTask body is nested more than four levels, so this is not a request.
                raise UnusableBody(f"the body is nested too deeply: {exc}") from None
        if not isinstance(body, dict):
            return Expectation(prof.name, tuple(violations))
        if violations or not (self._all_rejects and no_reject_findings(body)):
            violations = self._rejects(body, violations)
        if violations:
            return Expectation(prof.name, tuple(violations))
        if proven:  # no phone fails a FailList rule but, maybe, Unique's
            items = repeated_phones(body, prof.disabled, self._phones_are_keys)
        else:
            items = fail_list(body, prof.disabled)
        dry_run = body.get("DryRun") is True
        if not items:  # Expectation is frozen: the clean answer is built once
            return self._clean[dry_run]
        return Expectation(prof.name, (), tuple(items), dry_run)  # positional: cheaper

    def _rejects(self, body: dict[str, Any], violations: list[Violation]) -> list[Violation]:
        """``violations`` with what each reject rule finds on a parameter not yet named."""
        seen = {v.parameter for v in violations}
        for reject in self._reject_rules:
            findings = reject.check(body)
            if not findings:
                continue
            for path, detail in findings:
                name = parameter_name(path)
                if name not in seen:
                    seen.add(name)
                    violations.append(_violation(reject.rule, path, detail))
        return violations


@lru_cache(maxsize=64)
def _cached_validator(profile: Profile) -> RequestValidator:
    return RequestValidator(profile)


def request_validator(
    profile: str | Profile = DOCUMENTED, *, disable: Iterable[str] = ()
) -> RequestValidator:
    """The compiled validator for ``profile`` with the ``disable``d rules switched off.

    Raises ValueError for an unknown profile or rule id.
    """
    return _cached_validator(get_profile(profile).disable(disable))


def validate_request(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any] | Any,
    profile: str | Profile = DOCUMENTED,
    *,
    disable: Iterable[str] = (),
) -> Expectation:
    """What the contract expects for a CreateTask request ``body``.

    ``body`` is the raw bytes (or text) on the wire or an already parsed value.
    Raises UnusableBody when raw input is not JSON, ValueError for an unknown profile
    or rule id.
    """
    return request_validator(profile, disable=disable)(body)
