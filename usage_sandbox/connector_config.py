"""A source-usage connector config pointing at a running sandbox, with the credentials it accepts."""

from typing import Any

from usage_sandbox import credentials

VENDORS = ("leadfeeder", "insideview", "whitepages", "leaf")


def connector_config(url: str, start_date: str, *vendors: str, **overrides: Any) -> dict[str, Any]:
    """A connector config for the given vendors at the sandbox at `url` (all four when none are named).

    Overrides set top-level fields (`end_date`, `lookback_days`, ...); a dict given for a named vendor is
    merged into that vendor's block (`insideview={"period": "month"}`).
    """
    unknown = set(vendors) - set(VENDORS)
    if unknown:
        raise ValueError(f"unknown vendors {sorted(unknown)}")
    chosen = vendors or VENDORS
    blocks = vendor_blocks(url)
    config: dict[str, Any] = {"start_date": start_date}
    config.update({key: value for key, value in overrides.items() if key not in chosen})
    for vendor in chosen:
        config[vendor] = blocks[vendor]
        value = overrides.get(vendor)
        if isinstance(value, dict):
            config[vendor].update(value)
        elif vendor in overrides:
            config[vendor] = value
    return config


def vendor_blocks(url: str) -> dict[str, dict[str, Any]]:
    """Each vendor's config block: its `base_url` under `url` and the sandbox's credentials."""
    return {
        "leadfeeder": {
            "api_key": credentials.LEADFEEDER_API_KEY,
            "account_ids": [],
            "base_url": f"{url}/leadfeeder",
        },
        "insideview": {
            "client_id": credentials.INSIDEVIEW_CLIENT_ID,
            "client_secret": credentials.INSIDEVIEW_CLIENT_SECRET,
            "period": "day",
            "base_url": f"{url}/insideview",
            "token_url": f"{url}/insideview-login/Auth/login/v1/token.json",
        },
        "whitepages": {"api_key": credentials.WHITEPAGES_API_KEY, "base_url": f"{url}/whitepages"},
        "leaf": {
            "username": credentials.LEAF_USERNAME,
            "password": credentials.LEAF_PASSWORD,
            "base_url": f"{url}/leaf",
        },
    }
