"""The connector's records into PostgreSQL through dlt's postgres destination: each window's records, the
last of each primary key, merged into the stream tables with the window's STATEs in `_airbyte_state`, as
one dlt load. A load cut short is finished by dlt at the start of the next sync, before the state is read."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt

from local_sync.connector.catalog import Stream
from local_sync.connector.progress import Progress
from local_sync.loaders import state_table
from local_sync.loaders.postgres_columns import column_hints
from local_sync.loaders.windows import LoadFailed, WindowedLoad

STATE_COLUMNS = {
    "source_name": {"data_type": "text", "nullable": False},
    "stream_name": {"data_type": "text", "nullable": False},
    "table_name": {"data_type": "text"},
    "state_json": {"data_type": "text"},
    "last_updated": {"data_type": "timestamp"},
}


class PostgresLoad(WindowedLoad):
    """One `source-usage read` into the pipeline's dataset (the PostgreSQL schema), window by window."""

    flush_seconds = 30.0  # a dlt load costs about a second: fewer, larger windows than DuckDB's

    def __init__(self, pipeline: dlt.Pipeline, streams: list[Stream], progress: Progress) -> None:
        super().__init__(progress)
        self.pipeline = pipeline
        self.streams = {stream.name: stream for stream in streams}

    def commit(self, spool: Path | None, states: dict[str, dict[str, Any]], streams: set[str]) -> None:
        rows = _last_per_key(spool, self.streams) if spool is not None else {}
        resources = [
            dlt.resource(
                list(records.values()),
                name=name,
                table_name=name,
                primary_key=list(self.streams[name].primary_key),
                write_disposition="merge",
                columns=column_hints(self.streams[name]),
                max_table_nesting=0,
            )  # fmt: skip
            for name, records in rows.items()
        ]
        now = datetime.now(UTC)
        saved = [
            {"source_name": state_table.SOURCE, "stream_name": stream, "table_name": stream,
             "state_json": json.dumps(state), "last_updated": now}
            for stream, state in states.items()
        ]  # fmt: skip
        resources.append(
            dlt.resource(
                saved,
                name=state_table.TABLE,
                table_name=state_table.TABLE,
                write_disposition="merge",
                primary_key=["source_name", "stream_name"],
                columns=STATE_COLUMNS,
            )  # fmt: skip
        )
        self.pipeline.run(resources).raise_on_failed_jobs()


def _last_per_key(spool: Path, streams: dict[str, Stream]) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """The spool's records per stream and primary key (the last one wins), with Airbyte's three columns."""
    found: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    fields = {name: list(stream.json_schema.get("properties", {})) for name, stream in streams.items()}
    with open(spool, "rb") as lines:
        for line in lines:
            record = json.loads(line)["record"]
            name = record["stream"]
            if name not in streams:
                raise LoadFailed(f"The connector sent records of stream {name}, which its catalog does not list.")
            data = record["data"]
            row = {field: data.get(field) for field in fields[name]}
            row["_airbyte_raw_id"] = str(uuid.uuid4())
            row["_airbyte_extracted_at"] = datetime.fromtimestamp(record["emitted_at"] / 1000, UTC)
            row["_airbyte_meta"] = record.get("meta") or {"changes": []}
            key = tuple(data.get(part) for part in streams[name].primary_key) or (row["_airbyte_raw_id"],)
            found.setdefault(name, {})[key] = row
    return found
