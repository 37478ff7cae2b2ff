"""Fault profiles and the middleware every vendor request passes through to meet them.

Transient faults hit a seeded fraction of data requests, never the same request (method, path and query)
more than `MAX_STREAK` times in a row (a profile's `max_streak` param raises that, up to for ever), so a
client that retries three times always gets through. Malformed answers come in two kinds: transient bodies
that cannot be read (`invalid_json`, `html_200`, `empty_body`) and standing rewrites of every JSON answer
(`missing_fields`, `mistyped_fields`, `huge_numbers`, `extra_fields`), applied in `fault_layer.py`.
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from usage_sandbox.noise import unit

MAX_STREAK = 2
UNREADABLE = ("invalid_json", "html_200", "empty_body")
REWRITES = ("missing_fields", "mistyped_fields", "huge_numbers", "extra_fields")
TRANSIENT = ("429_retry_after", "429_no_retry_after", "5xx", "drop", "stall", "truncate", *UNREADABLE)
QUOTA_EXHAUSTED = {"quota_exhausted": 429, "quota_exhausted_403": 403}  # profile -> status of the answer
STANDING = ("latency", "revoke_token", *QUOTA_EXHAUSTED, "xml", "permanent_500", *REWRITES)
PROFILES = ("none", *TRANSIENT, *STANDING)
SERVER_ERRORS = (500, 502, 503, 504)
_DEFAULT_RATE = 0.2


@dataclass(frozen=True)
class FaultProfile:
    name: str
    vendor: str | None = None
    rate: float = 1.0
    params: dict[str, Any] = field(default_factory=dict)
    include_login: bool = False

    def applies_to(self, vendor: str, is_login: bool) -> bool:
        return (self.vendor is None or self.vendor == vendor) and (self.include_login or not is_login)


def parse_profile(spec: dict[str, Any] | str) -> FaultProfile:
    """A profile from `"5xx"` or `{"name": "5xx", "vendor": "leaf", "rate": 0.5, "params": {...}}`."""
    if isinstance(spec, str):
        spec = {"name": spec}
    name = spec.get("name")
    if name not in PROFILES:
        raise ValueError(f"unknown fault profile {name!r}; known: {', '.join(PROFILES)}")
    rate = float(spec.get("rate", _DEFAULT_RATE if name in TRANSIENT else 1.0))
    if not 0.0 <= rate <= 1.0:
        raise ValueError("rate must be between 0 and 1")
    params = dict(spec.get("params") or {})
    params.update({key: value for key, value in spec.items() if key not in ("name", "vendor", "rate", "params")})
    include_login = bool(params.pop("include_login", False))
    return FaultProfile(name, spec.get("vendor"), rate, params, include_login)


class Faults:
    def __init__(self, seed: int, base_latency_ms: float = 0.0, base_jitter_ms: float = 0.0) -> None:
        self.seed = seed
        self.base_latency_ms = base_latency_ms
        self.base_jitter_ms = base_jitter_ms
        self.profiles: list[FaultProfile] = []
        self._attempts: dict[str, int] = {}
        self._streaks: dict[str, int] = {}

    def set(self, profiles: list[FaultProfile]) -> None:
        self.profiles = [profile for profile in profiles if profile.name != "none"]
        self.reset_counters()

    def reset_counters(self) -> None:
        self._attempts.clear()
        self._streaks.clear()

    def standing(self, name: str, vendor: str, is_login: bool) -> FaultProfile | None:
        for profile in self.profiles:
            if profile.name == name and profile.applies_to(vendor, is_login):
                return profile
        return None

    def latency_seconds(self, vendor: str, request_key: str) -> float:
        latency, jitter = self.base_latency_ms, self.base_jitter_ms
        profile = self.standing("latency", vendor, False)
        if profile is not None:
            latency = float(profile.params.get("latency_ms", 100.0))
            jitter = float(profile.params.get("jitter_ms", 0.0))
        if jitter:
            attempt = self._attempts.get(request_key, 0)
            latency += (2.0 * unit(self.seed, "jitter", request_key, attempt) - 1.0) * jitter
        return max(0.0, latency) / 1000.0

    def transient(self, vendor: str, is_login: bool, request_key: str) -> FaultProfile | None:
        """The transient fault this attempt meets, if any; counts the attempt."""
        candidates = [p for p in self.profiles if p.name in TRANSIENT and p.applies_to(vendor, is_login)]
        if not candidates:
            return None
        attempt = self._attempts[request_key] = self._attempts.get(request_key, 0) + 1
        streak = self._streaks.get(request_key, 0)
        chosen = None
        for profile in candidates:
            if streak < int(profile.params.get("max_streak", MAX_STREAK)) and (
                unit(self.seed, profile.name, request_key, attempt) < profile.rate
            ):
                chosen = profile
                break
        self._streaks[request_key] = streak + 1 if chosen else 0
        return chosen

    def rewrites(self, vendor: str, is_login: bool) -> list[FaultProfile]:
        """The standing profiles that rewrite this vendor's JSON answers, in the order set."""
        return [p for p in self.profiles if p.name in REWRITES and p.applies_to(vendor, is_login)]

    def server_error_status(self, request_key: str) -> int:
        attempt = self._attempts.get(request_key, 0)
        return SERVER_ERRORS[int(unit(self.seed, "status", request_key, attempt) * len(SERVER_ERRORS))]

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "name": p.name,
                "vendor": p.vendor,
                "rate": p.rate,
                "params": p.params,
                "include_login": p.include_login,
            }
            for p in self.profiles
        ]


async def pause(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
