"""One sync into the database `db` names (a DuckDB file, or a postgresql:// URL); then the answers, the summary
and the report."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from local_sync import environment
from local_sync.duckdb_sync import open_database, read_into
from local_sync.run_files import RunFiles

if TYPE_CHECKING:
    from local_sync.answers import Pool

Stats = Callable[[], dict[str, Any] | None]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refuses the login; the message says where (never a password)."""


def is_postgres(db: str) -> bool:
    return db.startswith(POSTGRES_SCHEMES)


def sync(config: dict[str, Any], db: str, target_name: str, stats: Stats) -> list[Pool]:
    """Every stream of `config` merged by primary key into `db`; prints the summary, writes the report, returns
    the credit pools. Raises on failure."""
    if is_postgres(db):
        from local_sync.postgres_sync import sync_postgres  # PostgreSQL's loader: the [postgres] extra

        return sync_postgres(config, db, target_name, stats)
    from local_sync import report  # after the read: the answers' modules (jinja2) stay out of the loader's peak

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


def summarize(
    connection: Any,
    dialect: str,
    config: dict[str, Any],
    rows: str,
    stats: Stats,
    folder: Path,
    target_name: str,
    read: str,
    started: float,
) -> list[Pool]:
    """After the records and states are committed: the answers rebuilt, the summary printed, the report written
    into `folder`; the same for every database."""
    from local_sync import answers, html_report, report

    answers.refresh(connection, dialect, today=config.get("end_date"), lookback_days=config.get("lookback_days", 3))
    pools = answers.runway(connection)
    sections = [rows, report.requests_section(stats()), report.overview_section(connection)]
    sections.append(report.runway_section(pools))
    warnings = report.warnings_section(pools)
    sections += [warnings] if warnings else []
    page = html_report.write(connection, folder, target_name)
    elapsed = time.monotonic() - started
    print(f"\nSynced {read} read, in {elapsed:.0f} s.\n")
    print("\n\n".join(sections), flush=True)
    print(f"\nReport: {page}", flush=True)
    return pools
