"""What a DuckDB file was synced from, so sandbox data and vendor data never share a file (or its state)."""

from dataclasses import dataclass
from pathlib import Path

import duckdb

TABLE = "_local_sync_target"


class TargetMismatch(Exception):
    """The file holds data from another target; the message says which and what to do."""


@dataclass(frozen=True)
class Existing:
    """What `db` held before this sync: its target and how many streams have PyAirbyte state."""

    target: str | None
    streams_with_state: int


def claim(db: Path, target: str) -> Existing:
    """Records `target` in `db` (created if missing), unless `db` already holds another target's data."""
    with duckdb.connect(str(db)) as connection:
        tables = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        found = connection.execute(f"SELECT target FROM {TABLE}").fetchone() if TABLE in tables else None
        state = "SELECT count(*) FROM _airbyte_state WHERE state_json IS NOT NULL"
        streams = connection.execute(state).fetchone() if "_airbyte_state" in tables else None
        existing = Existing(found[0] if found else None, streams[0] if streams else 0)
        if existing.target not in (None, target):
            raise TargetMismatch(
                f"{db} holds data synced from {existing.target}, not {target}; "
                f"give another file with --db (or LOCAL_SYNC_DB), or delete {db} to start over."
            )
        connection.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT ? AS target", [target])
    return existing
