"""The FailList's whole-list shortcuts give exactly what checking phone by phone gives.

fail_list proves with whole-list tests (one regex pass, orjson mapped over every
PhoneParamJson / SmsParamJson, one truthiness pass over TtsContent) that a rule cannot
fire before it checks phones one by one, and skips the loop when no rule can. The
reference here applies the rules to each phone on its own, in FAIL_ITEM_RULES order.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vmsspec.contract import _python_rules as pr
from vmsspec.contract._validator import request_validator


def reference(body: dict[str, Any], disabled: frozenset[str]) -> list[tuple[int, str]]:
    items = body.get("PhoneList") or []
    unique = body.get("Unique") is True
    tts = body.get("Type") == 3
    seen: set[str] = set()
    out: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        phone = item["Phone"]
        key = pr.number_key(phone)
        checks = [
            (pr.FORMAT, pr.PHONE_PATTERN.fullmatch(phone) is None),
            (pr.DUPLICATE, unique and key in seen),
            (pr.PHONE_PARAM_JSON, pr._not_json_object(item.get("PhoneParamJson"))),
            (pr.SMS_PARAM_JSON, pr._not_json_object(item.get("SmsParamJson"))),
            (pr.TTS_CONTENT, tts and not item.get("TtsContent")),
        ]
        if unique:
            seen.add(key)
        for rule, failed in checks:
            if failed and rule.id not in disabled:
                out.append((index, rule.id))
                break
    return out


json_texts = st.sampled_from([
    '{"code":"1"}', "{}", ' {"a": [1, {"b": null}]} ', "[]", '"text"', "1", "", "{",
    '{"k":"', '"},{"j":1}', '{"a":1},{"b":2}', '{"x":[[', "{}]]}", "null", '{"\\ud800":1}',
])
phones = st.sampled_from(["13800138000", "8613800138000", "+8613800138000", "13900000001",
                          "010123456789", "12345678", "qOUFbQIX0Oo", "13800138000\n"])
item = st.fixed_dictionaries(
    {"Phone": phones},
    optional={"PhoneParamJson": json_texts, "SmsParamJson": json_texts,
              "TtsContent": st.sampled_from(["", "您好"])},
)
clean_item = st.builds(lambda i: {"Phone": f"138{i:08d}", "PhoneParamJson": '{"a":1}',
                                  "TtsContent": "hi"}, st.integers(0, 10**8 - 1))


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    # Mostly clean long lists with a few odd items at random places: the shortcuts'
    # interesting case is one bad value among many good ones.
    items = draw(st.lists(clean_item, min_size=0, max_size=40))
    for odd in draw(st.lists(item, max_size=4)):
        items.insert(draw(st.integers(0, len(items))), odd)
    body: dict[str, Any] = {"PhoneList": items}
    if draw(st.booleans()):
        body["Unique"] = True
    if draw(st.booleans()):
        body["Type"] = 3
    return body


disabled_sets = st.sets(st.sampled_from([r.id for r in pr.FAIL_ITEM_RULES]), max_size=2)


@settings(max_examples=300, deadline=None)
@given(body=bodies(), disabled=disabled_sets)
def test_fail_list_equals_the_phone_by_phone_reference(
        body: dict[str, Any], disabled: set[str]) -> None:
    frozen = frozenset(disabled)
    got = [(f.index, f.rule) for f in pr.fail_list(body, frozen)]
    assert got == reference(body, frozen)


def test_items_that_parse_only_when_joined_are_still_caught() -> None:
    # Two halves of one object, each invalid alone: a joined-array parse would pass them.
    items = [{"Phone": f"138{i:08d}", "PhoneParamJson": '{"a":1}'} for i in range(30)]
    items[10]["PhoneParamJson"] = '{"k":"'
    items[11]["PhoneParamJson"] = '"},{"j":1}'
    found = pr.fail_list({"PhoneList": items}, frozenset())
    assert [(f.index, f.type) for f in found] == [(10, "PARAM_NOT_JSON"), (11, "PARAM_NOT_JSON")]


def test_clean_answers_are_shared_and_still_exact() -> None:
    validate = request_validator()
    body = {"Name": "n", "Resource": "r", "NumberPoolNo": "NP1",
            "StartTime": "2025-06-01 09:00:00", "EndTime": "2025-06-01 18:00:00",
            "Concurrency": 1, "PhoneList": [{"Phone": "13800138000"}]}
    first, second = validate(body), validate(dict(body))
    assert first.ok
    assert first.fail_list == ()
    assert first is second  # the frozen clean Expectation is built once
    dry = validate({**body, "DryRun": True})
    assert dry.dry_run is True
    assert dry.status == 400
    assert validate({**body, "PhoneList": [{"Phone": "12345678"}]}).fail_list[0].type == (
        "INVALID_PHONE_FORMAT")


times = st.sampled_from([
    "2025-06-01 09:00:00", "2025-06-01 18:00:00", "2025-02-30 09:00:00", "2025-6-1 9:00:00",
    "2025-06-01 24:00:00", "", "x",
]) | st.integers(0, 3) | st.none()
windows = st.lists(st.sampled_from(
    ["09:00-10:00", "10:00-09:00", "09:00-09:00", "9:00-10:00", "23:59-00:00", 7]), max_size=3)
forbid = st.lists(st.one_of(st.fixed_dictionaries({"Times": windows}), st.just("w"),
                            st.fixed_dictionaries({"Times": st.just("09:00-10:00")})),
                  max_size=3)


@settings(max_examples=400, deadline=None)
@given(fields=st.fixed_dictionaries({}, optional={"StartTime": times, "EndTime": times,
                                                  "ForbidTimeList": forbid | st.just({})}))
def test_fused_reject_test_is_clean_exactly_when_every_reject_rule_is(
        fields: dict[str, Any]) -> None:
    expected = not any(rule.check(fields) for rule in pr.REJECT_RULES)
    assert pr.no_reject_findings(fields) is expected
