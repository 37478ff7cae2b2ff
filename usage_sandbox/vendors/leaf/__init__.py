"""Leaf (Leaf Agriculture): billing contracts, area consumed per day by the organisation and each Leaf user,
and the paginated user list. Every figure derives from the users' hidden daily areas, kept in hundredths."""

from typing import Any

NAME = "leaf"
PREFIX = "/leaf"
STREAMS = ("contracts", "contract_consumption", "daily_consumption", "leaf_users", "leaf_user_consumption")
USERNAME = "leaf@sandbox.test"
PASSWORD = "leaf-sandbox-password"
# how the daily summary (`/consumption`) reads, the default first: the totals to that day (as the docs' examples
# read) or that day's figures; providers.md (Leaf) says the docs do not tell
DAILY_SUMMARY_READINGS = ("to_date", "day")


def config_block(url: str) -> dict[str, Any]:
    """The connector's `leaf` block for the sandbox at `url`."""
    return {"username": USERNAME, "password": PASSWORD, "base_url": f"{url}{PREFIX}"}
