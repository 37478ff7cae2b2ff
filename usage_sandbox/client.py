"""The control API of a running sandbox (docs/sandbox.md, "Control"), as the tests, the benchmarks and
`make sync` call it: counters, faults, today, limits, ranges, page caps and readings."""

from __future__ import annotations

from typing import Any

import requests

from usage_sandbox.connector_config import VENDORS

TIMEOUT_SECONDS = 10


class SandboxClient:
    """`SandboxClient(url)`: one HTTP session to the sandbox's `/_sandbox/` routes."""

    def __init__(self, url: str = "") -> None:
        self.url = url
        self.http = requests.Session()

    def _post(self, path: str, body: Any) -> Any:
        response = self.http.post(f"{self.url}/_sandbox/{path}", json=body, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        """`{"vendors": {vendor: {endpoint: {status: count}}}, "total": n}` since the last reset."""
        response = self.http.get(f"{self.url}/_sandbox/stats", timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Counters and rate-limit state cleared."""
        self._post("reset", {})

    def set_faults(self, *profiles: str | dict[str, Any], **profile: Any) -> list[dict[str, Any]]:
        """`set_faults("5xx")`, `set_faults(name="stall", vendor="leaf", stall_seconds=2)` or dicts."""
        specs = list(profiles) + ([profile] if profile else [])
        return self._post("faults", {"profiles": specs or ["none"]})["profiles"]

    def set_latency(self, latency_ms: float) -> None:
        """`latency_ms` added to every answer (0: none, and no other fault)."""
        self.set_faults({"name": "latency", "latency_ms": latency_ms} if latency_ms else "none")

    def set_today(self, today: str) -> None:
        self._post("today", {"today": today})

    def set_limits(self, limits: dict[str, Any]) -> dict[str, Any]:
        """Per vendor: `"default"`, `False` (no limit) or the limit's fields."""
        return self._post("limits", limits)

    def advance_limits(self, seconds: float) -> None:
        """Moves the rate limits' clock `seconds` on: windows and lockouts pass without waiting for them."""
        self._post("limits", {"advance_seconds": seconds})

    def default_limits(self) -> dict[str, Any]:
        return self.set_limits({vendor: "default" for vendor in VENDORS})

    def set_ranges(self, ranges: dict[str, Any]) -> dict[str, Any]:
        """The longest range per vendor: a number (one period), `{"period": N}` or `"default"`."""
        return self._post("ranges", ranges)

    def default_ranges(self) -> dict[str, Any]:
        return self.set_ranges({vendor: "default" for vendor in VENDORS})

    def set_leaf_daily_summary(self, reading: str) -> None:
        """How Leaf's daily summary reads: `to_date` (totals to that day, the default) or `day` (that day's)."""
        self._post("readings", {"leaf_daily_summary": reading})

    def set_page_cap(self, cap: int | None, leadfeeder: str = "links", truncated: bool = False) -> None:
        """At most `cap` items on every page of every list (None: as many as asked for); how Leadfeeder's lists
        page (`links` or `page_number`); whether every list comes back cut short (`truncated`)."""
        self._post("pages", {"cap": cap, "leadfeeder": leadfeeder, "truncated": truncated})
