"""A holder for secret strings that cannot leak through repr, str, format or pickle."""

from __future__ import annotations

import hmac
from typing import NoReturn

__all__ = ["Secret", "reveal"]

_MASK = "********"


class Secret:
    """A secret key or session token.

    Every way Python turns an object into text (``repr``, ``str``, f-strings,
    ``%s``, logging, tracebacks that print locals) goes through ``__repr__``,
    ``__str__`` or ``__format__``, so masking those three keeps the value out of
    logs and error messages. This is deliberately not a ``str`` subclass: a
    subclass would still hand its characters to ``"".join``, ``+`` and the C
    functions that read the buffer directly.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value._value
        if not isinstance(value, str):
            # Say only the type: the value itself may be the secret.
            raise TypeError(f"Secret takes a str, not {type(value).__name__}")
        self._value = value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return format(_MASK, format_spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Equality is used by the signing-key cache; keep it constant-time anyway
        # so that comparing secrets never becomes a timing oracle elsewhere.
        return hmac.compare_digest(
            self._value.encode("utf-8", "surrogatepass"),
            other._value.encode("utf-8", "surrogatepass"),
        )

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        # Pickling would write the value to disk or a pipe in clear text.
        raise TypeError("Secret values cannot be pickled")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: object) -> Secret:
        return self


def reveal(secret: str | Secret) -> str:
    """The clear value (a plain str passes through). Only the signing-key derivation
    and the wire headers call this."""
    return secret._value if isinstance(secret, Secret) else secret
