"""The control API under /_sandbox/: health, stats, reset, faults, today, rate limits, ranges, page cap, readings,
secrets.

Each setting (faults, today, limits, pages) answers GET with what it is and POST with what it became; a body
that cannot be applied is a 400 `{"error": ...}` and changes nothing.
"""

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from usage_sandbox.days import parse_day
from usage_sandbox.faults import parse_profile
from usage_sandbox.replies import json_reply
from usage_sandbox.runtime import Runtime
from usage_sandbox.truth import provider_secrets
from usage_sandbox.vendor import Handler
from usage_sandbox.vendors.leaf import DAILY_SUMMARY_READINGS

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

    async def secrets(self, request: web.Request) -> web.Response:
        return json_reply({"secrets": provider_secrets(self.runtime.seed, self.runtime.size)})

    def faults(self) -> dict[str, Any]:
        return {"profiles": self.runtime.faults.describe()}

    def set_faults(self, body: Any) -> None:
        specs = body.get("profiles", [body]) if isinstance(body, dict) else body
        profiles = [parse_profile(spec) for spec in specs]
        self.runtime.faults.set(profiles)
        if any(profile.name == "revoke_token" for profile in profiles):
            self.runtime.tokens.revoke_all_at_next_use()

    def today(self) -> dict[str, Any]:
        return {"today": self.runtime.today.isoformat()}

    def set_today(self, body: Any) -> None:
        day = parse_day(body.get("today") if isinstance(body, dict) else None)
        if day is None:
            raise ValueError("today must be YYYY-MM-DD")
        self.runtime.today = day

    def ranges(self) -> dict[str, Any]:
        return self.runtime.ranges.describe()

    def set_ranges(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise ValueError('the body must be {"vendor": N or {"period": N} or "default", ...}')
        self.runtime.ranges.configure(body)

    def pages(self) -> dict[str, Any]:
        runtime = self.runtime
        return {"cap": runtime.page_cap, "leadfeeder": runtime.leadfeeder_paging, "truncated": runtime.truncated_lists}

    def set_pages(self, body: Any) -> None:
        """`{"cap": N or null}`, and optionally `"leadfeeder": "links" | "page_number"` and `"truncated": bool`."""
        cap = body.get("cap", "missing") if isinstance(body, dict) else "missing"
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ValueError('the body must be {"cap": N} with N >= 1, or {"cap": null}')
        paging = body.get("leadfeeder", self.runtime.leadfeeder_paging)
        truncated = body.get("truncated", self.runtime.truncated_lists)
        if paging not in ("links", "page_number") or not isinstance(truncated, bool):
            raise ValueError('"leadfeeder" is "links" or "page_number", and "truncated" true or false')
        self.runtime.page_cap, self.runtime.leadfeeder_paging, self.runtime.truncated_lists = cap, paging, truncated

    def readings(self) -> dict[str, Any]:
        return {"leaf_daily_summary": self.runtime.leaf_daily_summary}

    def set_readings(self, body: Any) -> None:
        """`{"leaf_daily_summary": "to_date" | "day"}`: how Leaf's daily summary reads (providers.md does not say)."""
        reading = body.get("leaf_daily_summary") if isinstance(body, dict) else None
        if reading not in DAILY_SUMMARY_READINGS:
            raise ValueError(f'the body must be {{"leaf_daily_summary": one of {", ".join(DAILY_SUMMARY_READINGS)}}}')
        self.runtime.leaf_daily_summary = reading

    def limits(self) -> dict[str, Any]:
        return self.runtime.limits.describe()

    def set_limits(self, body: Any) -> None:
        self.runtime.limits.configure(body if isinstance(body, dict) else {})


def _setting(show: Callable[[], dict[str, Any]], change: Callable[[Any], None]) -> Handler:
    """GET shows the setting; POST applies its JSON body first (400 `{"error"}` when it cannot)."""

    async def answer(request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                change(await request.json())
            except (json.JSONDecodeError, UnicodeDecodeError):
                return json_reply({"error": "the body must be JSON"}, 400)
            except (ValueError, TypeError, AttributeError) as problem:
                return json_reply({"error": str(problem)}, 400)
        return json_reply(show())

    return answer


def add_control_routes(app: web.Application, runtime: Runtime) -> None:
    control = Control(runtime)
    app.router.add_get(f"{PREFIX}/health", control.health)
    app.router.add_get(f"{PREFIX}/stats", control.stats)
    app.router.add_post(f"{PREFIX}/reset", control.reset)
    app.router.add_get(f"{PREFIX}/secrets", control.secrets)
    settings = {
        "faults": _setting(control.faults, control.set_faults),
        "today": _setting(control.today, control.set_today),
        "limits": _setting(control.limits, control.set_limits),
        "ranges": _setting(control.ranges, control.set_ranges),
        "pages": _setting(control.pages, control.set_pages),
        "readings": _setting(control.readings, control.set_readings),
    }
    for name, answer in settings.items():
        for method in ("GET", "POST"):
            app.router.add_route(method, f"{PREFIX}/{name}", answer)
