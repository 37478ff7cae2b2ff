"""The answers built in place: the dbt package's models (local_sync.answers.models renders their SQL) over the
stream tables of a sync's database, on DuckDB or PostgreSQL, with the user's rate card and budgets as the tables
the package's seeds would be.

usage_overview, usage_monthly, leaf_billable_area, credit_runway, focus_charges, usage_forecast and budget_status
are views; forecast_days is a table rebuilt whole; credit_balances is kept (this sync's snapshot appended to the
earlier ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from local_sync.answers import budget_file, rates
from local_sync.answers.models import ORDER, USER_TABLES, render
from local_sync.answers.views import table_names

if TYPE_CHECKING:
    from local_sync.answers.budgets import Budgets
    from local_sync.answers.rates import RateCard


def execute(connection: Any, statements: Sequence[str], dialect: str) -> None:
    """`statements` in one transaction."""
    cursor = connection.cursor()
    try:
        if dialect == "duckdb":
            cursor.execute("BEGIN TRANSACTION")
        for statement in statements:
            cursor.execute(statement)
        if dialect == "duckdb":
            cursor.execute("COMMIT")
        else:
            connection.commit()
    except BaseException:
        if dialect == "duckdb":
            cursor.execute("ROLLBACK")
        else:
            connection.rollback()
        raise
    finally:
        cursor.close()


def refresh(
    connection: Any,
    dialect: str,
    *,
    today: str | None = None,
    lookback_days: int = 3,
    card: RateCard | None = None,
    budgets: Budgets | None = None,
) -> None:
    """(Re)builds the models over the stream tables present; credit_balances keeps every earlier snapshot.

    `today` is the day figures are judged from (the sync's last day; default the database's current_date) and
    `lookback_days` the connector's: together they say which figures a vendor may still revise (x_IsComplete).
    `card` and `budgets`, when given, replace the tables rate_card and budgets (else the ones there are kept).
    """
    tables = table_names(connection)
    variables: dict[str, Any] = {"usage_today": today, "lookback_days": lookback_days}
    drops: list[str] = []
    statements: list[str] = []
    for given, table in ((card, rates.TABLE), (budgets, budget_file.TABLE)):
        if given is not None:
            statements += given.table_statements()
            tables.add(table)
    for name in ORDER:
        if name in USER_TABLES and USER_TABLES[name] not in tables:  # no such file given yet (--rates, --budgets)
            continue
        model = render(name, dialect, tables, variables)
        if model.materialized == "view":
            if dialect == "postgres" and name in tables:  # PostgreSQL replaces no view whose columns change
                drops.insert(0, f"DROP VIEW {name}")  # the views that read it first
            statements.append(f"CREATE {'OR REPLACE ' if dialect == 'duckdb' else ''}VIEW {name} AS\n{model.sql}")
        elif model.materialized == "table":  # rebuilt whole, every time
            drops.insert(0, f"DROP TABLE IF EXISTS {name}")
            statements.append(f"CREATE TABLE {name} AS\n{model.sql}")
        elif model.incremental:
            statements.append(f"INSERT INTO {name}\nSELECT * FROM (\n{model.sql}\n) AS snapshot")
        else:
            statements.append(f"CREATE TABLE {name} AS\n{model.sql}")
        tables.add(name)
    statements = drops + statements
    execute(connection, statements, dialect)
