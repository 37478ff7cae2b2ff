"""The connector config for a sync: one pointing at the sandbox, or the user's file for the real vendors."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from usage_sandbox.connector_config import connector_config

SANDBOX_HISTORY_DAYS = 60


def sandbox_config(url: str, today: str, start_date: str | None = None) -> dict[str, Any]:
    """All four vendors at the sandbox, from `start_date` (default 60 days before `today`) up to `today`.

    `end_date` is the sandbox's today, so the connector and the sandbox agree on which day is the last.
    """
    first = start_date or (date.fromisoformat(today) - timedelta(days=SANDBOX_HISTORY_DAYS)).isoformat()
    return connector_config(url, first, end_date=today)


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
