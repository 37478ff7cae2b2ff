"""Where a sync keeps its logs (and PyAirbyte's files, on the PostgreSQL path): inside the project."""

import os
import warnings
from pathlib import Path


def prepare(airbyte_dir: Path | None) -> None:
    """Logs (and PyAirbyte's cache) under `airbyte_dir`; when None, where AIRBYTE_* say, else `./.airbyte`.

    PyAirbyte, when the PostgreSQL path imports it, reads these and runs offline and untracked.
    """
    os.environ["AIRBYTE_OFFLINE_MODE"] = "1"
    os.environ["DO_NOT_TRACK"] = "1"
    paths = {"AIRBYTE_CACHE_ROOT": "cache", "AIRBYTE_LOGGING_ROOT": "logs"}
    for variable, folder in paths.items():
        if airbyte_dir is not None or not os.environ.get(variable):
            os.environ[variable] = str(((airbyte_dir or Path(".airbyte")) / folder).absolute())
        Path(os.environ[variable]).mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", message="You are using a Python version", category=FutureWarning)


def logs_dir() -> Path:
    return Path(os.environ["AIRBYTE_LOGGING_ROOT"])
