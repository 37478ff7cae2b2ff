"""One sync into the database `db` names (a DuckDB file, or a postgresql:// URL); then the answers, the summary
and the report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from local_sync.connector import environment
from local_sync.connector.run_files import RunFiles
from local_sync.loaders.base import is_postgres
from local_sync.loaders.duckdb_sync import open_database, read_into
from local_sync.report.summary import Stats, summarize

if TYPE_CHECKING:
    from local_sync.answers.views import Pool


def sync(config: dict[str, Any], db: str, target_name: str, stats: Stats) -> list[Pool]:
    """Every stream of `config` merged by primary key into `db`; prints the summary, writes the report, returns
    the credit pools. Raises on failure."""
    if is_postgres(db):
        from local_sync.loaders.postgres_sync import sync_postgres  # PostgreSQL's loader: the [postgres] extra

        return sync_postgres(config, db, target_name, stats)
    # after the read: the answers' modules (jinja2) stay out of the loader's peak
    from local_sync.report import text as report

    started = time.monotonic()
    name = Path(db).name
    with RunFiles.create(config, environment.logs_dir()) as files, open_database(Path(db)) as connection:
        streams, progress = read_into(connection, files, target_name, name)
        # the windows' MERGEs leave row versions that the answers' queries would scan again and again
        connection.execute("CHECKPOINT")
        counts = report.row_counts(connection, [stream.name for stream in streams])
        return summarize(
            connection, "duckdb", config, report.rows_section(counts, name), stats,
            Path(db).absolute().parent, target_name, f"{len(streams)} streams, {progress.total:,} records", started,
        )  # fmt: skip
