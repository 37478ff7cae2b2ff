"""The middleware that injects latency and faults in front of every vendor, whatever the vendor."""

from aiohttp import web
from multidict import CIMultiDict

from usage_sandbox.faults import FaultProfile, pause
from usage_sandbox.runtime import RouteInfo, Runtime
from usage_sandbox.vendor import VendorSpec


def fault_middleware(runtime: Runtime) -> web.middleware:
    @web.middleware
    async def meet_faults(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        route = runtime.routes.get(request.match_info.route.name or "")
        faults = runtime.faults
        if route is None or (
            not faults.profiles and not faults.base_latency_ms and not faults.base_jitter_ms
        ):
            return await handler(request)
        spec = runtime.vendors[route.vendor]
        key = f"{request.method} {request.path_qs}"
        await pause(faults.latency_seconds(route.vendor, key))
        standing = _standing_answer(runtime, spec, route, request)
        if isinstance(standing, web.StreamResponse):
            return standing
        request = standing
        fault = faults.transient(route.vendor, route.is_login, key)
        if fault is None:
            return await handler(request)
        return await _transient_answer(runtime, spec, fault, key, request, handler)

    return meet_faults


def _standing_answer(
    runtime: Runtime, spec: VendorSpec, route: RouteInfo, request: web.Request
) -> web.StreamResponse | web.Request:
    """The answer of a standing fault, or the request to pass on (rewritten under the `xml` fault)."""
    faults, vendor, is_login = runtime.faults, route.vendor, route.is_login
    if faults.standing("permanent_500", vendor, is_login):
        return spec.error(500, "Internal Server Error")
    if spec.quota_exhausted is not None and faults.standing("quota_exhausted", vendor, is_login):
        return spec.quota_exhausted()
    revoke = faults.standing("revoke_token", vendor, is_login)
    if revoke is not None and spec.token_of is not None:
        runtime.tokens.use_and_maybe_revoke(spec.token_of(request), revoke.rate)
    if faults.standing("xml", vendor, is_login):
        headers = CIMultiDict(request.headers)
        headers["Accept"] = "application/xml"
        return request.clone(headers=headers)
    return request


async def _transient_answer(
    runtime: Runtime,
    spec: VendorSpec,
    fault: FaultProfile,
    key: str,
    request: web.Request,
    handler: web.RequestHandler,
) -> web.StreamResponse:
    if fault.name == "429_retry_after":
        return spec.too_many(float(fault.params.get("retry_after", 1)))
    if fault.name == "429_no_retry_after":
        return spec.too_many(None)
    if fault.name == "5xx":
        status = runtime.faults.server_error_status(key)
        return spec.error(
            status,
            {
                500: "Internal Server Error",
                502: "Bad Gateway",
                503: "Service Unavailable",
                504: "Gateway Timeout",
            }[status],
        )
    if fault.name == "drop":
        return _drop(request)
    if fault.name == "stall":
        await pause(float(fault.params.get("stall_seconds", 30)))
        return await handler(request)
    return await _truncate(request, await handler(request))


def _drop(request: web.Request) -> web.StreamResponse:
    request["dropped"] = True
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=499)


async def _truncate(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    body = response.body if isinstance(response, web.Response) else None
    if not isinstance(body, bytes) or len(body) < 2:
        return response
    cut = web.StreamResponse(status=response.status, headers=response.headers)
    cut.content_length = len(body)
    await cut.prepare(request)
    await cut.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.abort()
    return cut
