"""Stream tables built by hand for the answers' tests, in DuckDB or in a real PostgreSQL server.

A test writes its tables once, in DuckDB's SQL with `?` placeholders, and `Tables` runs it on either database:
for PostgreSQL the placeholders become `%s` and the columns take the types local_sync's PostgreSQL load gives
them (TIMESTAMP WITH TIME ZONE, JSONB), in a schema of the test's own, on a session in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from local_sync.answers import build
from local_sync.answers import views as answers
from local_sync.answers.budgets import Budgets
from local_sync.answers.rates import RateCard

DATABASES = ("duckdb", "postgres")
AIRBYTE_COLUMNS = "_airbyte_raw_id VARCHAR, _airbyte_extracted_at TIMESTAMP, _airbyte_meta JSON"
# InsideView's usage table as a sync writes it, for the tests that write its rows by hand
API_TRANSACTIONS = (
    "CREATE TABLE api_transactions (account_id VARCHAR, account_name VARCHAR, period_type VARCHAR, date VARCHAR,"
    f" api VARCHAR, transactions BIGINT, match_rate DECIMAL(38, 9), {AIRBYTE_COLUMNS})"
)
# DuckDB's column types as local_sync's PostgreSQL load writes them
POSTGRES_TYPES = {r"\bTIMESTAMP\b(?! WITH)": "TIMESTAMP WITH TIME ZONE", r"\bJSON\b": "JSONB"}


class Tables:
    """One database connection and the SQL dialect its models are rendered in."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        if self.dialect == "postgres":
            sql = sql.replace("?", "%s")
            if sql.lstrip().upper().startswith("CREATE TABLE"):
                for duckdb_type, postgres_type in POSTGRES_TYPES.items():
                    sql = re.sub(duckdb_type, postgres_type, sql)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, list(parameters))
        finally:
            cursor.close()
        if self.dialect == "postgres":
            self.connection.commit()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return answers.rows(self.connection, sql)

    def refresh(
        self, today: str, lookback_days: int = 3, card: RateCard | None = None, budgets: Budgets | None = None
    ) -> None:
        build.refresh(
            self.connection, self.dialect, today=today, lookback_days=lookback_days, card=card, budgets=budgets
        )


@contextmanager
def tables_in(database: str, request: pytest.FixtureRequest, schema: str) -> Iterator[Tables]:
    """Empty `Tables` in DuckDB (in memory) or in the session's PostgreSQL server (a fresh `schema`)."""
    if database == "duckdb":
        connection = duckdb.connect(":memory:")
        try:
            yield Tables(connection, "duckdb")
        finally:
            connection.close()
        return
    import psycopg2

    connection = psycopg2.connect(request.getfixturevalue("postgres_url"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cursor.execute(f'CREATE SCHEMA "{schema}"')
            cursor.execute(f'SET search_path TO "{schema}"')
            cursor.execute("SET TIME ZONE 'UTC'")
        connection.commit()
        yield Tables(connection, "postgres")
    finally:
        connection.close()


def decimals(*values: str | None) -> tuple[Decimal | None, ...]:
    """Hand-worked figures as `plain` gives them: Decimals, normalized (None stays None)."""
    return tuple(None if value is None else Decimal(value).normalize() for value in values)


def plain(row: Sequence[Any], places: int) -> tuple[Any, ...]:
    """`row` with its numbers as Decimals rounded to `places` (DuckDB divides in floating point, PostgreSQL in
    numeric), so both databases give the same values."""
    return tuple(
        Decimal(str(round(float(value), places))).normalize() if type(value).__name__ in ("Decimal", "float") else value
        for value in row
    )
