"""`python -m local_sync` as the tests run it, and what a synced database holds, compared with the truth."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs

from integration_tests.discovered import PRIMARY_KEYS, json_schema
from integration_tests.truth_compare import Keyed, comparable, differences, key_of

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_SECONDS = 300
SEED, SIZE = 42, "small"


def command(db: str, workdir: Path, today: str, start: str, *extra: str) -> list[str]:
    args = [sys.executable, *extra, "-m", "local_sync", "--today", today, "--start-date", start, "--db", db]
    return args + ["--airbyte-dir", str(workdir / ".airbyte"), "--seed", str(SEED), "--size", SIZE]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def local_sync(db: str, workdir: Path, today: str, start: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """Runs the command in `workdir`, so nothing lands in the repo; asserts exit 0."""
    done = subprocess.run(
        command(db, workdir, today, start, *extra), cwd=workdir, env=environment(), capture_output=True,
        text=True, timeout=RUN_TIMEOUT_SECONDS,
    )  # fmt: skip
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


# printed (and flushed) as the read starts; progress lines are printed every 10 s off a terminal, so a "done" line
# can come late, after the sync has all but finished
READING = re.compile(r"^Reading \d+ streams ")


def interrupted(
    db: str,
    workdir: Path,
    today: str,
    start: str,
    sig: signal.Signals,
    reading_pattern: re.Pattern[str] = READING,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """Starts a sync in its own process group and sends `sig` to the group (as a terminal's Ctrl-C does) once
    its first window is committed, while Leaf is still being read; returns the exit code, stdout and stderr."""
    process = subprocess.Popen(
        command(db, workdir, today, start), cwd=workdir, env={**environment(), **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_interruptible,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    seen = _until(process.stdout, reading_pattern)
    _first_window(db)
    os.killpg(process.pid, sig)
    try:
        code = process.wait(60)
    finally:
        _kill_group(process.pid)
    return code, seen + process.stdout.read(), process.stderr.read()


def _first_window(db: str) -> None:
    """Into a DuckDB file: until its write-ahead log grows past what the tables' creation wrote and then stands
    still, i.e. the first window (records and STATE) is committed, so the interruption comes after it even on a
    loaded machine. Into PostgreSQL: until `_airbyte_state` holds a row."""
    if "://" in db:
        _first_postgres_window(db)
        return
    wal = Path(f"{db}.wal")

    def size() -> int:
        return wal.stat().st_size if wal.exists() else 0

    created = size()
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline and size() <= created:
        time.sleep(0.05)
    # the log grows while the commit is written: wait until it has stood still for a quarter of a second (the
    # committer starts at most one commit a second), so the kill does not land inside the first commit
    seen, still_since = size(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - still_since < 0.25:
        time.sleep(0.05)
        if size() != seen:
            seen, still_since = size(), time.monotonic()


def _interruptible() -> None:
    """Ctrl-C as a terminal delivers it, even where the tests run as a background job of a shell without job
    control, which starts them with SIGINT ignored (and a child inherits that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _until(out: IO[str], pattern: re.Pattern[str]) -> str:
    seen = []
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    for line in out:
        seen.append(line)
        if pattern.search(line) or time.monotonic() > deadline:
            break
    return "".join(seen)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def schema_fields(stream: str) -> list[str]:
    return list(json_schema(stream)["properties"])


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def duckdb_records(db: Path) -> tuple[Keyed, dict[str, int]]:
    """Per stream: the rows by primary key as the truth states them, and how many rows share a key."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as connection:
        return _records(lambda sql: connection.execute(sql).fetchall(), _tables(connection, "main"))


def _tables(connection: Any, schema: str) -> set[str]:
    return {row[0] for row in connection.execute(_tables_sql(schema)).fetchall()}


def _records(query: Any, tables: set[str], schema: str = "main") -> tuple[Keyed, dict[str, int]]:
    got: Keyed = {}
    duplicates: dict[str, int] = {}
    for stream in set(PRIMARY_KEYS) & tables:
        fields = schema_fields(stream)
        listed = ", ".join(f'"{name}"' for name in fields)
        json_fields = {name for name in fields if _is_json(stream, name)}
        rows = query(f'SELECT {listed} FROM {schema}."{stream}"')
        records = [
            {
                name: (json.loads(value) if name in json_fields and isinstance(value, str) else _plain(value))
                for name, value in zip(fields, row, strict=True)
            }
            for row in rows
        ]
        got[stream] = {key_of(stream, record): comparable(stream, record) for record in records}
        duplicates[stream] = len(records) - len(got[stream])
    return got, duplicates


def _is_json(stream: str, name: str) -> bool:
    kind = json_schema(stream)["properties"][name].get("type")
    return "array" in kind or "object" in kind


def assert_truth(got: Keyed, duplicates: dict[str, int], truth: dict[str, list[dict[str, Any]]]) -> None:
    """Every stream holds exactly the truth's keys with the truth's values, each key once."""
    assert set(got) == set(PRIMARY_KEYS), sorted(got)
    assert not any(duplicates.values()), duplicates
    found = differences(got, truth, PRIMARY_KEYS)
    assert not found, found


def postgres_state_count(url: str) -> int | None:
    """The rows of `_airbyte_state` in the URL's schema (`?schema=`), None before the table exists."""
    import psycopg2
    from psycopg2.errors import UndefinedTable

    base, _, query = url.partition("?")
    schema = parse_qs(query)["schema"][0]
    with psycopg2.connect(base) as connection, connection.cursor() as cursor:
        try:
            cursor.execute(f'SELECT count(*) FROM "{schema}"._airbyte_state')
        except UndefinedTable:
            return None
        return cursor.fetchone()[0]


def _first_postgres_window(url: str) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline and not postgres_state_count(url):
        time.sleep(0.1)


def postgres_records(url: str, schema: str) -> tuple[Keyed, dict[str, int]]:
    """`duckdb_records` for a PostgreSQL schema."""
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:

        def query(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql)
            return cursor.fetchall()

        return _records(query, {row[0] for row in query(_tables_sql(schema))}, schema)


def postgres_column_types(url: str, schema: str) -> dict[str, str]:
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{schema}'"
        )
        return dict(cursor.fetchall())


def _tables_sql(schema: str) -> str:
    return f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}'"
