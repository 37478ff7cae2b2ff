"""The control API under /_sandbox/: health, stats, reset, faults, today, rate limits, page cap, secrets."""

import json
from typing import Any

from aiohttp import web

from usage_sandbox.days import parse_day
from usage_sandbox.faults import parse_profile
from usage_sandbox.replies import json_reply
from usage_sandbox.runtime import Runtime
from usage_sandbox.truth import provider_secrets

PREFIX = "/_sandbox"


class Control:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def health(self, request: web.Request) -> web.Response:
        runtime = self.runtime
        return json_reply(
            {
                "status": "ok",
                "seed": runtime.seed,
                "size": runtime.size,
                "today": runtime.today.isoformat(),
                "page_cap": runtime.page_cap,
                "vendors": sorted(runtime.vendors),
            }
        )

    async def stats(self, request: web.Request) -> web.Response:
        return json_reply(self.runtime.stats.snapshot())

    async def reset(self, request: web.Request) -> web.Response:
        self.runtime.stats.reset()
        self.runtime.limits.reset()
        self.runtime.faults.reset_counters()
        return json_reply({"status": "reset"})

    async def faults(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            return json_reply({"profiles": self.runtime.faults.describe()})
        body = await _body(request)
        if isinstance(body, web.Response):
            return body
        specs = body.get("profiles", [body]) if isinstance(body, dict) else body
        try:
            profiles = [parse_profile(spec) for spec in specs]
        except (ValueError, TypeError, AttributeError) as problem:
            return json_reply({"error": str(problem)}, 400)
        self.runtime.faults.set(profiles)
        if any(profile.name == "revoke_token" for profile in profiles):
            self.runtime.tokens.revoke_all_at_next_use()
        return json_reply({"profiles": self.runtime.faults.describe()})

    async def today(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            body = await _body(request)
            if isinstance(body, web.Response):
                return body
            day = parse_day(body.get("today") if isinstance(body, dict) else None)
            if day is None:
                return json_reply({"error": "today must be YYYY-MM-DD"}, 400)
            self.runtime.today = day
        return json_reply({"today": self.runtime.today.isoformat()})

    async def pages(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            body = await _body(request)
            if isinstance(body, web.Response):
                return body
            cap = body.get("cap", "missing") if isinstance(body, dict) else "missing"
            if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
                return json_reply({"error": 'the body must be {"cap": N} with N >= 1, or {"cap": null}'}, 400)
            self.runtime.page_cap = cap
        return json_reply({"cap": self.runtime.page_cap})

    async def secrets(self, request: web.Request) -> web.Response:
        return json_reply({"secrets": provider_secrets(self.runtime.seed, self.runtime.size)})

    async def limits(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            body = await _body(request)
            if isinstance(body, web.Response):
                return body
            try:
                self.runtime.limits.configure(body if isinstance(body, dict) else {})
            except (ValueError, TypeError) as problem:
                return json_reply({"error": str(problem)}, 400)
        return json_reply(self.runtime.limits.describe())


async def _body(request: web.Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return json_reply({"error": "the body must be JSON"}, 400)


def add_control_routes(app: web.Application, runtime: Runtime) -> None:
    control = Control(runtime)
    app.router.add_get(f"{PREFIX}/health", control.health)
    app.router.add_get(f"{PREFIX}/stats", control.stats)
    app.router.add_post(f"{PREFIX}/reset", control.reset)
    app.router.add_get(f"{PREFIX}/secrets", control.secrets)
    for method in ("GET", "POST"):
        app.router.add_route(method, f"{PREFIX}/faults", control.faults)
        app.router.add_route(method, f"{PREFIX}/today", control.today)
        app.router.add_route(method, f"{PREFIX}/limits", control.limits)
        app.router.add_route(method, f"{PREFIX}/pages", control.pages)
