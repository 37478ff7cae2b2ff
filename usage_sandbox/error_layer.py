"""The middleware that renders every `VendorError` raised behind it in the format of the vendor asked."""

from aiohttp import web

from usage_sandbox.errors import VendorError
from usage_sandbox.runtime import Runtime


def error_middleware(runtime: Runtime) -> web.middleware:
    @web.middleware
    async def render_errors(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        try:
            return await handler(request)
        except VendorError as error:
            route = runtime.routes[request.match_info.route.name or ""]
            return runtime.vendors[route.vendor].render(error, request)

    return render_errors
