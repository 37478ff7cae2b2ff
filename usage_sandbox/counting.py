"""The outermost middleware: counts every vendor request by vendor, endpoint and status."""

from aiohttp import web

from usage_sandbox.runtime import Runtime


def counting_middleware(runtime: Runtime) -> web.middleware:
    @web.middleware
    async def count(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        route = runtime.routes.get(request.match_info.route.name or "")
        if route is None:
            return await handler(request)
        status = "dropped"
        try:
            response = await handler(request)
            status = "dropped" if request.get("dropped") else str(response.status)
            return response
        except web.HTTPException as error:
            status = str(error.status)
            raise
        finally:
            runtime.stats.add(route.vendor, route.endpoint, status)

    return count
