"""The connector config for a sync: one pointing at the sandbox, or the user's file for the real vendors."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from usage_sandbox import credentials

SANDBOX_HISTORY_DAYS = 60


def sandbox_config(url: str, today: str, start_date: str | None = None) -> dict[str, Any]:
    """All four vendors at the sandbox, from `start_date` (default 60 days before `today`) up to `today`.

    `end_date` is the sandbox's today, so the connector and the sandbox agree on which day is the last.
    """
    first = start_date or (date.fromisoformat(today) - timedelta(days=SANDBOX_HISTORY_DAYS)).isoformat()
    return {
        "start_date": first,
        "end_date": today,
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


class ConfigFileError(Exception):
    """The config file cannot be read as a JSON object; the message says which file and why."""


def load_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text())
    except OSError as problem:
        raise ConfigFileError(f"Cannot read the config file {path}: {problem.strerror}.") from None
    except json.JSONDecodeError as problem:
        where = f"{problem.msg}, line {problem.lineno}"
        raise ConfigFileError(f"The config file {path} is not JSON ({where}).") from None
    if not isinstance(config, dict):
        raise ConfigFileError(f"The config file {path} holds {type(config).__name__}, not a JSON object.")
    return config
