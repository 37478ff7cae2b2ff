"""The HTTP server: builds each registered vendor, mounts its routes, and only dispatches."""

import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import date
from types import ModuleType

from aiohttp import web

from usage_sandbox.access import access_middleware
from usage_sandbox.control import add_control_routes
from usage_sandbox.counting import counting_middleware
from usage_sandbox.error_layer import error_middleware
from usage_sandbox.errors import NotFound
from usage_sandbox.fault_layer import fault_middleware
from usage_sandbox.faults import FaultProfile, Faults
from usage_sandbox.limits import Limits
from usage_sandbox.ranges import Ranges
from usage_sandbox.registry import VENDORS, api
from usage_sandbox.runtime import RouteInfo, Runtime
from usage_sandbox.tokens import TokenStore


def build_runtime(
    seed: int,
    size: str,
    today: date,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    rate_limits: bool = True,
    page_cap: int | None = None,
    vendors: Sequence[ModuleType] = VENDORS,
) -> Runtime:
    runtime = Runtime(seed, size, today, Faults(seed, latency_ms, jitter_ms), TokenStore(seed))
    runtime.page_cap = page_cap
    for vendor in vendors:
        spec = api(vendor).build(runtime)
        runtime.vendors[spec.name] = spec
    defaults = {name: spec.limit for name, spec in runtime.vendors.items() if spec.limit is not None}
    runtime.limits = Limits(defaults, enabled=rate_limits)
    runtime.ranges = Ranges({name: spec.ranges for name, spec in runtime.vendors.items() if spec.ranges})
    return runtime


def build_app(runtime: Runtime) -> web.Application:
    """Outermost first: counting, rendering vendor errors, faults, then the vendor's credential and limit."""
    layers = (counting_middleware, error_middleware, fault_middleware, access_middleware)
    app = web.Application(middlewares=[layer(runtime) for layer in layers])
    for spec in runtime.vendors.values():
        for number, route in enumerate(spec.routes):
            name = f"{spec.name}.{route.endpoint}.route{number}"
            runtime.routes[name] = RouteInfo(spec.name, route.endpoint, route.is_login, not route.is_login)
            app.router.add_route(route.method, route.path, route.handler, name=name)
    for spec in runtime.vendors.values():
        for prefix in spec.prefixes:
            name = f"{spec.name}.undocumented{prefix.replace('/', '.')}"
            runtime.routes[name] = RouteInfo(spec.name, "undocumented", False, False)
            app.router.add_route("*", prefix + "/{tail:.*}", _not_found, name=name)
    add_control_routes(app, runtime)
    return app


async def _not_found(request: web.Request) -> web.Response:
    """Every path a vendor does not document (or a method it does not take there) is its 404."""
    raise NotFound(f"No endpoint {request.method} {request.path}.")


async def serve(runtime: Runtime, host: str, port: int, faults: list[FaultProfile], verbose: bool) -> None:
    runtime.faults.set(faults)
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    app_runner = web.AppRunner(build_app(runtime), access_log=logging.getLogger("aiohttp.access") if verbose else None)
    await app_runner.setup()
    site = web.TCPSite(app_runner, host, port, backlog=1024, reuse_address=True)
    await site.start()
    bound = app_runner.addresses[0][1]
    print(f"usage-sandbox listening on http://{host}:{bound}", flush=True)
    sys.stdout.flush()
    try:
        await asyncio.Event().wait()
    finally:
        await app_runner.cleanup()
