"""The connector's records into DuckDB by DuckDB itself: each window's spool is read by DuckDB's JSON reader,
merged into the stream tables by primary key, and committed in one transaction with the window's STATEs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from local_sync import duckdb_tables, state_table
from local_sync.catalog import Stream
from local_sync.progress import Progress
from local_sync.report import STREAM_VENDORS
from local_sync.windows import LoadFailed, WindowedLoad


class DuckDBLoad(WindowedLoad):
    """One `source-usage read` into an open DuckDB connection, window by window."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, streams: list[Stream], progress: Progress) -> None:
        super().__init__(progress)
        self.connection = connection
        self.streams = {stream.name: stream for stream in streams}

    def commit(self, spool: Path | None, states: dict[str, dict[str, Any]], streams: set[str]) -> None:
        connection = self.connection
        connection.execute("BEGIN TRANSACTION")
        try:
            if spool is not None:
                batch = duckdb_tables.batch_sql(
                    str(spool), [self.streams[name] for name in streams if name in self.streams]
                )
                for name in sorted(streams):
                    self._merge(name, batch)
            state_table.save(connection, states)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _merge(self, name: str, batch: str) -> None:
        if name not in self.streams:
            raise LoadFailed(f"The connector sent records of stream {name}, which its catalog does not list.")
        try:
            self.connection.execute(duckdb_tables.merge_sql(self.streams[name], batch))
        except duckdb.InvalidInputException as problem:
            vendor = STREAM_VENDORS.get(name, "the connector").capitalize()
            reason = str(problem).strip().splitlines()[0]
            raise LoadFailed(
                f"{vendor}'s stream {name} sent a record that does not match its schema (schemas/{name}.json): "
                f"{reason}; fix the schema or the record, then sync again."
            ) from None
        except duckdb.ConversionException:
            stream = self.streams[name]
            column = duckdb_tables.unreadable_field(self.connection, stream, batch)
            field_name = column.name if column else "?"
            kind = column.sql_type if column else "its type"
            vendor = STREAM_VENDORS.get(name, "the connector").capitalize()
            raise LoadFailed(
                f"{vendor}'s stream {name} sent a {field_name} that is not a {kind}, as its schema "
                f"(schemas/{name}.json) says; fix the schema or the record, then sync again."
            ) from None
