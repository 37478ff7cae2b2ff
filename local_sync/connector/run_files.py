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

from local_sync.connector.catalog import Stream, write_catalog


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

    def read_args(self, streams: list[Stream], states: Any, where: str, existing: int) -> list[str]:
        """Says what is read and how, writes the catalog and the saved state, and gives `source-usage read`'s
        arguments: the same for every database."""
        mode = f"incremental: {where} holds state for {existing} streams" if states else f"first sync into {where}"
        names = ", ".join(stream.name for stream in streams)
        print(f"Reading {len(streams)} streams ({mode}): {names}", flush=True)
        write_catalog(streams, self.catalog)
        args = ["read", "--config", str(self.config), "--catalog", str(self.catalog)]
        if _write_state_file(states, self.state):
            args += ["--state", str(self.state)]
        return args

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _write_state_file(states: list[dict[str, Any]], path: Path) -> bool:
    """Writes `states` for `read --state`; False (nothing written) when there are none."""
    if not states:
        return False
    path.write_text(json.dumps(states))
    return True
