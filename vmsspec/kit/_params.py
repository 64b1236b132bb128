"""The fixed parameters the scenarios send (generated ones come from vmsspec.strategies)."""

from __future__ import annotations

from typing import Any

__all__ = ["EVERY_PARAMETER", "FAIL_LIST", "MINIMAL", "NON_ASCII", "many_phones"]

MINIMAL: dict[str, Any] = {
    "Name": "vmsspec kit", "Resource": "tts-template-1", "NumberPoolNo": "NP123456",
    "StartTime": "2030-06-01 09:00:00", "EndTime": "2030-06-01 18:00:00", "Concurrency": 2,
    "PhoneList": [{"Phone": "13800138000"}],
}

# Every parameter of the seed page's table, each set to a valid value of its own type:
# a client that drops, renames or stringifies any of them is caught by name.
EVERY_PARAMETER: dict[str, Any] = {
    **MINIMAL,
    "Start": False, "FinishWhenListEnd": True, "Unique": True,
    "MaxRingDuration": 20, "RingAgainTimes": 2, "RingAgainInterval": 5,
    "Type": 3, "SelectNumberType": 1, "SelectNumberRule": 5,
    "NumberList": ["13344445555", "13255556666"],
    "PhoneList": [
        {"Phone": "13800138000", "PhoneParamJson": "{\"code\":\"1\"}",
         "SmsParamJson": "{\"code\":\"1\"}", "TtsContent": "hello", "Ext": "a"},
        {"Phone": "13900139000", "TtsContent": "hello"},
    ],
    "SmsConfig": [{"TemplateId": "T1", "Sign": "ABCD", "StatusSet": [0, 1]}],
    "ForbidTimeList": [{"Times": ["12:00-13:00"], "Weekdays": [1, 7]}],
    "CallRecordPostUrl": "https://example.com/cdr",
    "AudioPostUrl": "https://example.com/audio",
}

NON_ASCII: dict[str, Any] = {
    **MINIMAL,
    "Name": "语音通知 · café ✓ 🎉",
    "Type": 3,
    "PhoneList": [{"Phone": "13800138000", "TtsContent": "您好，您的验证码是 1234 ☎", "Ext": "é"}],
    "SmsConfig": [{"TemplateId": "T1", "Sign": "【测试】", "StatusSet": [0]}],
}

# A list the contract answers with two FailList entries (0-based Index, the seed's):
# a malformed phone, and with Unique a repeat of an earlier one.
FAIL_LIST: dict[str, Any] = {
    **MINIMAL, "Unique": True,
    "PhoneList": [{"Phone": "13800138000"}, {"Phone": "12345"}, {"Phone": "13900139000"},
                  {"Phone": "13800138000"}],
}
FAIL_LIST_EXPECTED = ((1, "12345", "INVALID_PHONE_FORMAT"),
                      (3, "13800138000", "REDUPLICATED_ITEM"))


def many_phones(count: int = 10_000) -> dict[str, Any]:
    """MINIMAL with ``count`` distinct valid mobile numbers (10,000: the documented maximum)."""
    return {**MINIMAL, "PhoneList": [{"Phone": f"138{i:08d}"} for i in range(count)]}
