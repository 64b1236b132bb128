"""Credentials for a client (one key pair) and for a server (access key -> secret)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ._secret import Secret

__all__ = [
    "ENV_ACCESS_KEY",
    "ENV_SECRET_KEY",
    "ENV_SESSION_TOKEN",
    "CredentialStore",
    "Credentials",
    "CredentialsError",
]

# The names the vendor's own tools read.
ENV_ACCESS_KEY = "VOLC_ACCESSKEY"
ENV_SECRET_KEY = "VOLC_SECRETKEY"  # noqa: S105 -- a variable name, not a password
ENV_SESSION_TOKEN = "VOLC_SESSION_TOKEN"  # noqa: S105


class CredentialsError(ValueError):
    """Credentials are missing or unusable. The message never contains a secret."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """One access key with its secret, and an optional STS session token."""

    access_key: str
    secret_key: Secret
    session_token: Secret | None = None

    def __post_init__(self) -> None:
        if not self.access_key:
            raise CredentialsError("the access key is empty")
        if not isinstance(self.secret_key, Secret):
            object.__setattr__(self, "secret_key", Secret(self.secret_key))
        if not self.secret_key:
            raise CredentialsError("the secret key is empty")
        token = self.session_token
        if token is not None and not isinstance(token, Secret):
            object.__setattr__(self, "session_token", Secret(token) if token else None)
        elif token is not None and not token:
            object.__setattr__(self, "session_token", None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read VOLC_ACCESSKEY, VOLC_SECRETKEY and the optional VOLC_SESSION_TOKEN."""
        env = os.environ if environ is None else environ
        access_key = env.get(ENV_ACCESS_KEY, "")
        secret_key = env.get(ENV_SECRET_KEY, "")
        wanted = ((ENV_ACCESS_KEY, access_key), (ENV_SECRET_KEY, secret_key))
        missing = [name for name, value in wanted if not value]
        if missing:
            raise CredentialsError(f"set {' and '.join(missing)} in the environment")
        token = env.get(ENV_SESSION_TOKEN) or None
        return cls(access_key, Secret(secret_key), Secret(token) if token else None)


class CredentialStore(Mapping[str, Secret]):
    """The server side: which access keys exist and their secrets.

    A plain ``dict[str, str]`` works with the verifier too; this class adds a
    repr that shows only the access keys and turns every secret into a
    :class:`Secret` on the way in.
    """

    __slots__ = ("_secrets",)

    def __init__(
        self,
        entries: Mapping[str, str | Secret] | Iterable[tuple[str, str | Secret]] = (),
    ) -> None:
        self._secrets: dict[str, Secret] = {}
        items = entries.items() if isinstance(entries, Mapping) else entries
        for access_key, secret in items:
            self.add(access_key, secret)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CredentialStore:
        creds = Credentials.from_env(environ)
        return cls([(creds.access_key, creds.secret_key)])

    def add(self, access_key: str, secret_key: str | Secret) -> None:
        if not access_key:
            raise CredentialsError("the access key is empty")
        secret = Secret(secret_key)
        if not secret:
            raise CredentialsError(f"the secret key for {access_key!r} is empty")
        self._secrets[access_key] = secret

    def remove(self, access_key: str) -> None:
        self._secrets.pop(access_key, None)

    def __getitem__(self, access_key: str) -> Secret:
        return self._secrets[access_key]

    def get(self, access_key: str, default: Secret | None = None) -> Secret | None:  # type: ignore[override]
        # The verifier's lookup on every request: the Mapping mixin's get() goes
        # through __getitem__ and a KeyError for an unknown key.
        return self._secrets.get(access_key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._secrets)

    def __len__(self) -> int:
        return len(self._secrets)

    def __repr__(self) -> str:
        return f"CredentialStore(access_keys={sorted(self._secrets)!r})"
