"""The middleware that injects latency and faults in front of every vendor, whatever the vendor.

An injected error is raised as a `VendorError`, so the error layer writes it in the vendor's own format.
"""

import json
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from usage_sandbox.errors import QuotaExhausted, ServerError, TooManyRequests
from usage_sandbox.faults import QUOTA_EXHAUSTED, FaultProfile, pause
from usage_sandbox.noise import unit
from usage_sandbox.runtime import RouteInfo, Runtime
from usage_sandbox.vendor import VendorSpec


def fault_middleware(runtime: Runtime) -> web.middleware:
    @web.middleware
    async def meet_faults(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        route = runtime.routes.get(request.match_info.route.name or "")
        faults = runtime.faults
        if route is None or (not faults.profiles and not faults.base_latency_ms and not faults.base_jitter_ms):
            return await handler(request)
        spec = runtime.vendors[route.vendor]
        key = f"{request.method} {request.path_qs}"
        runtime.stats.delaying(True)
        try:
            await pause(faults.latency_seconds(route.vendor, key))
        finally:
            runtime.stats.delaying(False)
        request = _meet_standing_faults(runtime, spec, route, request)
        fault = faults.transient(route.vendor, route.is_login, key)
        if fault is None:
            response = await handler(request)
        else:
            runtime.stats.met(fault.name, route.vendor)
            response = await _transient_answer(runtime, fault, key, request, handler)
        if request.get("xml") and "xml" in (response.content_type or ""):
            runtime.stats.met("xml", route.vendor)
        rewrites = faults.rewrites(route.vendor, route.is_login)
        if not rewrites:
            return response
        rewritten = _rewritten(runtime.seed, key, response, rewrites)
        if rewritten is not response:
            for profile in rewrites:
                runtime.stats.met(profile.name, route.vendor)
        return rewritten

    return meet_faults


def _meet_standing_faults(runtime: Runtime, spec: VendorSpec, route: RouteInfo, request: web.Request) -> web.Request:
    """Raises the error of a standing fault, or returns the request to pass on (rewritten under `xml`)."""
    faults, vendor, is_login = runtime.faults, route.vendor, route.is_login
    if faults.standing("permanent_500", vendor, is_login):
        runtime.stats.met("permanent_500", vendor)
        raise ServerError(500)
    if spec.quota:
        for name, status in QUOTA_EXHAUSTED.items():
            if faults.standing(name, vendor, is_login):
                runtime.stats.met(name, vendor)
                raise QuotaExhausted(status)
    revoke = faults.standing("revoke_token", vendor, is_login)
    if revoke is not None and runtime.tokens.use_and_maybe_revoke(spec.auth.token(request), revoke.rate):
        runtime.stats.met("revoke_token", vendor)
    if faults.standing("xml", vendor, is_login):
        headers = CIMultiDict(request.headers)
        headers["Accept"] = "application/xml"
        xml_request = request.clone(headers=headers)
        xml_request["xml"] = True  # counted as met only where the vendor answers XML (InsideView's usage)
        return xml_request
    return request


async def _transient_answer(
    runtime: Runtime, fault: FaultProfile, key: str, request: web.Request, handler: web.RequestHandler
) -> web.StreamResponse:
    if fault.name == "429_retry_after":
        raise TooManyRequests(float(fault.params.get("retry_after", 1)))
    if fault.name == "429_no_retry_after":
        raise TooManyRequests(None)
    if fault.name == "5xx":
        raise ServerError(runtime.faults.server_error_status(key))
    if fault.name == "drop":
        return _drop(request)
    if fault.name in ("invalid_json", "html_200", "empty_body"):
        return _unreadable(fault.name, await handler(request))
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
    """The handler's answer (a 200: errors are raised past this layer) cut halfway through its body."""
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


# An nginx error page, as a proxy in front of a vendor sends it: a 200 that is HTML, and not well-formed XML.
HTML_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def _unreadable(name: str, response: web.StreamResponse) -> web.StreamResponse:
    """A 200 whose body cannot be read: JSON with single quotes, an HTML page, or nothing at all."""
    if response.status != 200 or not isinstance(response, web.Response):
        return response
    if name == "html_200":
        return web.Response(status=200, text=HTML_PAGE, content_type="text/html")
    if name == "empty_body":
        return web.Response(status=200, body=b"", content_type="application/json")
    body = response.body if isinstance(response.body, bytes) else b"{}"
    broken = body.replace(b'"', b"'") if b'"' in body else b"{'" + body
    return web.Response(status=200, body=broken, headers=_headers_without_length(response))


def _rewritten(seed: int, key: str, response: web.StreamResponse, profiles: list[FaultProfile]) -> web.StreamResponse:
    """A 200 JSON answer rewritten by the standing profiles: fields dropped, numbers mistyped or huge."""
    if response.status != 200 or not isinstance(response, web.Response):
        return response
    if not isinstance(response.body, bytes) or "json" not in (response.content_type or ""):
        return response
    try:
        document = json.loads(response.body)
    except ValueError:
        return response
    for profile in profiles:
        document = _rewrite(document, profile, seed, key)
    body = json.dumps(document).encode()
    return web.Response(status=200, body=body, headers=_headers_without_length(response))


def _rewrite(value: Any, profile: FaultProfile, seed: int, key: str, path: str = "") -> Any:
    if isinstance(value, list):
        return [_rewrite(item, profile, seed, key, f"{path}/{index}") for index, item in enumerate(value)]
    if isinstance(value, dict):
        rewritten = {name: _rewrite(item, profile, seed, key, f"{path}/{name}") for name, item in value.items()}
        if profile.name == "missing_fields":
            return _without_fields(rewritten, profile, seed, key, path)
        if profile.name == "extra_fields":
            depth = path.count("/")  # names differ by depth, so flattening a nested object meets no clash
            rewritten[f"sandboxExtra{depth}"] = {"nested": [1, "two", None]}
            rewritten[f"sandbox_extra_{depth}"] = 3.5
        return rewritten
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if profile.name == "mistyped_fields":
        return str(value)
    if profile.name == "huge_numbers" and _named(profile, path):
        return value + 10**24 if isinstance(value, int) else value + 1e300
    return value


def _named(profile: FaultProfile, path: str) -> bool:
    """A profile's `fields` param names the fields it rewrites; without it, every field."""
    named = profile.params.get("fields")
    return not named or path.rsplit("/", 1)[-1] in named


def _without_fields(record: dict[str, Any], profile: FaultProfile, seed: int, key: str, path: str) -> dict[str, Any]:
    """Drops the named `fields`, or else one seeded field of every object inside a list."""
    named = profile.params.get("fields")
    if named:
        return {name: item for name, item in record.items() if name not in named}
    if not record or not path.rsplit("/", 1)[-1].isdigit():
        return record
    names = sorted(record)
    dropped = names[int(unit(seed, "missing", key, path) * len(names))]
    return {name: item for name, item in record.items() if name != dropped}


def _headers_without_length(response: web.StreamResponse) -> CIMultiDict[str]:
    headers = CIMultiDict(response.headers)
    headers.pop("Content-Length", None)
    return headers
