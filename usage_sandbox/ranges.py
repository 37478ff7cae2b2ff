"""The longest range each vendor's ranged endpoints accept, per period, and shorter ones set while running.

Only Whitepages publishes its limit (90 days); the others are sandbox rules (providers.md), so a test can shorten
any of them to stand in for a vendor whose real limit is shorter than ours.
"""

from typing import Any


class Ranges:
    def __init__(self, defaults: dict[str, dict[str, int]]) -> None:
        self._defaults = {vendor: dict(periods) for vendor, periods in defaults.items()}
        self._longest = {vendor: dict(periods) for vendor, periods in defaults.items()}

    def longest(self, vendor: str, period: str) -> int:
        """The most units (days, months or years) one request of `vendor` may span for `period`."""
        return self._longest[vendor][period]

    def configure(self, changes: dict[str, Any]) -> None:
        """`{"leadfeeder": 5}` (a vendor with one period), `{"insideview": {"day": 7, "year": 2}}`,
        `{"leaf": "default"}`; 0 refuses every range, even one unit. Nothing changes when any part is wrong."""
        longest = {vendor: dict(periods) for vendor, periods in self._longest.items()}
        for vendor, change in changes.items():
            if vendor not in self._defaults:
                raise ValueError(f"unknown vendor {vendor!r}")
            periods = self._defaults[vendor]
            if change == "default":
                longest[vendor] = dict(periods)
                continue
            if not isinstance(change, dict):
                if len(periods) != 1:
                    raise ValueError(f"{vendor} has several periods ({', '.join(periods)}): give one number each")
                change = {next(iter(periods)): change}
            for period, units in change.items():
                if period not in periods:
                    raise ValueError(f"{vendor} has no period {period!r}")
                if isinstance(units, bool) or not isinstance(units, int) or units < 0:
                    raise ValueError(f"the longest range of {vendor} {period} must be a whole number >= 0")
                longest[vendor][period] = units
        self._longest = longest

    def describe(self) -> dict[str, dict[str, int]]:
        return {vendor: dict(periods) for vendor, periods in self._longest.items()}
