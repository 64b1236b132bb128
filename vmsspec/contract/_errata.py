"""The seed page's errata: where it contradicts itself or other sources, and what
vmsspec does about each, per profile. ``vmsspec errata`` prints this table."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ERRATA", "Erratum"]


@dataclass(frozen=True)
class Erratum:
    number: int
    title: str
    conflict: str
    sources: tuple[str, ...]
    rules: tuple[str, ...]
    """Rule ids this erratum touches (response rules are prefixed ``response:``)."""
    documented: str
    example_compatible: str


ERRATA: tuple[Erratum, ...] = (
    Erratum(
        1, "Required column is empty",
        "The seed's 是否必填 column is blank for every parameter.",
        ("seed table", "vendor page (older CreateTask page)", "SDK model (newer SDK)"),
        ("Name:required", "Resource:required", "NumberPoolNo:required", "StartTime:required",
         "EndTime:required", "Concurrency:required"),
        "Required: Name, Resource, NumberPoolNo, StartTime, EndTime, Concurrency (older vendor "
        "page). The newer SDK does not require Resource: `--disable Resource:required`.",
        "Same as documented.",
    ),
    Erratum(
        2, "Integers sent as strings",
        "The request example sends MaxRingDuration \"20\" and RingAgainTimes \"0\"; the table "
        "says Integer.",
        ("seed table", "seed example"),
        ("MaxRingDuration:type", "RingAgainTimes:type"),
        "A string is InvalidParameter.",
        "A digit string is read as the integer it spells, then checked against the bounds.",
    ),
    Erratum(
        3, "JSON arrays inside strings",
        "The example sends NumberList [\"[\\\"133...\\\",\\\"132...\\\"]\"] and Times "
        "[\"[\\\"09:00-10:00\\\",...]\"]: an encoded array inside one string item.",
        ("seed table example", "seed example"),
        ("NumberList[]:pattern", "ForbidTimeList[].Times[]:pattern"),
        "Such an item is InvalidParameter (NumberList) or ForbidTimeParseFail (Times).",
        "A string item holding a JSON array of strings is replaced by those strings.",
    ),
    Erratum(
        4, "Weekdays numbering",
        "The example uses Weekdays 0 and 3; the vendor's UpdateTask page and Go SDK say 1..7 "
        "with 1 = Sunday.",
        ("seed example", "vendor page (UpdateTask)", "Go SDK comment"),
        ("ForbidTimeList[].Weekdays[]:minimum",),
        "1..7; 0 is InvalidParameter.",
        "0..7 accepted (0 read as the seed's example has it; its meaning is undocumented).",
    ),
    Erratum(
        5, "RingAgainTimes maximum",
        "The seed says at most 5 redials; the Go SDK's comment says 3.",
        ("seed description", "Go SDK comment"),
        ("RingAgainTimes:maximum",),
        "At most 5 (the seed wins).",
        "At most 5.",
    ),
    Erratum(
        6, "Scheme in the Host header",
        "The request example shows `Host: https://cloud-vms.volcengineapi.com`.",
        ("seed example", "vendor signing page"),
        (),
        "Not a body rule: the signer and the reference service use the bare host name, as "
        "both official SDKs send it.",
        "Same as documented.",
    ),
    Erratum(
        7, "StartTime equals EndTime",
        "The example sends the same StartTime and EndTime.",
        ("seed example",),
        ("EndTime:not-before-start",),
        "EndTime may equal StartTime; only an EndTime before StartTime is InvalidParameter.",
        "Same as documented.",
    ),
    Erratum(
        8, "ClientToken and DryRun have no parameter",
        "The error table has IdempotentParameterMismatch (same ClientToken) and "
        "DryRunOperation, but the parameter table lists neither.",
        ("seed error table", "seed table"),
        ("ClientToken:type", "ClientToken:minLength", "ClientToken:maxLength", "DryRun:type"),
        "Accepted as vmsspec extensions: ClientToken (string, 1..64) and DryRun (boolean).",
        "Same as documented.",
    ),
    Erratum(
        9, "Placeholder FailList Type",
        "The response example's FailList Type is \"zSDuDyJ\", not a documented type.",
        ("seed response example", "vms page (FailList types)"),
        ("response:Result.FailList[].Type:enum",),
        "The response schema allows only the documented types: the example is reported at "
        "/Result/FailList/0/Type (its Desc 重复项目 says REDUPLICATED_ITEM was meant).",
        "Same as documented.",
    ),
    Erratum(
        10, "Phone that is not a phone number",
        "The example's Phone is \"qOUFbQIX0Oo\" (an encrypted number?) and the table's is "
        "\"12345678\".",
        ("seed example", "seed table", "vms page (DECRYPTION_ERROR)"),
        ("PhoneList[].Phone:format",),
        "Such a phone is listed in FailList as INVALID_PHONE_FORMAT; the request succeeds.",
        "The format rule is off: opaque (encrypted) phone strings are accepted.",
    ),
)
