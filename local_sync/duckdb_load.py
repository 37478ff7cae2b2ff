"""The connector's records into DuckDB by DuckDB itself: each window of records up to a STATE message is
read by DuckDB's JSON reader from a spool file, merged into the stream tables by primary key, and committed
in one transaction with that STATE. A crash or Ctrl-C keeps every committed window; the next run resumes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from local_sync import duckdb_tables, state_table
from local_sync.catalog import Stream
from local_sync.connector_process import ConnectorFailed, messages
from local_sync.progress import Progress
from local_sync.report import STREAM_VENDORS

FLUSH_SECONDS = 1.0
FLUSH_BYTES = 64 * 2**20
STREAM_PREFIX = b'{"type":"RECORD","record":{"stream":"'


class LoadFailed(Exception):
    """A record could not be stored as its stream's schema says; the message names the vendor and field."""


@dataclass
class Window:
    """The records and STATE messages received since the last commit; the spool is the records' file."""

    spool: Path
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    committed_bytes: int = 0
    windows: int = 0

    def __post_init__(self) -> None:
        self.file = open(self.spool, "wb")  # noqa: SIM115 - kept open across the sync, closed by close()

    def close(self) -> None:
        self.file.close()


class DuckDBLoad:
    """One `source-usage read` into an open DuckDB connection, window by window."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, streams: list[Stream], progress: Progress) -> None:
        self.connection, self.progress = connection, progress
        self.streams = {stream.name: stream for stream in streams}
        self.merges = {stream.name: duckdb_tables.merge_sql(stream) for stream in streams}

    def run(self, args: list[str], spool: Path, log_path: Path) -> int:
        """Reads until the connector ends; returns how many windows were committed. Raises on failure, after
        committing the records up to the last STATE received."""
        window = Window(spool)
        last_flush = time.monotonic()
        reader = messages(args, log_path)
        try:
            for kind, message in reader:
                if kind == "RECORD":
                    window.file.write(message)  # type: ignore[arg-type]
                    self.progress.record(_stream_name(message))  # type: ignore[arg-type]
                elif kind == "STATE":
                    state = message["state"]  # type: ignore[index]
                    window.states[state_table.stream_of(state)] = state
                    window.file.flush()
                    window.committed_bytes = window.file.tell()
                    if time.monotonic() - last_flush >= FLUSH_SECONDS or window.committed_bytes >= FLUSH_BYTES:
                        self._commit(window)
                        last_flush = time.monotonic()
                elif kind == "TRACE" and message["trace"].get("type") == "STREAM_STATUS":  # type: ignore[index]
                    status = message["trace"]["stream_status"]  # type: ignore[index]
                    self.progress.status(status["stream_descriptor"]["name"], status["status"])
            window.file.flush()
            window.committed_bytes = window.file.tell()
            self._commit(window)
        except (ConnectorFailed, KeyboardInterrupt):
            reader.close()
            self._commit(window)
            raise
        finally:
            reader.close()
            window.close()
        return window.windows

    def _commit(self, window: Window) -> None:
        """Records up to the last STATE and the STATEs, in one transaction; the spool starts over."""
        if not window.states:
            return
        window.file.flush()
        window.file.truncate(window.committed_bytes)
        connection = self.connection
        connection.execute("BEGIN TRANSACTION")
        try:
            if window.committed_bytes:
                connection.execute(duckdb_tables.batch_sql(str(window.spool)))
                found = connection.execute(f"SELECT DISTINCT stream FROM {duckdb_tables.BATCH}").fetchall()
                for (name,) in found:
                    self._merge(name)
            state_table.save(connection, window.states)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        window.windows += 1
        window.states = {}
        window.file.seek(0)
        window.file.truncate()
        window.committed_bytes = 0

    def _merge(self, name: str) -> None:
        if name not in self.streams:
            raise LoadFailed(f"The connector sent records of stream {name}, which its catalog does not list.")
        try:
            self.connection.execute(self.merges[name])
        except duckdb.ConversionException:
            stream = self.streams[name]
            column = duckdb_tables.unreadable_field(self.connection, stream)
            field_name = column.name if column else "?"
            kind = column.sql_type if column else "its type"
            vendor = STREAM_VENDORS.get(name, "the connector").capitalize()
            raise LoadFailed(
                f"{vendor}'s stream {name} sent a {field_name} that is not a {kind}, as its schema "
                f"(schemas/{name}.json) says; fix the schema or the record, then sync again."
            ) from None


def _stream_name(line: bytes) -> str:
    if line.startswith(STREAM_PREFIX):
        end = line.find(b'"', len(STREAM_PREFIX))
        return line[len(STREAM_PREFIX) : end].decode()
    return json.loads(line)["record"]["stream"]
