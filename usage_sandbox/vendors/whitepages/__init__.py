"""Whitepages: requests per day for one API key from the account's first use; days without use omitted."""

from typing import Any

NAME = "whitepages"
PREFIX = "/whitepages"
STREAMS = ("daily_usage",)
API_KEY = "wp-sandbox-key"


def config_block(url: str) -> dict[str, Any]:
    """The connector's `whitepages` block for the sandbox at `url`."""
    return {"api_key": API_KEY, "base_url": f"{url}{PREFIX}"}
