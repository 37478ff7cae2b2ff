"""Leadfeeder (Dealfront): accounts (with credits when asked for one), and monthly usage per endpoint
from hidden daily figures."""

from typing import Any

NAME = "leadfeeder"
PREFIX = "/leadfeeder"
STREAMS = ("accounts", "api_usage")
API_KEY = "lf-sandbox-key"


def config_block(url: str) -> dict[str, Any]:
    """The connector's `leadfeeder` block for the sandbox at `url`: every account the key sees."""
    return {"api_key": API_KEY, "account_ids": [], "base_url": f"{url}{PREFIX}"}
