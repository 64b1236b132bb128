"""Example bodies bundled with vmsspec.

``seed-request`` and ``seed-response`` are the contract page's own examples, verbatim
(errata included); ``example-request`` is a corrected request that is valid under the
documented profile and shows one FailList outcome (a repeated phone with Unique true).
"""

from __future__ import annotations

from importlib import resources

__all__ = ["EXAMPLES", "example_bytes"]

EXAMPLES = ("example-request", "seed-request", "seed-response")


def example_bytes(name: str = "example-request") -> bytes:
    if name not in EXAMPLES:
        raise KeyError(f"unknown example {name!r}; known: {', '.join(EXAMPLES)}")
    return resources.files("vmsspec").joinpath("_data").joinpath(f"{name}.json").read_bytes()
