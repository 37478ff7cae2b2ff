"""A stream's columns as dlt's column hints, typed like the DuckDB tables (local_sync/loaders/columns.py)."""

from __future__ import annotations

from typing import Any

from local_sync.connector.catalog import Stream
from local_sync.loaders.columns import columns

DLT_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "DECIMAL(38,9)": "decimal",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "TIMESTAMP": "timestamp",
    "JSON": "json",
}


def column_hints(stream: Stream) -> dict[str, dict[str, Any]]:
    """dlt's hints for every column: its type, nullable unless part of the primary key."""
    hints: dict[str, dict[str, Any]] = {}
    for column in columns(stream.json_schema):
        hint: dict[str, Any] = {
            "data_type": DLT_TYPES[column.sql_type],
            "nullable": column.name not in stream.primary_key,
        }
        if column.sql_type == "TIMESTAMP":
            hint["timezone"] = False
        if column.sql_type == "DECIMAL(38,9)":
            hint.update(precision=38, scale=9)
        hints[column.name] = hint
    return hints
