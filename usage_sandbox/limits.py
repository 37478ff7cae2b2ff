"""Rate limits per vendor and credential (a key, a token or a whole account): token buckets and fixed
windows, reconfigurable while running."""

import time
from dataclasses import dataclass, replace
from typing import Any

from usage_sandbox.vendor import Limit


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class _Window:
    start: float
    count: int = 0
    locked_until: float = 0.0


class Limits:
    def __init__(self, defaults: dict[str, Limit], enabled: bool = True) -> None:
        self._defaults = dict(defaults)
        self._limits = dict(defaults)
        self._enabled = {vendor: enabled for vendor in defaults}
        self._state: dict[tuple[str, str], _Bucket | _Window] = {}
        self._ahead = 0.0  # seconds the limits' clock runs ahead of the real one (`advance_seconds`)

    def check(self, vendor: str, credential: str) -> float | None:
        """None when the request may pass, else the seconds until it could."""
        limit = self._limits.get(vendor)
        if limit is None or not self._enabled.get(vendor, False):
            return None
        now = time.monotonic() + self._ahead
        if limit.kind == "bucket":
            return self._take_from_bucket(limit, (vendor, credential), now)
        return self._count_in_window(limit, (vendor, credential), now)

    def _take_from_bucket(self, limit: Limit, key: tuple[str, str], now: float) -> float | None:
        bucket = self._state.get(key)
        if not isinstance(bucket, _Bucket):
            bucket = self._state[key] = _Bucket(limit.burst, now)
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.stamp) * limit.rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / limit.rate

    def _count_in_window(self, limit: Limit, key: tuple[str, str], now: float) -> float | None:
        window = self._state.get(key)
        if not isinstance(window, _Window):
            window = self._state[key] = _Window(now)
        if now < window.locked_until:
            return window.locked_until - now
        if now - window.start >= limit.window_seconds:
            window.start, window.count = now, 0
        window.count += 1
        if window.count <= limit.requests:
            return None
        if limit.lock_out:
            window.locked_until = now + limit.window_seconds
            return limit.window_seconds
        return window.start + limit.window_seconds - now

    def configure(self, changes: dict[str, Any]) -> None:
        """`{"enabled": false}` for all, or per vendor `{"leaf": {"rate": 5, "burst": 5}}`, `{"leaf": false}`,
        `{"insideview": {"requests": 10, "window_seconds": 2}}`, `{"leaf": "default"}`; `{"advance_seconds": 30}`
        moves the limits' clock on, keeping every window and bucket, so a test need not wait them out."""
        if "advance_seconds" in changes:
            seconds = changes["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
                raise ValueError("advance_seconds must be a number of seconds, at least 0")
            self._ahead += seconds
            changes = {name: value for name, value in changes.items() if name != "advance_seconds"}
            if not changes:
                return
        if "enabled" in changes:
            self._enabled = {vendor: bool(changes["enabled"]) for vendor in self._defaults}
        for vendor, change in changes.items():
            if vendor == "enabled":
                continue
            if vendor not in self._defaults:
                raise ValueError(f"unknown vendor {vendor!r}")
            if change in (False, None):
                self._enabled[vendor] = False
            elif change is True or change == "default":
                self._enabled[vendor] = True
                self._limits[vendor] = self._defaults[vendor]
            elif isinstance(change, dict):
                fields = {name: value for name, value in change.items() if name != "enabled"}
                self._limits[vendor] = replace(self._limits[vendor], **fields)
                self._enabled[vendor] = bool(change.get("enabled", True))
            else:
                raise ValueError(f"bad limit for {vendor!r}: {change!r}")
        self._state.clear()

    def reset(self) -> None:
        self._state.clear()

    def describe(self) -> dict[str, Any]:
        return {vendor: {**limit.__dict__, "enabled": self._enabled[vendor]} for vendor, limit in self._limits.items()}
