"""The middleware that admits a vendor request: its credential, as the vendor declares it, then its rate limit.

It sits behind the fault layer, so an injected fault answers before any credential is checked or any
request is counted against a limit, as a gateway in front of the vendor would.
"""

from aiohttp import web

from usage_sandbox.errors import TooManyRequests
from usage_sandbox.runtime import Runtime


def access_middleware(runtime: Runtime) -> web.middleware:
    @web.middleware
    async def admit(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        route = runtime.routes.get(request.match_info.route.name or "")
        if route is not None and route.authenticated:
            auth = runtime.vendors[route.vendor].auth
            credential = auth.credential(route.vendor, runtime.tokens, request)
            wait = runtime.limits.check(route.vendor, credential)
            if wait is not None:
                raise TooManyRequests(wait)
        return await handler(request)

    return admit
