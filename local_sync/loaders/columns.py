"""A stream's table columns from its JSON schema, typed as Airbyte's destinations type them, for DuckDB.

string → VARCHAR (format date → DATE, date-time → TIMESTAMPTZ unless airbyte_type says without timezone),
integer → BIGINT, number → DECIMAL(38, 9), boolean → BOOLEAN, object, array and anything else → JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AIRBYTE_COLUMNS = (
    ("_airbyte_raw_id", "VARCHAR"),
    ("_airbyte_extracted_at", "TIMESTAMP WITH TIME ZONE"),
    ("_airbyte_meta", "JSON"),
)
SCALARS = {"integer": "BIGINT", "number": "DECIMAL(38,9)", "boolean": "BOOLEAN"}
STRING_FORMATS = {"date": "DATE", "date-time": "TIMESTAMP WITH TIME ZONE"}


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str

    @property
    def quoted(self) -> str:
        return quote(self.name)

    @property
    def read_as(self) -> str:
        """How DuckDB's JSON reader reads the value: JSON for JSON columns, else its text (cast afterwards)."""
        return "JSON" if self.sql_type == "JSON" else "VARCHAR"

    def from_batch(self, data: str) -> str:
        """The SQL that reads this column's value out of the struct `data` (NULL when absent or null)."""
        value = f"{data}.{self.quoted}"
        return value if self.read_as == self.sql_type else f"CAST({value} AS {self.sql_type})"


def literal(text: str) -> str:
    """A SQL string literal (DuckDB's Python client costs ~120 MB of memory on a query's first parameter)."""
    return "'" + text.replace("'", "''") + "'"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_type(definition: dict[str, Any]) -> str:
    """One JSON schema property's column type."""
    declared = definition.get("type", [])
    types = [kind for kind in ([declared] if isinstance(declared, str) else declared) if kind != "null"]
    if len(types) != 1:
        return "JSON"
    if types[0] == "string":
        if definition.get("airbyte_type") == "timestamp_without_timezone":
            return "TIMESTAMP"
        return STRING_FORMATS.get(definition.get("format", ""), "VARCHAR")
    return SCALARS.get(types[0], "JSON")


def columns(json_schema: dict[str, Any]) -> list[Column]:
    """The schema's properties in order, then Airbyte's three columns."""
    typed = [Column(name, sql_type(definition)) for name, definition in json_schema.get("properties", {}).items()]
    return typed + [Column(name, kind) for name, kind in AIRBYTE_COLUMNS]
