"""What a vendor module hands the server: its routes, its error envelopes, its limits and its ground truth."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    endpoint: str
    handler: Handler
    is_login: bool = False


@dataclass(frozen=True)
class Limit:
    """A rate limit: a token bucket (`rate`/s, `burst`) or a fixed window (`requests` per `window` s)."""

    kind: str
    rate: float = 0.0
    burst: float = 0.0
    requests: int = 0
    window: float = 0.0
    lock_out: bool = False


@dataclass
class VendorSpec:
    name: str
    routes: list[Route]
    error: Callable[[int, str], web.Response]
    too_many: Callable[[float | None], web.Response]
    limit: Limit | None = None
    token_of: Callable[[web.Request], str | None] | None = None
    quota_exhausted: Callable[[], web.Response] | None = None
