"""The seed page's errata: where it contradicts itself or other sources, and what
vmsspec does about each, per profile. ``vmsspec errata`` prints this table.

Rule ids are the request catalog's (``vmsspec rules``); ``response:`` ids are the
success envelope's; ``auth:`` names are the signature checks, as the mutations of
:func:`vmsspec.strategies.tampered_requests` exercise them.
"""

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
    sdk_compatible: str = "Same as documented."

    def handling(self) -> dict[str, str]:
        """What each profile (by name, as in ``vmsspec.PROFILES``) does about it."""
        return {"documented": self.documented, "example-compatible": self.example_compatible,
                "sdk-compatible": self.sdk_compatible}


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
    Erratum(
        11, "The hand-written SDKs' PhoneList item and unset fields",
        "The vendor's hand-written Go and Java VMS clients send PhoneList items as {Phone, "
        "PhoneParam: object, TtsContent, Ext, SmsParam: object}, not the seed's PhoneParamJson / "
        "SmsParamJson strings; the Go client sends every field its struct has without "
        "omitempty even when unset: null for PhoneParam, SmsParam and the times, \"\" for "
        "Resource, Name, NumberPoolNo, TtsContent, Ext, 0 for Concurrency, SelectNumberRule, "
        "SelectNumberType and Type, false for Unique (the seed allows only SelectNumberRule 5). "
        "Go's encoder also writes <, > and & as \\u003c, \\u003e, \\u0026.",
        ("seed table", "seed example", "Go SDK (volc-sdk-golang service/vms/model.go)",
         "Java SDK (volc-sdk-java vms/request/CreateTaskRequest.java, PhoneParam.java)"),
        ("PhoneList[]:additionalProperties", "Resource:minLength", "Name:minLength",
         "NumberPoolNo:minLength", "Concurrency:minimum", "SelectNumberRule:const",
         "StartTime:type", "EndTime:type", "PhoneList:type", "ForbidTimeList[].Times:type",
         "PhoneList[].PhoneParamJson:json-object", "PhoneList[].SmsParamJson:json-object"),
        "The seed's shape, field by field: PhoneParam and SmsParam are unknown parameters "
        "(InvalidParameter PhoneList.N.PhoneParam, rule PhoneList[]:additionalProperties), "
        "null included; null for any other parameter is a wrong type (InvalidParameter, rule "
        "<parameter>:type); Resource, Name or NumberPoolNo \"\" is InvalidParameter "
        "(:minLength); Concurrency 0 is InvalidParameter (:minimum); SelectNumberRule 0 is "
        "InvalidParameter (:const, only 5). Accepted as they are: Type 0 (audio file), "
        "SelectNumberType 0 (whole pool), Unique false, TtsContent \"\" and Ext \"\" (an empty "
        "TtsContent with Type 3 is the FailList's TTS_EMPTY_CONTENT), Phone \"\" (FailList "
        "INVALID_PHONE_FORMAT), and the \\u003c escapes (JSON escapes of the same characters). "
        "So the Go client's default request is refused with InvalidParameter naming "
        "PhoneList.0.PhoneParam, PhoneList.0.SmsParam or SelectNumberRule.",
        "Same as documented.",
        "The SDKs' shape means what they mean by it: a PhoneParam / SmsParam object is that "
        "phone's PhoneParamJson / SmsParamJson (so PARAM_NOT_JSON cannot happen; a non-object, "
        "or PhoneParam beside PhoneParamJson, is still an unknown parameter); null is an "
        "absent parameter, at the top level and in PhoneList, ForbidTimeList and SmsConfig "
        "items; the Go zero values Resource \"\", Name \"\", NumberPoolNo \"\", "
        "Concurrency 0 and SelectNumberRule 0 are absent (a required one is then "
        "MissingParameter); every other value is checked as documented. A request shaped "
        "exactly as the Go or Java client serializes it, with the required fields set, passes.",
    ),
    Erratum(
        12, "Headers the signature covers",
        "The seed's Authorization example signs host;x-content-sha256;x-date, but official "
        "SDKs sign as little as x-date (the generated Java SDK) and some send no "
        "X-Content-Sha256 header at all (generated Java, hand-written PHP, C++).",
        ("seed example", "official SDK signers (volc-sdk-golang base/sign.go, volcengine-java-sdk "
         "sign/VolcstackSign.java, volc-sdk-php src/Base/SignatureV4.php, volcengine-cpp-sdk)"),
        ("auth:dropped-signed-header", "auth:signed-header-value", "auth:body-byte"),
        "Not a body rule: every profile verifies the SignedHeaders the request declares, "
        "only x-date must be among them; X-Content-Sha256, when sent, must be the received "
        "body's hash, and when absent the server's own hash goes into the canonical request.",
        "Same as documented.",
        "Same as documented.",
    ),
    Erratum(
        13, "Credential-scope region",
        "The seed's example scope says cn-beijing; the older SDKs' VMS clients (Python, "
        "hand-written Go, Java and PHP) sign for cn-north-1.",
        ("seed example", "older Python SDK", "Go SDK (service/vms/config.go)"),
        ("auth:scope-region",),
        "Not a body rule: the reference service accepts both cn-beijing and cn-north-1 "
        "(ReferenceService(regions=...), vmsspec serve --region to change it); any other "
        "region is SignatureDoesNotMatch naming the region.",
        "Same as documented.",
        "Same as documented.",
    ),
)
