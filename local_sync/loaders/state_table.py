"""`_airbyte_state`: the connector's last committed STATE per stream, in PyAirbyte's columns.

The columns are PyAirbyte's (source_name, stream_name, table_name, state_json, last_updated), so a file it
wrote resumes from its state. `state_json` is the STATE message's `state` object, as the connector sent it.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from local_sync.loaders.columns import literal

TABLE = "_airbyte_state"
SOURCE = "source-usage"
GLOBAL = "_global"


def create(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS main.{TABLE} (source_name VARCHAR, stream_name VARCHAR, table_name VARCHAR, "
        "state_json VARCHAR, last_updated TIMESTAMP WITH TIME ZONE)"
    )


def stream_of(state: dict[str, Any]) -> str:
    """The stream a STATE message's `state` is about (`_global` for a GLOBAL or legacy state)."""
    if state.get("type", "STREAM") == "STREAM" and state.get("stream"):
        return state["stream"]["stream_descriptor"]["name"]
    return GLOBAL


def save(connection: duckdb.DuckDBPyConnection, states: dict[str, dict[str, Any]]) -> None:
    """Replaces the rows of the streams in `states` (stream → `state`); runs inside the caller's transaction."""
    for stream, state in states.items():
        source, name = literal(SOURCE), literal(stream)
        connection.execute(f"DELETE FROM main.{TABLE} WHERE source_name = {source} AND stream_name = {name}")
        connection.execute(
            f"INSERT INTO main.{TABLE} VALUES ({source}, {name}, {name}, {literal(json.dumps(state))}, now())"
        )


def load(connection: duckdb.DuckDBPyConnection, streams: list[str]) -> list[dict[str, Any]]:
    """The stored states of `streams` (and a global one), as the list `read --state` takes."""
    return states_of(connection.execute(SELECT_SQL.format(schema="main")).fetchall(), streams)


SELECT_SQL = (
    "SELECT stream_name, state_json FROM {schema}." + TABLE + f" WHERE source_name = {literal(SOURCE)} "
    "AND state_json IS NOT NULL"
)


def states_of(rows: list[tuple[str, str]], streams: list[str]) -> list[dict[str, Any]]:
    """`(stream_name, state_json)` rows of `_airbyte_state` as `read --state` takes them, for `streams`."""
    wanted = {*streams, GLOBAL}
    return [_protocol(json.loads(text)) for stream, text in rows if stream in wanted]


def _protocol(state: dict[str, Any]) -> dict[str, Any]:
    # PyAirbyte stored its model's null fields too, one under a wrong name (global_); the protocol has neither
    return {key: value for key, value in state.items() if value is not None and key != "global_"}
