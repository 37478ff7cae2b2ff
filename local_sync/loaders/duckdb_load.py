"""The connector's records into DuckDB by DuckDB itself: each window's spool is read by DuckDB's JSON reader,
merged into the stream tables by primary key, and committed in one transaction with the window's STATEs."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import duckdb

from local_sync.connector.catalog import Stream
from local_sync.connector.process import Message
from local_sync.connector.progress import Progress
from local_sync.loaders import duckdb_tables, state_table
from local_sync.loaders.columns import literal
from local_sync.loaders.windows import LoadFailed, WindowedLoad
from source_usage.declared import STREAMS

# While the connector reads, DuckDB works under a memory cap and its allocator hands back at once what a commit
# freed (by default it keeps up to 128 MB of freed memory): the loader stays near 85 MB beside the connector
# instead of 125 (the side by side, benchmarks/README.md). A window that needs more than the cap is committed
# again without it. The settings are put back after the read (SET, not RESET: DuckDB 1.4's RESET memory_limit
# leaves the buffer pool's limit).
LEAN_MEMORY = "48MB"
LEAN = {
    "memory_limit": LEAN_MEMORY,
    "allocator_flush_threshold": "0MB",
    "allocator_bulk_deallocation_flush_threshold": "0MB",
}


class DuckDBLoad(WindowedLoad):
    """One `source-usage read` into an open DuckDB connection, window by window."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, streams: list[Stream], progress: Progress) -> None:
        super().__init__(progress)
        self.connection = connection
        self.streams = {stream.name: stream for stream in streams}
        self.settings = {name: self._setting(name) for name in LEAN}

    def _setting(self, name: str) -> str:
        return self.connection.execute(f"SELECT current_setting({literal(name)})").fetchone()[0]  # type: ignore[index]

    def run(self, reader: Generator[Message, None, None], spool: Path) -> int:
        self._set(LEAN)
        try:
            return super().run(reader, spool)
        finally:
            self._set(self.settings)

    def _set(self, settings: dict[str, str]) -> None:
        for name, value in settings.items():
            self.connection.execute(f"SET {name} = {literal(value)}")

    def _uncapped(self) -> None:
        self._set({"memory_limit": self.settings["memory_limit"]})

    def commit(self, spool: Path | None, states: dict[str, dict[str, Any]], streams: set[str]) -> None:
        try:
            try:
                self._commit_once(spool, states, streams)
            except duckdb.OutOfMemoryException:
                # a window too large for the lean cap (duckdb_sync.LEAN_MEMORY): again with DuckDB's default
                self._uncapped()
                self._commit_once(spool, states, streams)
        except (duckdb.ConversionException, duckdb.InvalidInputException) as problem:
            assert spool is not None
            raise self._unreadable(spool, streams, problem) from None

    def _commit_once(self, spool: Path | None, states: dict[str, dict[str, Any]], streams: set[str]) -> None:
        connection = self.connection
        connection.execute("BEGIN TRANSACTION")
        try:
            if spool is not None:
                batch = self._batch(spool, streams)
                for name in sorted(streams):
                    if name not in self.streams:
                        raise LoadFailed(
                            f"The connector sent records of stream {name}, which its catalog does not list."
                        )
                    connection.execute(duckdb_tables.merge_sql(self.streams[name], batch))
            state_table.save(connection, states)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _batch(self, spool: Path, streams: set[str]) -> str:
        return duckdb_tables.batch_sql(
            str(spool), [self.streams[name] for name in sorted(streams) if name in self.streams]
        )

    def _unreadable(self, spool: Path, streams: set[str], problem: duckdb.Error) -> LoadFailed:
        """The sentence for a window DuckDB could not store: the vendor, stream and field, when one is found."""
        batch = self._batch(spool, streams)
        for name in sorted(streams):
            stream = self.streams[name]
            column = duckdb_tables.unreadable_field(self.connection, stream, batch)
            if column is not None:
                vendor = (STREAMS[name].vendor if name in STREAMS else "the connector").capitalize()
                return LoadFailed(
                    f"{vendor}'s stream {name} sent a {column.name} that is not a {column.sql_type}, as its schema "
                    f"(schemas/{name}.json) says; fix the schema or the record, then sync again."
                )
        reason = str(problem).strip().splitlines()[0]
        names = ", ".join(sorted(streams))
        return LoadFailed(f"The records of {names} do not match their schemas (schemas/*.json): {reason}.")
