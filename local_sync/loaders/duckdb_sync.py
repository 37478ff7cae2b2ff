"""`make sync` into a DuckDB file: discover, bring the tables to the streams' columns, read window by window."""

from __future__ import annotations

from pathlib import Path

import duckdb

from local_sync.connector.catalog import Stream, discover
from local_sync.connector.process import Connector
from local_sync.connector.progress import Progress
from local_sync.connector.run_files import RunFiles
from local_sync.loaders import duckdb_tables, state_table, target
from local_sync.loaders.base import Loader
from local_sync.loaders.columns import literal
from local_sync.loaders.duckdb_load import DuckDBLoad

# PyAirbyte's bookkeeping in files it wrote; nothing reads it now (its _airbyte_state is kept and used)
PYAIRBYTE_TABLES = ("_airbyte_streams", "_airbyte_destination_state")


def open_database(db: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(db))
    # one thread: the batch keeps the connector's order, and a sync beside the connector stays small
    connection.execute("SET threads = 1")
    return connection


def prepare(connection: duckdb.DuckDBPyConnection, streams: list[Stream]) -> list[str]:
    """Tables created or brought to the streams' columns, PyAirbyte's bookkeeping dropped; what changed."""
    connection.execute("BEGIN TRANSACTION")
    changes = []
    for name in PYAIRBYTE_TABLES:
        if connection.execute(f"SELECT 1 FROM duckdb_tables() WHERE table_name = {literal(name)}").fetchone():
            connection.execute(f"DROP TABLE main.{name}")
            changes.append(f"{name}: PyAirbyte's bookkeeping removed")
    state_table.create(connection)
    for stream in streams:
        changes += duckdb_tables.prepare(connection, stream)
    connection.execute("COMMIT")
    return changes


def read_into(
    connection: duckdb.DuckDBPyConnection, config_files: RunFiles, target_name: str, db_name: str
) -> tuple[list[Stream], Progress]:
    """The whole sync into `connection`; returns the streams and what was read."""
    existing = target.claim(connection, duckdb_tables.SCHEMA, db_name, target_name)
    with Connector(config_files.config, config_files.log) as connector:
        streams = discover(connector)
        for change in prepare(connection, streams):
            print(f"  {change}", flush=True)
        states = state_table.load(connection, [stream.name for stream in streams])
        args = config_files.read_args(streams, states, db_name, existing.streams_with_state)
        progress = Progress()
        DuckDBLoad(connection, streams, progress).run(connector.read(args), config_files.spool)
    return streams, progress


class DuckDBLoader(Loader):
    """A DuckDB file: its tables merged by DuckDB itself, each window one transaction."""

    dialect = "duckdb"

    def __init__(self, db: Path) -> None:
        self.name, self.folder = db.name, db.absolute().parent
        self._connection = open_database(db)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        return self._connection

    def load(self, files: RunFiles, target_name: str) -> tuple[list[Stream], Progress]:
        streams, progress = read_into(self._connection, files, target_name, self.name)
        # the windows' MERGEs leave row versions that the answers' queries would scan again and again
        self._connection.execute("CHECKPOINT")
        return streams, progress

    def row_counts(self, streams: list[Stream]) -> dict[str, int]:
        counted = f"SELECT count(*) FROM {duckdb_tables.SCHEMA}"
        return {stream.name: self._connection.execute(f'{counted}."{stream.name}"').fetchone()[0] for stream in streams}

    def close(self) -> None:
        self._connection.close()
