"""A source-usage connector config pointing at a running sandbox, with the credentials it accepts."""

from typing import Any

from usage_sandbox.registry import VENDORS as MODULES

VENDORS = tuple(module.NAME for module in MODULES)


def connector_config(url: str, start_date: str, *vendors: str, **overrides: Any) -> dict[str, Any]:
    """A connector config for the given vendors at the sandbox at `url` (all of them when none are named).

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
    """Each vendor's config block, as its module writes it: its `base_url` under `url` and its credentials."""
    return {module.NAME: module.config_block(url) for module in MODULES}
