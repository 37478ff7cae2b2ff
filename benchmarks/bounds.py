"""The fewest requests a sync can make, per endpoint, from the sandbox's truth and the widest windows.

A day stream read from `first` to `today` needs ceil(days / widest window) requests per partition; a
full-refresh stream needs its pages; each session-token vendor needs one login. Endpoint names are the
sandbox's (`/_sandbox/stats`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from usage_sandbox.truth import truth

WIDEST_DAYS = {"whitepages": 90, "insideview_day": 92, "leaf_range": 366}
LEADFEEDER_MONTHS = 24
LEAF_USERS_PAGE = 100


@dataclass(frozen=True)
class Bound:
    vendor: str
    endpoint: str
    requests: int
    partitions: int  # windowed partitions: one extra request each is allowed (a window cut at a state boundary)


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def entities(seed: int, size: str, today: date) -> dict[str, int]:
    """Accounts, contracts and users the sandbox serves (they do not depend on the dates)."""
    records = truth(seed, size, today, today)
    return {
        "accounts": len(records["accounts"]),
        "contracts": len(records["contracts"]),
        "users": len(records["leaf_users"]),
        "insideview_accounts": len(records["credits"]),
    }


def lower_bounds(seed: int, size: str, today: date, first: date, vendors: tuple[str, ...]) -> list[Bound]:
    """Bounds for a sync whose incremental streams read every day from `first` to `today` inclusive."""
    counts = entities(seed, size, today)
    days = (today - first).days + 1
    bounds: list[Bound] = []
    if "leadfeeder" in vendors:
        accounts = counts["accounts"]
        bounds += [
            # the sandbox counts /v1/accounts under one name: the list once, then each account's credits
            # (`?account_id=`)
            Bound("leadfeeder", "accounts", 1 + accounts, 0),
            Bound(
                "leadfeeder",
                "usage",
                accounts * math.ceil(_months(first, today) / LEADFEEDER_MONTHS),
                accounts,
            ),
        ]
    if "insideview" in vendors:
        bounds += [
            Bound("insideview", "token", 1, 0),
            Bound("insideview", "usage", 1 + math.ceil(days / WIDEST_DAYS["insideview_day"]), 1),
        ]
    if "whitepages" in vendors:
        bounds.append(Bound("whitepages", "usage", math.ceil(days / WIDEST_DAYS["whitepages"]), 1))
    if "leaf" in vendors:
        contracts, users = counts["contracts"], counts["users"]
        ranges = math.ceil(days / WIDEST_DAYS["leaf_range"])
        bounds += [
            Bound("leaf", "authenticate", 1, 0),
            Bound("leaf", "contracts", 1, 0),
            Bound("leaf", "users", math.ceil(users / LEAF_USERS_PAGE), 0),
            Bound("leaf", "consumption_api_owner", contracts * ranges, contracts),
            Bound("leaf", "consumption", contracts * days, 0),
            Bound("leaf", "consumption_leaf_user", contracts * users * ranges, contracts * users),
        ]
    return bounds


def made(stats: dict[str, Any]) -> dict[tuple[str, str], dict[str, int]]:
    """Requests the sandbox served, per (vendor, endpoint), by status."""
    return {
        (vendor, endpoint): dict(statuses)
        for vendor, endpoints in stats.get("vendors", {}).items()
        for endpoint, statuses in endpoints.items()
    }


def compare(bounds: list[Bound], stats: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per endpoint: requests made (all statuses), 429s, the bound and the allowance."""
    served = made(stats)
    rows = []
    keys = [(b.vendor, b.endpoint) for b in bounds] + sorted(set(served) - {(b.vendor, b.endpoint) for b in bounds})
    by_key = {(b.vendor, b.endpoint): b for b in bounds}
    for key in keys:
        statuses = served.get(key, {})
        bound = by_key.get(key, Bound(*key, 0, 0))
        rows.append(
            {
                "vendor": key[0],
                "endpoint": key[1],
                "requests": sum(statuses.values()),
                "status_429": statuses.get("429", 0),
                "lower_bound": bound.requests,
                "allowed": bound.requests + bound.partitions,
            }
        )
    return rows
