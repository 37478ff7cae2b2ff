"""One sync: PyAirbyte reads the connector into the DuckDB cache; then the answers, the summary and the report."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
from airbyte.caches import DuckDBCache

from local_sync import answers, html_report, report, target
from local_sync.connector import usage_source

Stats = Callable[[], dict[str, Any] | None]


def sync(config: dict[str, Any], db: Path, target_name: str, stats: Stats) -> list[answers.Pool]:
    """Every stream of `config` merged by primary key into `db`; prints the summary, writes the report beside
    `db`, returns the credit pools. Raises on failure."""
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
        lookback_days = config.get("lookback_days", 3)
        answers.refresh(connection, "duckdb", today=config.get("end_date"), lookback_days=lookback_days)
        pools = answers.runway(connection)
        counts = report.row_counts(connection, streams)
        sections = [
            report.rows_section(counts, db.name),
            report.requests_section(stats()),
            report.overview_section(connection),
            report.runway_section(pools),
        ]
        warnings = report.warnings_section(pools)
        sections += [warnings] if warnings else []
        page = html_report.write(connection, db.absolute().parent, target_name)
    elapsed = time.monotonic() - started
    records = f"{result.processed_records:,} records read"
    print(f"\nSynced {len(streams)} streams, {records}, in {elapsed:.0f} s.\n")
    print("\n\n".join(sections), flush=True)
    print(f"\nReport: {page}", flush=True)
    return pools
