"""What a vendor module hands the server: its routes, its error envelopes, its limits and its ground truth."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

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
    """A rate limit: a token bucket (`rate`/s, `burst`) or a fixed window (`requests` per `window_seconds`)."""

    kind: str
    rate: float = 0.0
    burst: float = 0.0
    requests: int = 0
    window_seconds: float = 0.0
    lock_out: bool = False


class ErrorReply(Protocol):
    """The vendor's error envelope for a status and a message, on the path that was asked for."""

    def __call__(self, status: int, message: str, path: str = "") -> web.Response: ...


@dataclass
class VendorSpec:
    """`prefixes` are the vendor's hosts on the sandbox: any path under them that no route serves is a 404."""

    name: str
    prefixes: tuple[str, ...]
    routes: list[Route]
    error: ErrorReply
    too_many: Callable[[float | None], web.Response]
    limit: Limit | None = None
    token_of: Callable[[web.Request], str | None] | None = None
    quota_exhausted: Callable[[int], web.Response] | None = None
