"""What a vendor module hands the server: its routes, how its requests authenticate, its rate limit and how
its errors look. The layers every vendor passes through (`access.py`, `fault_layer.py`, `error_layer.py`)
apply them; a handler only reads its parameters and its data, and raises a `VendorError` for anything else."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from usage_sandbox.errors import VendorError
from usage_sandbox.tokens import TokenStore

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """`is_login`: where a session token is issued; it takes no credential, and faults spare it by default."""

    method: str
    path: str
    endpoint: str
    handler: Handler
    is_login: bool = False


@dataclass(frozen=True)
class Limit:
    """A rate limit: a token bucket (`rate`/s, `burst`) or a fixed window (`requests` per `window_seconds`)."""

    kind: str
    rate: float = 0.0
    burst: float = 0.0
    requests: int = 0
    window_seconds: float = 0.0
    lock_out: bool = False


@dataclass(frozen=True)
class ApiKey:
    """One constant key in a `header` of every request; the rate limit counts by the key."""

    header: str
    key: str
    missing: Callable[[], VendorError]
    invalid: Callable[[], VendorError]

    def token(self, request: web.Request) -> str | None:
        """No session token: nothing for the `revoke_token` fault to revoke."""
        return None

    def credential(self, vendor: str, tokens: TokenStore, request: web.Request) -> str:
        key = request.headers.get(self.header)
        if not key:
            raise self.missing()
        if key != self.key:
            raise self.invalid()
        return key


@dataclass(frozen=True)
class SessionToken:
    """A token the vendor's login route issued, read from the request by `token`; `limited_by` names what the
    rate limit counts by (the token itself, or the account every token of it shares)."""

    token: Callable[[web.Request], str | None]
    refused: Callable[[], VendorError]
    limited_by: Callable[[str], str] = str

    def credential(self, vendor: str, tokens: TokenStore, request: web.Request) -> str:
        token = self.token(request)
        if not tokens.valid(vendor, token):
            raise self.refused()
        return self.limited_by(token or "")


@dataclass
class VendorSpec:
    """`prefixes` are the vendor's hosts on the sandbox: any path under them that no route serves is a 404.
    `render` writes a `VendorError` in the vendor's format; `quota` says whether the quota faults reach it;
    `ranges` gives the most units (days, months, years) one request may span, per period."""

    name: str
    prefixes: tuple[str, ...]
    routes: list[Route]
    render: Callable[[VendorError, web.Request], web.Response]
    auth: ApiKey | SessionToken
    limit: Limit | None = None
    quota: bool = False
    ranges: dict[str, int] = field(default_factory=dict)
