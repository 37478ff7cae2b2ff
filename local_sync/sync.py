"""One sync into the database `db` names (a DuckDB file, or a postgresql:// URL); then the answers, the summary
and the report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from local_sync.connector import environment
from local_sync.connector.run_files import RunFiles
from local_sync.loaders.base import Loader, is_postgres
from local_sync.report.summary import Answers, Stats, summarize

if TYPE_CHECKING:
    from local_sync.answers.alerts import Alert
    from local_sync.answers.views import Pool


def loader_for(db: str) -> Loader:
    """The loader of the database `db` names; PostgreSQL's needs the [postgres] extra, so it is imported alone."""
    if is_postgres(db):
        from local_sync.loaders.postgres_sync import PostgresLoader

        return PostgresLoader(db)
    from local_sync.loaders.duckdb_sync import DuckDBLoader

    return DuckDBLoader(Path(db))


def sync(
    config: dict[str, Any],
    db: str,
    target_name: str,
    stats: Stats,
    given: Answers,
) -> tuple[list[Pool], list[Alert]]:
    """Every stream of `config` merged by primary key into `db`; sends new alerts to `given.targets`, prints the
    summary, writes the report, returns the credit pools and the open alerts. `given.card` (the rate card) and
    `given.budgets` replace the prices and budgets in `db`. Raises on failure."""
    started = time.monotonic()
    with RunFiles.create(config, environment.logs_dir()) as files, loader_for(db) as loader:
        streams, progress = loader.load(files, target_name)
        # after the read: the answers' modules (jinja2) stay out of the loader's peak
        from local_sync.report import text as report

        rows = report.rows_section(loader.row_counts(streams), loader.name)
        read = f"{len(streams)} streams, {progress.total:,} records"
        return summarize(
            loader.connection, loader.dialect, config, rows, stats, loader.folder, target_name, read, started, given
        )  # fmt: skip
