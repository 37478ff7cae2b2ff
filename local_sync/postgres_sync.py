"""`make sync` into PostgreSQL (LOCAL_SYNC_DB=postgresql://...): PyAirbyte's PostgresCache, the [postgres] extra.

PyAirbyte writes Airbyte's own table layout (typed columns, `_airbyte_raw_id`, `_airbyte_extracted_at`,
`_airbyte_meta`, state in `_airbyte_state`) and merges by primary key; dlt's postgres destination would
write its own `_dlt_*` columns instead. Only this path imports PyAirbyte.
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local_sync import report, target
from local_sync.connector_process import ConnectorFailed
from local_sync.sync import DatabaseUnavailable

DEFAULT_SCHEMA = "public"
DEFAULT_PORT = 5432


def cache_settings(url: str) -> dict[str, Any]:
    """PostgresCache's settings from `postgresql://user[:password]@host[:port]/database[?schema=name]`."""
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not parts.username or not database:
        raise DatabaseUnavailable(
            "LOCAL_SYNC_DB must name the user, host and database: postgresql://user[:password]@host[:port]/database"
        )
    return {
        "host": parts.hostname,
        "port": parts.port or DEFAULT_PORT,
        "username": unquote(parts.username),
        "password": unquote(parts.password or ""),
        "database": database,
        "schema_name": parse_qs(parts.query).get("schema", [DEFAULT_SCHEMA])[0],
    }


def where(settings: dict[str, Any]) -> str:
    """The database as the messages name it: no password."""
    return f"postgresql://{settings['username']}@{settings['host']}:{settings['port']}/{settings['database']}"


def sync_postgres(config: dict[str, Any], url: str, target_name: str, stats: Any) -> None:
    """Every stream of `config` merged by primary key into the URL's schema; prints the summary."""
    import sqlalchemy
    from airbyte.caches import PostgresCache
    from airbyte.exceptions import PyAirbyteError

    from local_sync.pyairbyte_source import usage_source

    started = time.monotonic()
    os.environ["PGTZ"] = "UTC"  # libpq's session time zone: PyAirbyte's naive timestamps are UTC
    settings = cache_settings(url)
    schema, name = settings["schema_name"], where(settings)
    cache = PostgresCache(**settings)
    try:
        with cache.get_sql_engine().begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            existing = target.claim(connection.connection.cursor(), schema, name, target_name)
    except sqlalchemy.exc.OperationalError as problem:
        reason = str(problem.orig).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot connect to {name} ({reason}); start the server or fix the URL.") from None
    mode = (
        f"incremental: {name} holds state for {existing.streams_with_state} streams"
        if existing.streams_with_state
        else f"first sync into {name}"
    )
    print(f"Reading every stream into schema {schema} ({mode}); PyAirbyte shows its progress below.", flush=True)
    source = usage_source(config)
    streams = source.get_selected_streams()
    try:
        # skip_validation: the connector checks the config itself and says what is wrong in one sentence.
        result = source.read(cache=cache, write_strategy="merge", skip_validation=True)
    except PyAirbyteError as problem:
        log_file = getattr(problem, "log_file", None)
        raise ConnectorFailed(f"{problem.get_message()}" + (f" (log: {log_file})" if log_file else "")) from None
    with cache.get_sql_engine().begin() as connection:
        cursor = connection.connection.cursor()
        with_time_zone(cursor, schema, streams)
        counts = {}
        for stream in streams:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{stream}"')
            counts[stream] = cursor.fetchone()[0]
    cache.get_sql_engine().dispose()
    ordered = {stream: counts[stream] for stream in report.STREAM_VENDORS if stream in counts}
    sections = [report.rows_section(ordered, f"{name} (schema {schema})"), report.requests_section(stats())]
    elapsed = time.monotonic() - started
    print(f"\nSynced {len(streams)} streams, {result.processed_records:,} records read, in {elapsed:.0f} s.\n")
    print("\n\n".join(sections), flush=True)


def with_time_zone(cursor: Any, schema: str, streams: list[str]) -> None:
    """PyAirbyte's `timestamp without time zone` columns (UTC) become `timestamp with time zone`, as
    Airbyte's destinations write them; once per column, later syncs insert into the converted column."""
    listed = ", ".join("'" + stream.replace("'", "''") + "'" for stream in streams)
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s "
        f"AND table_name IN ({listed}) AND data_type = 'timestamp without time zone'",
        [schema],
    )
    for table, column in cursor.fetchall():
        cursor.execute(
            f'ALTER TABLE "{schema}"."{table}" ALTER COLUMN "{column}" TYPE timestamp with time zone '
            f"USING \"{column}\" AT TIME ZONE 'UTC'"
        )
