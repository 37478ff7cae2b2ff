"""What the summary, the alerts and the report read from the answers (docs/answers.md), which
local_sync.answers.build builds from the dbt models' own SQL. What the readers below add up follows the models'
rules: never across units, Leaf products or metrics, and never a gauge over days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

TABLES_SQL = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
# the figures the charts show for a vendor's use: no gauge, and not Leaf's per-contract 'new area', which recounts
# the users' (billable) new area without their overlaps
HEADLINE = "x_MetricKind <> 'gauge' AND x_Metric <> 'new area'"
ROLLUP_NOTE = "UNIFIED_AREA recounts the other Leaf products' area: it is shown beside them, never added to them"


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


def table_names(connection: Any) -> set[str]:
    """The tables and views of the connection's current schema."""
    return {row[0] for row in rows(connection, TABLES_SQL)}


def holds_examples(connection: Any, table: str, where: str = "TRUE") -> bool:
    """True when the user's table `table` (rate_card, budgets) holds the package's examples: rows (`where`) whose
    note says EXAMPLE, as the seeds' do."""
    if table not in table_names(connection):
        return False
    found = rows(connection, f"SELECT count(*) FROM {table} WHERE {where} AND note LIKE '%EXAMPLE%'")
    return bool(found and found[0][0])


def runway(connection: Any) -> list[Pool]:
    """Every credit pool, the soonest to run out first."""
    found = rows(connection, "SELECT * FROM credit_runway")
    pools = [Pool(*_plain(row)) for row in found]
    return sorted(pools, key=lambda pool: (pool.runs_out_on or date.max, pool.vendor, pool.account_id))


def _plain(row: Sequence[Any]) -> list[Any]:
    """Decimals as floats, so DuckDB and PostgreSQL give the same Python values."""
    return [float(value) if type(value).__name__ == "Decimal" else value for value in row]


@dataclass(frozen=True)
class Monthly:
    """One metric of one vendor, Leaf product and unit in one month: added up over accounts, users and operations
    (usage_monthly), never over products, units or metrics."""

    vendor: str
    metric: str
    kind: str
    product: str | None
    unit: str
    month: str
    quantity: float
    final: bool


def monthly_usage(connection: Any, headline: bool = False) -> list[Monthly]:
    """Every metric but the gauges by month (only the charts' HEADLINE figures with `headline`)."""
    where = HEADLINE if headline else "x_MetricKind <> 'gauge'"
    sql = f"""
        SELECT ServiceProviderName, x_Metric, x_MetricKind, x_Product, ConsumedUnit, CAST(month AS VARCHAR),
               sum(ConsumedQuantity), min(CASE WHEN x_IsComplete THEN 1 ELSE 0 END)
        FROM usage_monthly WHERE {where}
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 4, 5, 6"""
    return [
        Monthly(vendor, metric, kind, product, unit, month[:7], float(total), bool(final))
        for vendor, metric, kind, product, unit, month, total, final in rows(connection, sql)
    ]


def daily_usage(connection: Any, days: int) -> list[tuple[str, str, str | None, str, date, float, bool]]:
    """(vendor, metric, product, unit, day, quantity, complete) of the HEADLINE daily figures of the last `days` days
    with data, added up per vendor, metric, Leaf product and unit."""
    sql = f"""
        WITH daily AS (
            SELECT ServiceProviderName AS vendor, x_Metric AS metric, x_Product AS product, ConsumedUnit AS unit,
                   CAST(ChargePeriodStart AS DATE) AS day, ConsumedQuantity AS quantity, x_IsComplete AS complete
            FROM usage_overview WHERE {HEADLINE} AND x_Grain = 'day')
        SELECT vendor, metric, product, unit, day, sum(quantity), min(CASE WHEN complete THEN 1 ELSE 0 END)
        FROM daily WHERE day > (SELECT max(day) FROM daily) - {int(days)}
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"""
    return [
        (vendor, metric, product, unit, day, float(total), bool(done))
        for vendor, metric, product, unit, day, total, done in rows(connection, sql)
    ]


def top(connection: Any, limit: int) -> dict[str, list[tuple[str, str | None, str, float]]]:
    """The biggest consumers over everything synced: (key, name or None, unit, quantity) per kind, largest first.
    Each kind is one unit: Leaf users rank per product and unit, by the new area they processed."""
    tables = table_names(connection)
    user_name = "(SELECT name FROM leaf_users WHERE leaf_users.id = SubAccountId)" if "leaf_users" in tables else None
    kinds: dict[str, tuple[str, str, str | None]] = {
        "Leadfeeder endpoints": ("x_Operation", "ServiceProviderName = 'Leadfeeder'", None),
        "InsideView APIs": ("x_Operation", "ServiceProviderName = 'InsideView'", None),
    }
    leaf_groups = rows(
        connection,
        "SELECT DISTINCT x_Product, ConsumedUnit FROM usage_monthly WHERE x_Metric = 'new area by user' ORDER BY 1, 2",
    )
    for product, unit in leaf_groups:
        where = f"x_Metric = 'new area by user' AND x_Product = {_quoted(product)} AND ConsumedUnit = {_quoted(unit)}"
        kinds[f"Leaf users, {product} ({unit.lower()})"] = ("SubAccountId", where, user_name)
    found = {}
    for kind, (key, where, label) in kinds.items():
        sql = f"""
            SELECT {key}, {label or "NULL"}, ConsumedUnit, sum(ConsumedQuantity) FROM usage_monthly
            WHERE {where} AND {key} IS NOT NULL GROUP BY {key}, ConsumedUnit ORDER BY 4 DESC, 1 LIMIT {int(limit)}"""
        found[kind] = [(key_, name, unit, float(total)) for key_, name, unit, total in rows(connection, sql)]
    return found


def _quoted(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class LeafBilling:
    """One Leaf contract's billable area in one month: its users' areas added up (overlaps included, as Leaf
    bills), or for AUDIT_FIELDS_BOUNDARY their areas to date (`basis`)."""

    contract_id: str
    product: str | None
    is_rollup: bool
    unit: str
    basis: str
    month: str
    users: int
    area: float
    final: bool


def leaf_billing(connection: Any) -> list[LeafBilling]:
    """Per Leaf contract and month, from leaf_billable_area; UNIFIED_AREA's rows beside the others, never added."""
    sql = """
        SELECT contract_id, product, is_rollup, unit, basis, CAST(month AS VARCHAR), count(DISTINCT leaf_user_id),
               sum(billable_area), min(CASE WHEN x_IsComplete THEN 1 ELSE 0 END)
        FROM leaf_billable_area GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 3, 2, 1, 6"""
    return [
        LeafBilling(contract, product, bool(rollup), unit, basis, month[:7], users, float(area or 0), bool(final))
        for contract, product, rollup, unit, basis, month, users, area, final in rows(connection, sql)
    ]


def balance_history(connection: Any) -> dict[tuple[str, str], list[tuple[date, int | None]]]:
    """(vendor, account) → [(balance day, remaining), ...] in time order, from credit_balances."""
    history: dict[tuple[str, str], list[tuple[date, int | None]]] = {}
    sql = "SELECT vendor, account_id, balance_day, remaining FROM credit_balances ORDER BY 1, 2, observed_at"
    for vendor, account, day, remaining in rows(connection, sql):
        history.setdefault((vendor, account), []).append((day, remaining))
    return history
