"""What a database was synced from, so sandbox data and vendor data never share one (or its state).

Works on a DuckDB connection and on a PostgreSQL cursor alike (ANSI SQL, information_schema).
"""

from dataclasses import dataclass
from typing import Any

TABLE = "_local_sync_target"
STATE_TABLE = "_airbyte_state"


class TargetMismatch(Exception):
    """The database holds data from another target; the message says which and what to do."""


@dataclass(frozen=True)
class Existing:
    """What the database held before this sync: its target and how many streams have state."""

    target: str | None
    streams_with_state: int


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def tables(cursor: Any, schema: str) -> set[str]:
    cursor.execute(f"SELECT table_name FROM information_schema.tables WHERE table_schema = {_literal(schema)}")
    return {row[0] for row in cursor.fetchall()}


def claim(cursor: Any, schema: str, where: str, target: str) -> Existing:
    """Records `target` in `schema` unless it already holds another target's data (`where` names the db)."""
    found_tables = tables(cursor, schema)
    found = None
    if TABLE in found_tables:
        cursor.execute(f"SELECT target FROM {schema}.{TABLE}")
        found = cursor.fetchone()
    streams = (0,)
    if STATE_TABLE in found_tables:
        cursor.execute(f"SELECT count(*) FROM {schema}.{STATE_TABLE} WHERE state_json IS NOT NULL")
        streams = cursor.fetchone()
    existing = Existing(found[0] if found else None, streams[0] if streams else 0)
    if existing.target not in (None, target):
        raise TargetMismatch(
            f"{where} holds data synced from {existing.target}, not {target}; "
            f"give another database with --db (or LOCAL_SYNC_DB), or delete {where} to start over."
        )
    cursor.execute(f"DROP TABLE IF EXISTS {schema}.{TABLE}")
    cursor.execute(f"CREATE TABLE {schema}.{TABLE} (target VARCHAR(200))")
    cursor.execute(f"INSERT INTO {schema}.{TABLE} VALUES ({_literal(target)})")
    return existing
