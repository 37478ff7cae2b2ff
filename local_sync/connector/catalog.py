"""The streams a config provides, from the connector's own `discover`, and the catalog `read` is given."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_sync.connector.process import Connector


@dataclass(frozen=True)
class Stream:
    """One stream as the connector declares it: its name, primary key, JSON schema and sync mode."""

    name: str
    primary_key: tuple[str, ...]
    json_schema: dict[str, Any]
    incremental: bool

    def configured(self) -> dict[str, Any]:
        """The stream in a configured catalog: incremental when it supports it, deduplicated by its key."""
        return {
            "stream": {
                "name": self.name,
                "json_schema": self.json_schema,
                "supported_sync_modes": ["full_refresh", "incremental"] if self.incremental else ["full_refresh"],
            },
            "sync_mode": "incremental" if self.incremental else "full_refresh",
            "destination_sync_mode": "append_dedup",
            "primary_key": [[key] for key in self.primary_key],
        }


def discover(connector: Connector) -> list[Stream]:
    """The config's streams, in the connector's order, from its `discover`."""
    return [_stream(entry) for entry in connector.discover()["streams"]]


def _stream(entry: dict[str, Any]) -> Stream:
    key = tuple(part[0] for part in entry.get("source_defined_primary_key") or [])
    return Stream(entry["name"], key, entry["json_schema"], "incremental" in entry["supported_sync_modes"])


def write_catalog(streams: list[Stream], path: Path) -> None:
    path.write_text(json.dumps({"streams": [stream.configured() for stream in streams]}))
