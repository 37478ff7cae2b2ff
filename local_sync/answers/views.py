"""The answers a sync's database holds: the dbt package's models built in place, and what the summary, the alerts
and the report read from them (docs/answers.md).

`refresh` builds usage_overview (view), credit_balances (kept: this sync's snapshot appended) and credit_runway
(view) from the dbt models' own SQL (local_sync.answers.models), on DuckDB or PostgreSQL.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from local_sync.answers.models import ORDER, render

TABLES_SQL = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
# the figure that stands for a vendor's use; 'unique area' and 'new area by user' recount Leaf's new area
HEADLINE = "x_Metric NOT IN ('unique area', 'new area by user')"


@dataclass(frozen=True)
class Pool:
    """One row of credit_runway."""

    vendor: str
    account_id: str
    account_name: str | None
    unit: str
    as_of: date
    available: int | None
    used: int | None
    remaining: int | None
    resets_on: date | None
    rate_source: str
    consumed_7d: float | None
    consumed_30d: float | None
    daily_rate_7d: float | None
    daily_rate_30d: float | None
    daily_rate: float | None
    days_left: float | None
    runs_out_on: date | None
    status: str

    def runs_out_within(self, days: int) -> bool:
        """True when the pool is empty, or projected to be, at most `days` days after its balance day."""
        return self.runs_out_on is not None and (self.runs_out_on - self.as_of).days <= days


def rows(connection: Any, sql: str) -> list[tuple[Any, ...]]:
    """The rows of `sql` on a DuckDB or DB-API connection."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _execute(connection: Any, statements: Sequence[str], dialect: str) -> None:
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


def refresh(connection: Any, dialect: str, *, today: str | None = None, lookback_days: int = 3) -> None:
    """(Re)builds the models over the stream tables present; credit_balances keeps every earlier snapshot.

    `today` is the day figures are judged from (the sync's last day; default the database's current_date) and
    `lookback_days` the connector's: together they say which figures a vendor may still revise (x_IsComplete).
    """
    tables = {row[0] for row in rows(connection, TABLES_SQL)}
    variables: dict[str, Any] = {"usage_today": today, "lookback_days": lookback_days}
    statements = []
    for name in ORDER:
        model = render(name, dialect, tables, variables)
        if model.materialized == "view":
            if dialect == "postgres" and name in tables:
                statements.append(f"DROP VIEW {name}")
            statements.append(f"CREATE {'OR REPLACE ' if dialect == 'duckdb' else ''}VIEW {name} AS\n{model.sql}")
        elif model.incremental:
            statements.append(f"INSERT INTO {name}\nSELECT * FROM (\n{model.sql}\n) AS snapshot")
        else:
            statements.append(f"CREATE TABLE {name} AS\n{model.sql}")
        tables.add(name)
    _execute(connection, statements, dialect)


def runway(connection: Any) -> list[Pool]:
    """Every credit pool, the soonest to run out first."""
    found = rows(connection, "SELECT * FROM credit_runway")
    pools = [Pool(*_plain(row)) for row in found]
    return sorted(pools, key=lambda pool: (pool.runs_out_on or date.max, pool.vendor, pool.account_id))


def _plain(row: Sequence[Any]) -> list[Any]:
    """Decimals as floats, so DuckDB and PostgreSQL give the same Python values."""
    return [float(value) if type(value).__name__ == "Decimal" else value for value in row]


def monthly_usage(connection: Any) -> list[tuple[str, str, str, str, float, bool]]:
    """(vendor, metric, unit, YYYY-MM, quantity, final) of the headline figures, by month."""
    sql = f"""
        SELECT ServiceProviderName, x_Metric, ConsumedUnit,
               CAST(CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS VARCHAR), sum(ConsumedQuantity),
               min(CASE WHEN x_IsComplete THEN 1 ELSE 0 END)
        FROM usage_overview WHERE {HEADLINE} AND x_Grain IN ('day', 'month')
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""
    found = rows(connection, sql)
    return [
        (vendor, metric, unit, month[:7], float(total), bool(final))
        for vendor, metric, unit, month, total, final in found
    ]


def daily_usage(connection: Any, days: int) -> list[tuple[str, str, date, float, bool]]:
    """(vendor, unit, day, quantity, complete) of the headline daily figures of the last `days` days with data."""
    sql = f"""
        WITH daily AS (
            SELECT ServiceProviderName AS vendor, ConsumedUnit AS unit, CAST(ChargePeriodStart AS DATE) AS day,
                   ConsumedQuantity AS quantity, x_IsComplete AS complete
            FROM usage_overview WHERE {HEADLINE} AND x_Grain = 'day')
        SELECT vendor, unit, day, sum(quantity), min(CASE WHEN complete THEN 1 ELSE 0 END)
        FROM daily WHERE day > (SELECT max(day) FROM daily) - {int(days)}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
    return [(vendor, unit, day, float(total), bool(done)) for vendor, unit, day, total, done in rows(connection, sql)]


def top(connection: Any, limit: int) -> dict[str, list[tuple[str, str | None, str, float]]]:
    """The biggest consumers over everything synced: (key, name or None, unit, quantity) per kind, largest first;
    a key used in two units ranks once per unit."""
    tables = {row[0] for row in rows(connection, TABLES_SQL)}
    users = "leaf_users" in tables
    contracts = "contracts" in tables
    kinds = {
        "Leadfeeder endpoints": ("x_Operation", "ServiceProviderName = 'Leadfeeder'", None),
        "InsideView APIs": ("x_Operation", "ServiceProviderName = 'InsideView'", None),
        "Leaf contracts": (
            "BillingAccountId",
            "x_Metric = 'new area'",
            "(SELECT product FROM contracts WHERE contracts.id = BillingAccountId)" if contracts else None,
        ),
        "Leaf users": (
            "SubAccountId",
            "x_Metric = 'new area by user'",
            "(SELECT name FROM leaf_users WHERE leaf_users.id = SubAccountId)" if users else None,
        ),
    }
    found = {}
    for kind, (key, where, label) in kinds.items():
        sql = f"""
            SELECT {key}, {label or "NULL"}, ConsumedUnit, sum(ConsumedQuantity) FROM usage_overview
            WHERE {where} AND {key} IS NOT NULL GROUP BY {key}, ConsumedUnit ORDER BY 4 DESC, 1 LIMIT {int(limit)}"""
        found[kind] = [(key_, name, unit, float(total)) for key_, name, unit, total in rows(connection, sql)]
    return found


def balance_history(connection: Any) -> dict[tuple[str, str], list[tuple[date, int | None]]]:
    """(vendor, account) → [(balance day, remaining), ...] in time order, from credit_balances."""
    history: dict[tuple[str, str], list[tuple[date, int | None]]] = {}
    sql = "SELECT vendor, account_id, balance_day, remaining FROM credit_balances ORDER BY 1, 2, observed_at"
    for vendor, account, day, remaining in rows(connection, sql):
        history.setdefault((vendor, account), []).append((day, remaining))
    return history
