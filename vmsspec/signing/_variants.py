"""The other canonical forms official SDKs give the same request (FACTS section 7).

The verifier first builds the canonical request the way the older Python SDK does
(the project's reference signer). Only when that fails does it try the forms below,
one dimension at a time and then combined, each labelled with the SDKs that produce
it so that ``Verification.explain()`` can tell a client author what was tried.

Every form still covers the same request: a variant only changes how a part is
spelled (order of repeated query keys, whitespace inside a header value, a default
port), never which parts are signed. Accepting any of them therefore authenticates
the same method, path, query, declared headers and body.

Sources (read from each SDK, 2026-12; see FACTS section 7):
- query ordered by the encoded (key, value) pairs: newer Python SDK
  (``volcengine-python-sdk``, ``SignerV4``);
- query by raw key, a repeated key's values sorted by their encoded form: Node.js
  ``@volcengine/openapi`` (``src/base/sign.ts``, ``queryParamsToString``) and the
  generated Node.js SDK (``packages/sdk-core/src/utils/signer.ts``);
- query by raw key, a repeated key's values sorted raw: PHP (``volc-sdk-php``,
  ``src/Base/SignatureV4.php``, ``getCanonicalizedQuery``);
- path as given, not re-encoded: newer Python SDK; Node.js ``sign.ts`` (``pathname``);
- header values trimmed: Go (``volc-sdk-golang`` ``base/sign.go``, ``strings.TrimSpace``)
  and Java (``volc-sdk-java`` ``SignerV4Impl.java``, ``String.trim``);
- header values with whitespace runs collapsed to one space and trimmed: Node.js
  (``canonicalHeaderValues``) and PHP (``preg_replace('/\\s+/', ' ', ...)`` on values
  Guzzle has already trimmed);
- Host signed with the default port it was sent with (a client that does not drop
  ``:80``/``:443`` before signing, as the older SDKs do).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import product

from . import _canonical as c

__all__ = ["Form", "combined", "header_blocks", "path_forms", "query_forms"]

Form = tuple[str, str]
"""(label, text): the label names the SDKs that produce the text; "" for the reference."""

# What the trimming SDKs strip and the collapsing ones fold, limited to the characters
# a Latin-1-decoded header value can hold: ASCII whitespace (Java's trim, Go's
# TrimSpace, PCRE's \s) and NO-BREAK SPACE (JavaScript's \s and trim()).
_WHITESPACE = "\t\n\v\f\r \xa0"
_whitespace_run = re.compile("[" + _WHITESPACE + "]+")

_ENCODED_ORDER = "query ordered by encoded pair (newer Python SDK)"
_VALUES_ENCODED = "repeated query values sorted encoded (Node.js SDKs)"
_VALUES_RAW = "repeated query values sorted raw (PHP SDK)"
_PATH_AS_GIVEN = "path as given (newer Python SDK, Node.js SDK)"
_TRIMMED = "header values trimmed (Go, Java SDKs)"
_COLLAPSED = "header values whitespace-collapsed (Node.js, PHP SDKs)"
_HOST_PORT = "Host with its default port"


def _distinct(forms: Iterator[Form] | Sequence[Form]) -> list[Form]:
    seen: set[str] = set()
    out: list[Form] = []
    for label, text in forms:
        if text not in seen:
            seen.add(text)
            out.append((label, text))
    return out


def query_forms(pairs: Sequence[tuple[str, str]], first: str) -> list[Form]:
    """The canonical query lines of ``pairs``, ``first`` (the reference line) first."""
    forms = [("", first), (_ENCODED_ORDER, c.canonical_query(pairs, encoded_order=True))]
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        enc = c.encode_query_component
        grouped: dict[str, list[str]] = {}
        for key, value in pairs:
            grouped.setdefault(key, []).append(value)
        for label, sort_key in ((_VALUES_ENCODED, enc), (_VALUES_RAW, None)):
            parts = []
            for key in sorted(grouped):
                values = sorted(grouped[key], key=sort_key)
                parts += [enc(key) + "=" + enc(v) for v in values]
            forms.append((label, "&".join(parts)))
    return _distinct(forms)


def path_forms(path: str) -> list[Form]:
    """The canonical path (reference), then the path as given."""
    return _distinct([("", c.encode_path(path)), (_PATH_AS_GIVEN, path or "/")])


def _trimmed(value: str) -> str:
    return value.strip(_WHITESPACE)


def _collapsed(value: str) -> str:
    return _whitespace_run.sub(" ", value).strip(_WHITESPACE)


def header_blocks(names: Sequence[str], index: Mapping[str, str], first: str) -> list[Form]:
    """Header blocks for the declared ``names``, ``first`` (the reference block) first.

    Every declared header is known to be present once (the caller checked).
    """
    forms: list[Form] = [("", first)]
    value_forms = (("", None), (_TRIMMED, _trimmed), (_COLLAPSED, _collapsed))
    for (v_label, fold), keep_port in product(value_forms, (False, True)):
        lines = []
        for name in names:
            lower = name.lower()
            value = index[lower]
            if fold is not None:
                value = fold(value)
            if lower == "host" and not keep_port:
                value = c.canonical_host(value)
            lines.append(f"{name}:{value}\n")
        label = "; ".join(x for x in (v_label, _HOST_PORT if keep_port else "") if x)
        forms.append((label, "".join(lines)))
    return _distinct(forms)


def combined(*dimensions: Sequence[Form]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every combination of one form per dimension, the all-reference one first.

    Yields (label, texts) with the labels of the non-reference forms joined by "; ".
    """
    for choice in product(*dimensions):
        label = "; ".join(lbl for lbl, _ in choice if lbl)
        yield label, tuple(text for _, text in choice)
