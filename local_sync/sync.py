"""One sync into the database `db` names (a DuckDB file, or a postgresql:// URL); then the summary."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local_sync import environment, report
from local_sync.duckdb_sync import open_database, read_into
from local_sync.overview import view_sql
from local_sync.run_files import RunFiles
from local_sync.target import tables

Stats = Callable[[], dict[str, Any] | None]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refuses the login; the message says where (never a password)."""


def is_postgres(db: str) -> bool:
    return db.startswith(POSTGRES_SCHEMES)


def sync(config: dict[str, Any], db: str, target_name: str, stats: Stats) -> None:
    """Every stream of `config` merged by primary key into `db`; prints the summary. Raises on failure."""
    if is_postgres(db):
        from local_sync.postgres_sync import sync_postgres  # PostgreSQL's loader: the [postgres] extra

        sync_postgres(config, db, target_name, stats)
        return
    started = time.monotonic()
    name = Path(db).name
    with RunFiles.create(config, environment.logs_dir()) as files, open_database(Path(db)) as connection:
        streams, progress = read_into(connection, files, target_name, name)
        connection.execute(view_sql(tables(connection, "main")))
        counts = report.row_counts(connection, [stream.name for stream in streams])
        sections = [
            report.rows_section(counts, name),
            report.requests_section(stats()),
            report.overview_section(connection),
        ]
    elapsed = time.monotonic() - started
    print(f"\nSynced {len(streams)} streams, {progress.total:,} records read, in {elapsed:.0f} s.\n")
    print("\n\n".join(sections), flush=True)
