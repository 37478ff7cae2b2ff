"""Ground truth: the exact records a complete sync from `start_date` must produce (connector shape)."""

from datetime import date
from typing import Any

from usage_sandbox.registry import VENDORS, api
from usage_sandbox.vendors import leaf

STREAMS = tuple(stream for module in VENDORS for stream in module.STREAMS)


def truth(
    seed: int,
    size: str,
    today: date | str,
    start_date: date | str,
    insideview_period: str = "day",
    leaf_daily_summary: str = leaf.DAILY_SUMMARY_READINGS[0],
) -> dict[str, list[dict[str, Any]]]:
    """Records per stream (credits without `observed_at`, which is the time of a sync), for the InsideView
    period a config asks for and the way the sandbox serves Leaf's daily summary."""
    today = date.fromisoformat(today) if isinstance(today, str) else today
    start = date.fromisoformat(start_date) if isinstance(start_date, str) else start_date
    options = {"insideview_period": insideview_period, "leaf_daily_summary": leaf_daily_summary}
    records: dict[str, list[dict[str, Any]]] = {}
    for vendor in VENDORS:
        records.update(api(vendor).truth(seed, size, start, today, options))
    return {stream: records[stream] for stream in STREAMS}


def provider_secrets(seed: int, size: str) -> list[str]:
    """Every secret the Leaf users embed (client secrets, access and refresh tokens, passwords...): none of
    them may appear in a record, a log, a state or an error."""
    return api(leaf).provider_secrets(seed, size)


def personal_values(seed: int, size: str) -> list[str]:
    """Every grower's phone number and address the Leaf users carry: none of them may leave the connector."""
    return api(leaf).personal_values(seed, size)
