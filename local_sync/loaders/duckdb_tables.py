"""The stream tables in DuckDB: created, or brought to the stream's columns; and the merge of a batch.

Bringing a table to its columns is also the migration of a file PyAirbyte wrote: its tables have the same
columns, but TIMESTAMP where Airbyte's destinations write TIMESTAMP WITH TIME ZONE (the values were UTC).
"""

from __future__ import annotations

import duckdb

from local_sync.connector.catalog import Stream
from local_sync.loaders.columns import Column, columns, literal, quote

SCHEMA = "main"
EMPTY_META = '{"changes":[]}'


def table_name(stream: str) -> str:
    return f"{SCHEMA}.{quote(stream)}"


def prepare(connection: duckdb.DuckDBPyConnection, stream: Stream) -> list[str]:
    """Creates the stream's table, or adds the columns it lacks and converts those typed otherwise.

    Returns one line per change made to an existing table (empty when none was needed).
    """
    wanted = columns(stream.json_schema)
    found = dict(
        connection.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            f"WHERE schema_name = {literal(SCHEMA)} AND table_name = {literal(stream.name)}"
        ).fetchall()
    )
    table = table_name(stream.name)
    if not found:
        listed = ", ".join(f"{column.quoted} {column.sql_type}" for column in wanted)
        connection.execute(f"CREATE TABLE {table} ({listed})")
        return []
    changes = []
    for column in wanted:
        if column.name not in found:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column.quoted} {column.sql_type}")
            changes.append(f"{stream.name}: column {column.name} added ({column.sql_type})")
        elif found[column.name] != column.sql_type:
            using = _convert(column, found[column.name])
            connection.execute(f"ALTER TABLE {table} ALTER {column.quoted} TYPE {column.sql_type} USING {using}")
            changes.append(f"{stream.name}: column {column.name} {found[column.name]} -> {column.sql_type}")
    return changes


def _convert(column: Column, old_type: str) -> str:
    if old_type == "TIMESTAMP" and column.sql_type == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {column.quoted})"
    return f"CAST({column.quoted} AS {column.sql_type})"


def batch_sql(spool: str, streams: list[Stream]) -> str:
    """A window's records as rows, in the order the connector emitted them: DuckDB's JSON reader parses each
    record once into a struct of the fields of `streams` (text, or JSON for arrays and objects)."""
    fields: dict[str, str] = {}
    for stream in streams:
        for column in columns(stream.json_schema):
            if not column.name.startswith("_airbyte_"):
                fields[column.name] = "JSON" if "JSON" in (fields.get(column.name), column.read_as) else column.read_as
    data = ", ".join(f"{quote(name)} {kind}" for name, kind in fields.items())
    record = f"STRUCT(stream VARCHAR, data STRUCT({data}), emitted_at BIGINT, meta JSON)"
    return (
        "(SELECT row_number() OVER () AS seq, record.stream AS stream, record.data AS data, "
        "record.emitted_at AS emitted_at, record.meta AS meta "
        f"FROM read_json({literal(spool)}, format = 'newline_delimited', maximum_object_size = 1048576, "
        f"columns = {{'type': 'VARCHAR', 'record': {literal(record)}}}))"
    )


def typed_select(stream: Stream, batch: str) -> str:
    """The batch's records of `stream` as the table's columns, the last record of each primary key only."""
    values = []
    for column in columns(stream.json_schema):
        if column.name == "_airbyte_raw_id":
            values.append(f"CAST(uuid() AS VARCHAR) AS {column.quoted}")
        elif column.name == "_airbyte_extracted_at":
            values.append(f"make_timestamptz(emitted_at * 1000) AS {column.quoted}")
        elif column.name == "_airbyte_meta":
            values.append(f"coalesce(meta, '{EMPTY_META}') AS {column.quoted}")
        else:
            values.append(f"{column.from_batch('data')} AS {column.quoted}")
    where = f"FROM {batch} AS batch WHERE stream = {literal(stream.name)}"
    last = ""
    if stream.primary_key:
        keys = ", ".join(Column(key, "VARCHAR").from_batch("data") for key in stream.primary_key)
        last = f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY seq DESC) = 1"
    return f"SELECT {', '.join(values)} {where}{last}"


def merge_sql(stream: Stream, batch: str) -> str:
    """MERGE of the batch into the stream's table by primary key (INSERT when the stream has none)."""
    wanted = columns(stream.json_schema)
    names = ", ".join(column.quoted for column in wanted)
    table = table_name(stream.name)
    if not stream.primary_key:
        return f"INSERT INTO {table} ({names}) {typed_select(stream, batch)}"
    on = " AND ".join(f"target.{quote(key)} IS NOT DISTINCT FROM source.{quote(key)}" for key in stream.primary_key)
    updates = ", ".join(f"{column.quoted} = source.{column.quoted}" for column in wanted)
    inserted = ", ".join(f"source.{column.quoted}" for column in wanted)
    return (
        f"MERGE INTO {table} AS target USING ({typed_select(stream, batch)}) AS source ON ({on}) "
        f"WHEN MATCHED THEN UPDATE SET {updates} "
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({inserted})"
    )


def unreadable_field(connection: duckdb.DuckDBPyConnection, stream: Stream, batch: str) -> Column | None:
    """The first column of `stream` whose value in the batch does not convert to the column's type."""
    for column in columns(stream.json_schema):
        if column.name.startswith("_airbyte_") or column.sql_type in ("VARCHAR", "JSON"):
            continue
        text = Column(column.name, "VARCHAR").from_batch("data")
        bad = connection.execute(
            f"SELECT count(*) FROM {batch} AS batch WHERE stream = {literal(stream.name)} AND {text} IS NOT NULL "
            f"AND TRY_CAST({text} AS {column.sql_type}) IS NULL"
        ).fetchone()
        if bad and bad[0]:
            return column
    return None
