"""Valid CreateTask bodies, built from six Hypothesis draws.

A body is decided by a handful of integers, drawn by Hypothesis in this order and so shrunk
by it:

- ``plan``: which FailList outcomes to provoke (0, and the lower half: none), among
  those the mask allows (PhoneList present; Unique for repeats, Type for TTS);
- ``mask``: which optional parameters are present (one bit each, drawn in chunks of
  MASK_CHUNK bits; 0 = none);
- ``size``: the PhoneList length, through ``_text.SIZE_TIERS`` (0 = the shortest);
- ``seed``: every other value, from a ``random.Random`` (0 = the simple values).

Drawing every value through Hypothesis would cost tens of microseconds per value and
overflow its choice budget on a 10,000-phone list; six draws keep generation fast
while shrinking still removes parameters, phones, planned failures and fancy values.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import orjson
from hypothesis import strategies as st

from ..contract._coerce import SDK_OBJECT_FIELDS, SDK_UNSET_VALUES, _integer_properties
from ..contract._model import Rule
from ..contract._python_rules import (
    DUPLICATE,
    FAIL_ITEM_RULES,
    FORMAT,
    PHONE_PARAM_JSON,
    PHONE_PATTERN,
    SMS_PARAM_JSON,
    TTS_CONTENT,
)
from ._spec import Node, Spec, UnsupportedSchema
from ._text import SIZE_SCALE, Gen, format_datetime, pattern_builder, skewed_size

__all__ = [
    "MASK_CHUNK", "PLAN_SCALE", "BodyBuilder", "bad_phones", "field_of", "same_number",
]

MASK_CHUNK = 6
"""Optional parameters are switched on by several 6-bit draws rather than one wide one:
Hypothesis favours small integers so strongly (median about 300 for a 17-bit draw) that
the parameters on the high bits of a single mask would almost never appear."""

PLAN_SCALE = 64
"""Plan draws are integers in ``range(PLAN_SCALE)``: the lower half provokes no failure,
the upper half's low five bits pick the FailList rules to provoke."""
_PLAN_FROM = PLAN_SCALE // 2

# The schema names these conditional rules itself (x-rule); the contract has no
# constant for them.
NUMBERS_REQUIRED = "NumberList:required-when-SelectNumberType-1"
NUMBERS_MIN = "NumberList:minItems-when-SelectNumberType-1"


def field_of(rule: Rule) -> str:
    """The phone field a FailList rule is about: ``TtsContent`` for ``PhoneList[].TtsContent``."""
    return rule.parameter.rpartition(".")[2]


_FAIL_RULES = {rule.id: rule for rule in FAIL_ITEM_RULES}
_JSON_FIELDS = {field_of(rule): rule.id for rule in (PHONE_PARAM_JSON, SMS_PARAM_JSON)}
_TTS_FIELD = field_of(TTS_CONTENT)

# Phones the seed itself sends (erratum 10) and near misses of a valid number.
_BAD_PHONE_CANDIDATES = (
    "12345678", "qOUFbQIX0Oo", "", "1380013800", "23800138000", "138001380001",
    "１３８００１３８０００", "13800138000\n", " 13800138000", "+8613800138000x", "+87138001380",
    "0012345678", "12" * 32, "1" * 65,
)
# Not JSON objects: arrays, scalars, broken syntax, Python's repr of a dict.
BAD_JSON = ("[1, 2]", "{not json", "", "null", '"text"', "1", "true", '{"a":1}}', "{'a': 1}")


def same_number(phone: str, r: random.Random) -> str:
    """``phone`` again, sometimes written with the country code (one number for Unique)."""
    mobile = len(phone) == 11 and phone[0] == "1" and PHONE_PATTERN.fullmatch(phone)
    if mobile and r.random() < 0.4:
        return r.choice(("86", "+86")) + phone
    return phone


def bad_phones(max_length: int) -> tuple[str, ...]:
    """Strings the format rule refuses that still fit ``Phone:maxLength``."""
    return tuple(p for p in _BAD_PHONE_CANDIDATES
                 if len(p) <= max_length and PHONE_PATTERN.fullmatch(p) is None)


@dataclass(frozen=True)
class _Field:
    name: str
    required: bool
    make: Callable[[Gen], Any]


class BodyBuilder:
    """Builds valid bodies of one profile; everything schema-derived is computed once."""

    def __init__(
        self,
        spec: Spec,
        *,
        max_phones: int | None = None,
        fail_items: bool = True,
        always: Collection[str] = (),
        never: Collection[str] = (),
        dry_run: bool = False,
        client_tokens: bool = False,
        sdk_forms: bool = True,
    ) -> None:
        self.spec = spec
        self.sdk_forms = sdk_forms
        self.dry_run = dry_run
        self.client_tokens = client_tokens
        body = spec.body
        unknown = sorted((set(always) | set(never)) - set(body.properties))
        if unknown:
            raise ValueError(f"unknown parameter(s): {', '.join(unknown)}")
        required_left_out = sorted(set(never) & body.required)
        if required_left_out:
            raise ValueError(f"required parameter(s) cannot be left out of a valid body: "
                             f"{', '.join(required_left_out)} (see invalid_bodies)")
        both = sorted(set(always) & set(never))
        if both:
            raise ValueError(f"parameter(s) both always and never present: {', '.join(both)}")
        self.always = frozenset(always)
        self.never = frozenset(never)
        self.optional = spec.optional
        phones = spec.node("PhoneList")
        self.phones_max = int(phones.get("maxItems", 10_000))
        if max_phones is not None:
            if max_phones < 1:
                raise ValueError("max_phones must be at least 1")
            self.phones_max = min(self.phones_max, max_phones)
        self.phone_max_length = int(spec.node("PhoneList[].Phone").get("maxLength", 64))
        self.format_enabled = spec.enabled(FORMAT.id)
        self.bad_phones = bad_phones(self.phone_max_length)
        # Ids in FAIL_ITEM_RULES order: bit i of a plan picks fail_rules[i].
        self.fail_rules = tuple(
            rule.id for rule in FAIL_ITEM_RULES
            if fail_items and spec.enabled(rule.id) and (rule is not FORMAT or self.bad_phones)
        )
        self.type_enum: list[int] = list(spec.node("Type").get("enum", []))
        self.item_fields = self._item_fields(spec.node("PhoneList[]"))
        # Keyed by parameter pattern (a top-level parameter's pattern is its name). The
        # top-level makers are built now so that an unsupported schema is refused here;
        # nested ones on first use by make().
        self.makers: dict[str, Callable[[Gen], Any]] = {
            name: self._maker(body.child(name)) for name in body.properties
            if name not in ("StartTime", "EndTime", "PhoneList", "NumberList")
        }
        self.numbers_min = int(spec.value(NUMBERS_MIN, 1)) if spec.enabled(NUMBERS_MIN) else 0
        self.numbers_required = spec.enabled(NUMBERS_REQUIRED)
        for name in ("StartTime", "EndTime"):
            pattern_builder(spec.node(name))  # refuses a changed pattern up front
        pattern_builder(spec.node("NumberList[]"))

    # -- schema-driven makers -------------------------------------------------------

    def make(self, pattern: str, gen: Gen, *, tts: bool = False) -> Any:
        """A valid value for any parameter pattern (``SmsConfig[].StatusSet``, ...)."""
        if pattern == "PhoneList":
            return self._phone_list(gen, gen.r.randrange(SIZE_SCALE), frozenset(), tts)
        if pattern == "PhoneList[]":
            return self._phone_list(gen, 0, frozenset(), tts)[0]
        if pattern == "NumberList":
            return self._numbers(gen, True)
        maker = self.makers.get(pattern)
        if maker is None:
            maker = self.makers[pattern] = self._maker(pattern)
        return maker(gen)

    def _maker(self, pattern: str) -> Callable[[Gen], Any]:
        """A function building a valid value for ``pattern`` from a Gen."""
        node = self.spec.node(pattern)
        kind = node.type
        if kind == "string":
            if "pattern" in node.keywords:
                build = pattern_builder(node)
                return lambda gen: build(gen, node)
            return gen_text(node)
        if kind == "integer":
            return lambda gen: gen.node_integer(node)
        if kind == "boolean":
            return lambda gen: not gen.simple and gen.r.random() < 0.5
        if kind == "array":
            return self._array_maker(node)
        if kind == "object":
            return self._object_maker(node)
        raise UnsupportedSchema(f"{pattern}: no generator for type {kind!r}")

    def _array_maker(self, node: Node) -> Callable[[Gen], Any]:
        item_node = self.spec.node(node.items)
        make_item = self._maker(node.items)
        lo = int(node.get("minItems", 0))
        hi = int(node.get("maxItems", lo + 20))
        if node.get("uniqueItems") and item_node.type == "integer" and "enum" not in (
                item_node.keywords):
            first = int(item_node.get("minimum", 0))
            span = range(first, int(item_node.get("maximum", first + 100)) + 1)

            def unique_integers(gen: Gen) -> list[int]:
                n = gen.small_size(lo, min(hi, len(span)))
                return list(span[:n]) if gen.simple else gen.r.sample(span, n)

            return unique_integers
        if node.get("uniqueItems"):
            def unique_items(gen: Gen) -> list[Any]:
                n = gen.small_size(lo, hi)
                out: dict[bytes, Any] = {}
                for _ in range(4 * n + 4):
                    if len(out) >= n:
                        break
                    value = make_item(gen)
                    out.setdefault(orjson.dumps(value), value)
                return list(out.values())

            return unique_items
        return lambda gen: [make_item(gen) for _ in range(gen.small_size(lo, hi))]

    def _object_maker(self, node: Node) -> Callable[[Gen], dict[str, Any]]:
        fields = [
            _Field(name, name in node.required, self._maker(node.child(name)))
            for name in node.properties
        ]

        def make(gen: Gen) -> dict[str, Any]:
            return {f.name: f.make(gen) for f in fields
                    if f.required or (not gen.simple and gen.r.random() < 0.5)}

        return make

    def _item_fields(self, item: Node) -> list[tuple[str, int, bool]]:
        """(name, maxLength, must be a JSON object) of each optional phone field."""
        out = []
        for name in item.properties:
            if name == "Phone":
                continue
            node = self.spec.node(item.child(name))
            if node.type != "string" or "pattern" in node.keywords or name in item.required:
                raise UnsupportedSchema(f"{node.pattern}: phone fields are optional strings")
            json_rule = _JSON_FIELDS.get(name)
            out.append((name, int(node.get("maxLength", 4096)),
                        json_rule is not None and self.spec.enabled(json_rule)))
        return out

    # -- the body ----------------------------------------------------------------------

    def draws(self) -> st.SearchStrategy[tuple[int, ...]]:
        """The draws described in the module docstring: plan, mask chunks, size, seed."""
        chunks = (len(self.optional) + MASK_CHUNK - 1) // MASK_CHUNK
        return st.tuples(
            st.integers(0, PLAN_SCALE - 1),
            *(st.integers(0, (1 << MASK_CHUNK) - 1) for _ in range(chunks)),
            st.integers(0, SIZE_SCALE - 1),
            st.integers(0, 2**32 - 1),
        )

    def build_from(self, draws: tuple[int, ...]) -> dict[str, Any]:
        plan, *masks, size, seed = draws
        mask = sum(m << (MASK_CHUNK * i) for i, m in enumerate(masks))
        return self.build(plan, mask, size, seed)

    def strategy(self) -> st.SearchStrategy[dict[str, Any]]:
        return self.draws().map(self.build_from)

    def build(self, plan: int, mask: int, size: int, seed: int) -> dict[str, Any]:
        gen = Gen(seed)
        r = gen.r
        present = set(self.spec.body.required) | self.always
        present.update(name for i, name in enumerate(self.optional) if mask >> i & 1)
        present -= self.never
        planned = self._plan(plan, present)
        # The plan must not shift the seed's stream: then shrinking the plan away
        # leaves every other value as it was.
        fail_seed = r.getrandbits(64)
        out: dict[str, Any] = {}
        type_value = None
        if "Type" in present:
            type_value = gen.node_integer(self.spec.node("Type"))
            if TTS_CONTENT.id in planned:
                type_value = 3
        select = None
        if "SelectNumberType" in present:
            select = self.makers["SelectNumberType"](gen)
            if select == 1 and self.numbers_required and "NumberList" not in self.never:
                present.add("NumberList")
        start, end = gen.datetime_pair()
        for name in self.spec.body.properties:
            if name not in present:
                continue
            if name == "StartTime":
                out[name] = format_datetime(start)
            elif name == "EndTime":
                out[name] = format_datetime(end)
            elif name == "Type":
                out[name] = type_value
            elif name == "SelectNumberType":
                out[name] = select
            elif name == "Unique" and DUPLICATE.id in planned:
                out[name] = True
            elif name == "NumberList":
                out[name] = self._numbers(gen, select == 1)
            elif name == "PhoneList":
                out[name] = self._phone_list(gen, size, planned, type_value == 3, fail_seed)
            else:
                out[name] = self.makers[name](gen)
        if "DryRun" in out and not self.dry_run:
            out["DryRun"] = False
        if self.spec.coercions and r.random() < 0.3:
            self._lenient_forms(gen, out)
        if "ClientToken" in out and not self.client_tokens:
            out["ClientToken"] = self._token_for(out)
        return out

    def _token_for(self, body: dict[str, Any]) -> str:
        """A ClientToken that is the same only for the same body.

        Two bodies sharing a token would be IdempotentParameterMismatch; a token derived
        from the rest of the body makes a repeat the same request (answered with the same
        task), and stays reproducible, unlike a fresh random token per call.
        """
        rest = {k: v for k, v in body.items() if k != "ClientToken"}
        digest = hashlib.sha256(orjson.dumps(rest, option=orjson.OPT_SORT_KEYS)).hexdigest()
        node = self.spec.node("ClientToken")
        lo, hi = int(node.get("minLength", 1)), int(node.get("maxLength", 64))
        return digest[:max(lo, min(hi, 32))]

    def _plan(self, plan: int, present: set[str]) -> frozenset[str]:
        """The FailList rules to provoke, among those whose parameters the mask put in.

        A plan never adds a parameter: if it could, the shrinker would trade a mask
        bit for a planned failure and stop at a body that is not minimal.
        """
        if plan < _PLAN_FROM or not self.fail_rules or "PhoneList" not in present:
            return frozenset()
        bits = plan - _PLAN_FROM
        planned = {rid for i, rid in enumerate(self.fail_rules) if bits >> i & 1}
        if "Unique" not in present:
            planned.discard(DUPLICATE.id)
        if "Type" not in present or 3 not in self.type_enum:
            planned.discard(TTS_CONTENT.id)
        return frozenset(planned)

    def _numbers(self, gen: Gen, required: bool) -> list[str]:
        node = self.spec.node("NumberList")
        lo = max(int(node.get("minItems", 0)), self.numbers_min if required else 0)
        hi = int(node.get("maxItems", 1000))
        return gen.caller_numbers(gen.size(lo, hi))

    def _phone_list(self, gen: Gen, size: int, planned: frozenset[str],
                    tts: bool, fail_seed: int = 0) -> list[dict[str, Any]]:
        n = skewed_size(size, 1, self.phones_max)
        empty = gen.chance(0.02)
        if empty and size and not planned:
            return []  # valid: the schema sets no minimum
        r = gen.r
        items = [{"Phone": p} for p in self._phones(gen, n)]
        tts_required = tts and self.spec.enabled(TTS_CONTENT.id)
        for name, max_length, json_object in self.item_fields:
            must = name == _TTS_FIELD and tts_required
            skip = gen.simple or r.random() < 0.4
            if skip and not must:
                continue
            if json_object:
                pool = [gen.json_object(max_length) for _ in range(1 + r.randrange(4))]
            else:
                pool = [gen.text(1 if must else 0, max_length) for _ in range(1 + r.randrange(4))]
            step = 1 if must or r.random() < 0.5 else 2 + r.randrange(4)
            k = len(pool)
            for i in range(0, n, step):
                items[i][name] = pool[i % k]
        if planned:
            self._provoke(random.Random(fail_seed), items, planned)  # noqa: S311
        return items

    def _phones(self, gen: Gen, n: int) -> list[str]:
        """``n`` distinct phones: valid mainland numbers, or opaque when that rule is off.

        Each phone is a prefix plus a distinct 8-digit counter, and no two prefixes of
        different forms can make the same string (the forms differ in length or first
        character), so the list never repeats by accident.
        """
        if gen.simple:
            return [f"138{i:08d}" for i in range(n)]
        r = gen.r
        digits = "0123456789"
        mobiles = [f"1{r.choice('3456789')}{r.choice(digits)}" for _ in range(3)]
        if r.random() < 0.6:
            prefixes = mobiles
        else:
            a, b, c = (r.choice("123456789") for _ in range(3))
            prefixes = [*mobiles, f"86{mobiles[0]}", f"+86{mobiles[1]}", f"0{a}", f"0{a}{b}",
                        f"0{a}{b}{c}"]
        if not self.format_enabled and r.random() < 0.5:
            opaque = "".join(r.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", k=8))
            prefixes = [*prefixes, opaque] if r.random() < 0.5 else [opaque]
        k = len(prefixes)
        offset, stride = r.randrange(10**8), r.choice((1, 3, 7, 11, 13, 1234567))
        return [f"{prefixes[i % k]}{(offset + i * stride) % 100_000_000:08d}" for i in range(n)]

    def _provoke(self, r: random.Random, items: list[dict[str, Any]],
                 planned: frozenset[str]) -> None:
        """Give each planned rule phones of its own, so no outcome hides another.

        A phone is listed once, for the first rule it fails; rules share no phone, in a
        random order, so on a short list each planned outcome has the same chance.
        """
        free = list(range(len(items)))
        r.shuffle(free)
        order = sorted(planned)
        r.shuffle(order)
        for rid in order:
            rule = _FAIL_RULES[rid]
            field = field_of(rule)
            if rule is DUPLICATE:
                if len(free) < 2:
                    continue
                source, target = sorted((free.pop(), free.pop()))
                items[target][field] = same_number(items[source][field], r)
                continue
            mine = [free.pop() for _ in range(min(len(free), 1 + r.randrange(3)))]
            for i in mine:
                if rule is FORMAT:
                    items[i][field] = r.choice(self.bad_phones)
                elif rule is TTS_CONTENT:
                    if r.random() < 0.5:
                        items[i].pop(field, None)
                    else:
                        items[i][field] = ""
                else:
                    items[i][field] = r.choice(BAD_JSON)

    def _lenient_forms(self, gen: Gen, body: dict[str, Any]) -> None:
        """What a lenient profile's coercions accept: digit strings, packed JSON arrays,
        the hand-written SDKs' wire shape."""
        r = gen.r
        if self.sdk_forms and "sdk-wire-shape" in self.spec.coercions:
            _sdk_forms(gen, body, self.optional)
        if "integer-strings" in self.spec.coercions:
            # Exactly the parameters the coercion turns back into integers.
            for name in _integer_properties():
                value = body.get(name)
                if type(value) is int and r.random() < 0.5:
                    body[name] = str(value)
        if "json-array-strings" in self.spec.coercions:
            numbers = body.get("NumberList")
            if isinstance(numbers, list) and len(numbers) >= 2:
                body["NumberList"] = _pack(gen, numbers)
            for window in body.get("ForbidTimeList") or ():
                if len(window["Times"]) >= 2 and r.random() < 0.5:
                    window["Times"] = _pack(gen, window["Times"])


def _sdk_forms(gen: Gen, body: dict[str, Any], optional: tuple[str, ...]) -> None:
    """Erratum 11: the Go client's nulls and zero values for what is unset, and the Go and
    Java clients' PhoneParam / SmsParam objects in place of the JSON strings."""
    r = gen.r
    for name in optional:
        if name not in body and r.random() < 0.3:
            body[name] = SDK_UNSET_VALUES.get(name)
    json_names = {seed: sdk for sdk, seed in SDK_OBJECT_FIELDS.items()}
    for item in body.get("PhoneList") or ():
        for seed_name, sdk_name in json_names.items():
            if seed_name not in item:
                if r.random() < 0.3:
                    item[sdk_name] = None
                continue
            try:
                decoded = orjson.loads(item[seed_name])
            except orjson.JSONDecodeError:
                continue  # a planned PARAM_NOT_JSON: only the JSON-string shape can say it
            if isinstance(decoded, dict) and r.random() < 0.7:
                del item[seed_name]
                item[sdk_name] = decoded


def _pack(gen: Gen, items: list[str]) -> list[str]:
    """Items with a run of them JSON-encoded into one string, as the seed example does."""
    i = gen.r.randrange(len(items) - 1)
    j = gen.r.randrange(i + 2, len(items) + 1)
    return [*items[:i], orjson.dumps(items[i:j]).decode(), *items[j:]]


def gen_text(node: Node) -> Callable[[Gen], str]:
    return lambda gen: gen.node_text(node)
