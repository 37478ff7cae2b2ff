"""One sync: PyAirbyte reads the connector into the DuckDB cache; then the overview view and the summary."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
from airbyte.caches import DuckDBCache

from local_sync import report, target
from local_sync.connector import usage_source
from local_sync.overview import view_sql

Stats = Callable[[], dict[str, Any] | None]


def sync(config: dict[str, Any], db: Path, target_name: str, stats: Stats) -> None:
    """Every stream of `config` merged by primary key into `db`; prints the summary. Raises on failure."""
    started = time.monotonic()
    existing = target.claim(db, target_name)
    mode = (
        f"incremental: {db.name} holds state for {existing.streams_with_state} streams"
        if existing.streams_with_state
        else f"first sync into {db.name}"
    )
    print(f"Reading every stream ({mode}); PyAirbyte shows its progress below.", flush=True)
    source = usage_source(config)
    streams = source.get_selected_streams()
    cache = DuckDBCache(db_path=str(db), schema_name="main")
    # skip_validation: the connector checks the config itself and says what is wrong in one sentence.
    result = source.read(cache=cache, write_strategy="merge", skip_validation=True)
    cache.get_sql_engine().dispose()
    with duckdb.connect(str(db)) as connection:
        tables = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        connection.execute(view_sql(tables))
        counts = report.row_counts(connection, streams)
        sections = [
            report.rows_section(counts, db.name),
            report.requests_section(stats()),
            report.overview_section(connection),
        ]
    elapsed = time.monotonic() - started
    records = f"{result.processed_records:,} records read"
    print(f"\nSynced {len(streams)} streams, {records}, in {elapsed:.0f} s.\n")
    print("\n\n".join(sections), flush=True)
