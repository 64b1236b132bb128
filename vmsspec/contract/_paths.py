"""How parameters are named: one convention for violations, rules and reports.

A concrete parameter is dotted, with list indices as numbers: ``PhoneList.3.Phone``
(the form the vendor's own messages use for nested parameters). A rule's parameter
pattern writes ``[]`` for any index: ``PhoneList[].Phone``. The body itself, where a
rule is about the whole object, is ``body``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["BODY", "join", "parameter_name", "parameter_pattern"]

BODY = "body"


def parameter_name(path: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in path)


def parameter_pattern(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += "[]"
        else:
            out = f"{out}.{part}" if out else part
    return out or BODY


def join(parent: str, child: str) -> str:
    """``parent`` (a name or pattern, possibly ``body``) extended by a property."""
    return child if parent in ("", BODY) else f"{parent}.{child}"
