"""Where a sync keeps its logs and dlt's pipeline folder (PostgreSQL): inside the project, `.airbyte/`."""

import os
from pathlib import Path


def prepare(airbyte_dir: Path | None) -> None:
    """Logs under `airbyte_dir`/logs; when None, where AIRBYTE_LOGGING_ROOT says (the Makefile sets it), else
    `./.airbyte/logs`."""
    if airbyte_dir is not None or not os.environ.get("AIRBYTE_LOGGING_ROOT"):
        os.environ["AIRBYTE_LOGGING_ROOT"] = str(((airbyte_dir or Path(".airbyte")) / "logs").absolute())
    logs_dir().mkdir(parents=True, exist_ok=True)


def logs_dir() -> Path:
    return Path(os.environ["AIRBYTE_LOGGING_ROOT"])
