"""The object the ``vms`` and ``vms_server`` fixtures hand a test, usable without pytest too."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._endpoint import DEFAULT_HOST, DEFAULT_REGION
from ..service import TEST_ACCESS_KEY, TEST_SECRET_KEY, Exchange, NonConformantRequests, Task
from ..signing import Secret
from ..signing._secret import reveal
from ._failures import describe_failures
from ._observed import ObservedService, answer_httpx, make_transport

if TYPE_CHECKING:  # pragma: no cover - types only
    import httpx

    from ..adapters.httpx_auth import VolcSignatureAuth

__all__ = ["Vms", "VmsConfig"]


@dataclass(frozen=True)
class VmsConfig:
    """What a ``@pytest.mark.vms(...)`` marker (or the run's options) configures."""

    profile: str = "documented"
    region: str = DEFAULT_REGION
    """The region the client is configured for; what the service echoes."""
    regions: tuple[str, ...] = ()
    """The credential-scope regions accepted; empty: ``region`` alone."""
    credentials: Mapping[str, str] = field(
        default_factory=lambda: {TEST_ACCESS_KEY: TEST_SECRET_KEY})
    assert_conformant: bool = True
    assert_forced_consumed: bool = True
    """Fail a test whose forced answers were not all consumed (Pact's "declared but never
    exercised"): the client sent fewer API calls than the test set up answers for."""
    host: str = DEFAULT_HOST

    @property
    def accepted_regions(self) -> tuple[str, ...]:
        return self.regions or (self.region,)

    def key(self) -> tuple[Any, ...]:
        """Two configurations with one key can share a server."""
        return (self.profile, self.region, self.accepted_regions,
                tuple(sorted((k, reveal(v)) for k, v in self.credentials.items())))

    def __repr__(self) -> str:  # the credentials' secrets stay out of every repr
        return (f"VmsConfig(profile={self.profile!r}, region={self.region!r}, "
                f"regions={self.accepted_regions!r}, access_keys={sorted(self.credentials)!r})")

    def build_service(self) -> ObservedService:
        return ObservedService(credentials=dict(self.credentials), profile=self.profile,
                               region=self.region, regions=self.accepted_regions)


class Vms:
    """A reference service for one test, with what a client test needs around it.

    ``url`` is where the client sends requests; ``access_key`` / ``secret_key`` and
    ``region`` what it signs with. Forced answers: :meth:`respond_next`. Fresh state
    within a test (one Hypothesis example each): :meth:`fresh` or :meth:`reset`.
    """

    def __init__(self, service: ObservedService, config: VmsConfig, url: str) -> None:
        self.service = service
        self.config = config
        self.url = url
        self._earlier: list[Exchange] = []
        self._forced: list[str] = []
        self._dropped_forced = 0
        self.check_at_teardown = True
        """The fixtures' teardown conformance check; the client kit judges for itself."""

    def __repr__(self) -> str:
        return f"Vms(url={self.url!r}, {self.config!r})"

    @classmethod
    @contextmanager
    def in_process(cls, config: VmsConfig | None = None) -> Iterator[Vms]:
        """A fresh service answering httpx requests to ``config.host`` (respx), as the
        ``vms`` fixture does, for use outside pytest: ``with Vms.in_process() as vms:``."""
        import respx

        config = config or VmsConfig()
        vms = cls(config.build_service(), config, f"https://{config.host}")
        router = respx.mock(assert_all_called=False, assert_all_mocked=True)
        router.route(host=config.host).mock(side_effect=vms.answer)
        # Loopback stays reachable: vms_server in the same test, or any local helper.
        for loopback in ("127.0.0.1", "localhost"):
            router.route(host=loopback).pass_through()
        with router:
            yield vms

    # -- what a client is configured with ---------------------------------------------

    @property
    def region(self) -> str:
        return self.config.region

    @property
    def access_key(self) -> str:
        return next(iter(self.config.credentials))

    @property
    def secret_key(self) -> str:
        """The first credential's secret, to configure the client with (never in a repr,
        and masked in every failure and report this plugin writes)."""
        return self.config.credentials[self.access_key]

    def auth(self) -> VolcSignatureAuth:
        """An ``httpx.Auth`` signing for this service's first credential and region."""
        from ..adapters.httpx_auth import VolcSignatureAuth

        return VolcSignatureAuth(self.access_key, self.secret_key, region=self.region)

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport answered by this service directly (no respx on the path)."""
        return make_transport(self.service)  # type: ignore[no-any-return]

    def answer(self, request: httpx.Request) -> httpx.Response:
        """Answer one httpx request (respx side effects and transports call this)."""
        return answer_httpx(self.service, request)

    # -- forced answers and state -------------------------------------------------------

    def respond_next(self, code: str | None = None, **kwargs: Any) -> None:
        """Force the next answer(s): ``vms.respond_next(code="ExceedMaxConcurrency")``.

        Keywords as ``ReferenceService.respond_next``: ``parameter``, ``status`` (e.g. 200
        for an HTTP 200 carrying Error), ``gateway_502``, ``drop``, ``delay``,
        ``fail_items=[(index, type)]``, ``count``, ``when``.
        """
        self.service.respond_next(code, **kwargs)
        shown = ", ".join([f"code={code!r}"] * (code is not None) +
                          [f"{k}={v!r}" for k, v in kwargs.items()])
        self._forced.append(f"respond_next({shown})")

    def unconsumed_text(self) -> str | None:
        """Why the forced answers check fails, or None: every forced answer was used."""
        left = self._dropped_forced + len(self.service.faults)
        if not left:
            return None
        return (f"{left} forced answer(s) never consumed: the client sent fewer API calls "
                f"than the test forced answers for ({'; '.join(self._forced)})")

    def reset(self) -> None:
        """Fresh state (tasks, forced answers), keeping what was seen for the teardown check."""
        self._earlier += self.service.exchanges
        self._dropped_forced += len(self.service.faults)
        self.service.reset()

    @contextmanager
    def fresh(self) -> Iterator[Vms]:
        """``with vms.fresh():`` one Hypothesis example (or any block) on fresh state."""
        self.reset()
        yield self

    @property
    def tasks(self) -> dict[str, Task]:
        return self.service.tasks

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """Every exchange of this test, including those before a reset."""
        return (*self._earlier, *self.service.exchanges)

    @property
    def current_exchanges(self) -> tuple[Exchange, ...]:
        """The exchanges since the last reset."""
        return self.service.exchanges

    def secrets(self) -> list[str]:
        return [reveal(secret) for secret in self.config.credentials.values()]

    def failure_text(self) -> str | None:
        return describe_failures(self.exchanges, profile=self.config.profile,
                                 secrets=self.secrets())

    def assert_all_conformant(self) -> None:
        """Fail with every request that broke the contract (rule, parameter, expected, actual)."""
        __tracebackhide__ = True
        text = self.failure_text()
        if text is not None:
            raise NonConformantRequests(text)


def format_credentials(credentials: Mapping[str, str | Secret] | tuple[str, str]
                       ) -> dict[str, str]:
    """A marker's ``credentials=``: ``{access_key: secret}`` or one ``(access_key, secret)``."""
    if isinstance(credentials, tuple):
        access_key, secret = credentials
        return {str(access_key): reveal(secret)}
    return {str(k): reveal(v) for k, v in credentials.items()}
