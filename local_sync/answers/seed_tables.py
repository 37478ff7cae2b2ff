"""A user's file (the rate card, the budgets): its text read, and the table its dbt seed would be, the same SQL on
DuckDB and PostgreSQL, the file's text quoted as literals, never run."""

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path


def literal(value: object, kind: str) -> str:
    """`value` as an SQL literal of type `kind`."""
    if value is None:
        return f"CAST(NULL AS {kind})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return f"CAST('{value}' AS {kind})"
    text = str(value).replace("'", "''")
    return f"CAST('{text}' AS {kind})"


def values(rows: Sequence[Sequence[object]], kinds: Sequence[str]) -> str:
    """`rows` as the literals of an INSERT's VALUES, each row's values of the types `kinds`."""
    return ",\n".join(
        "(" + ", ".join(literal(value, kind) for value, kind in zip(row, kinds, strict=True)) + ")" for row in rows
    )


def statements(table: str, column_types: dict[str, str], rows: Sequence[Sequence[object]]) -> list[str]:
    """SQL that (re)creates `table` with `column_types` holding `rows`."""
    columns = ", ".join(f"{name} {kind}" for name, kind in column_types.items())
    created = [f"DROP TABLE IF EXISTS {table}", f"CREATE TABLE {table} ({columns})"]
    if not rows:
        return created
    return [*created, f"INSERT INTO {table} VALUES\n{values(rows, list(column_types.values()))}"]


def read_text(path: Path, what: str, error: type[Exception], save_as: str) -> str:
    """The text of the user's file `path` (`what` names it: "the rate card"), or `error` with one sentence."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as problem:
        raise error(f"Cannot read {what} {path}: {problem.strerror}.") from None
    except UnicodeDecodeError:
        raise error(f"{what[0].upper()}{what[1:]} {path} is not UTF-8 text; save it as {save_as}.") from None
