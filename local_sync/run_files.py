"""The files of one sync: the config (it holds secrets: a private folder, deleted after), catalog, state,
the records' spool, and the connector's log (kept, under the logs folder)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self


@dataclass
class RunFiles:
    folder: Path
    log: Path

    @classmethod
    def create(cls, config: dict[str, Any], logs_dir: Path) -> Self:
        folder = Path(tempfile.mkdtemp(prefix="local-sync-"))  # mode 0700
        stamp = time.strftime("%Y%m%dT%H%M%S")
        files = cls(folder, logs_dir / "source-usage" / f"source-usage-{stamp}-{os.getpid()}.log")
        descriptor = os.open(files.config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump(config, out)
        return files

    @property
    def config(self) -> Path:
        return self.folder / "config.json"

    @property
    def catalog(self) -> Path:
        return self.folder / "catalog.json"

    @property
    def state(self) -> Path:
        return self.folder / "state.json"

    @property
    def spool(self) -> Path:
        return self.folder / "records.jsonl"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
