"""Profiles: which reading of the contract to apply where the sources disagree.

A profile is data: coercions applied to the body before validation, patches to the
request schema, and rules switched off. Each difference from ``documented`` names the
erratum it answers, so ``vmsspec errata`` can show the choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

__all__ = [
    "DOCUMENTED", "EXAMPLE_COMPATIBLE", "PROFILES", "SDK_COMPATIBLE", "Profile", "get_profile",
]


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    coercions: tuple[str, ...] = ()
    """Names from ``_coerce.COERCIONS``, applied in order before validation."""
    schema_patches: tuple[tuple[str, object], ...] = ()
    """(JSON pointer into the request schema, new value) pairs."""
    disabled: frozenset[str] = field(default_factory=frozenset)
    """Rule ids that are not checked."""

    def disable(self, rule_ids: Iterable[str]) -> Profile:
        """This profile with more rules switched off (ids are checked by the validator)."""
        extra = frozenset(rule_ids)
        if not extra:
            return self
        return replace(self, disabled=self.disabled | extra)


DOCUMENTED = Profile(
    name="documented",
    description="The seed page's table and descriptions plus the limits known from the "
                "vendor's other pages; where they conflict, the seed wins.",
)

EXAMPLE_COMPATIBLE = Profile(
    name="example-compatible",
    description="documented, but also accepting what the seed's own request example sends: "
                "integers as digit strings (erratum 2), JSON arrays encoded inside strings "
                "(erratum 3), Weekdays 0 (erratum 4) and opaque or encrypted phones (erratum 10).",
    coercions=("integer-strings", "json-array-strings"),
    schema_patches=(("/$defs/ForbidTime/properties/Weekdays/items/minimum", 0),),
    disabled=frozenset({"PhoneList[].Phone:format"}),
)

SDK_COMPATIBLE = Profile(
    name="sdk-compatible",
    description="documented, but also accepting the wire shape of the vendor's hand-written "
                "Go and Java VMS clients (erratum 11): PhoneList items with PhoneParam / "
                "SmsParam objects (read as PhoneParamJson / SmsParamJson), null for an unset "
                "parameter, and the Go client's zero values for unset fields (Resource \"\", "
                "SelectNumberRule 0, ...) read as absent.",
    coercions=("sdk-wire-shape",),
)

PROFILES: dict[str, Profile] = {
    p.name: p for p in (DOCUMENTED, EXAMPLE_COMPATIBLE, SDK_COMPATIBLE)}


def get_profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"unknown profile {profile!r}; known: {', '.join(PROFILES)}"
        ) from None
