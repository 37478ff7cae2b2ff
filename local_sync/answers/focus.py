"""`python -m local_sync focus`: the FOCUS dataset of a synced database, from its model focus_charges, as the
FinOps Foundation's FOCUS 1.2 or 1.3 names the columns (docs/answers.md, "focus_charges"); CSV or Parquet, by
the file's suffix. Refused, in one sentence, while a billed figure has no price on the rate card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from local_sync.answers.views import table_names

VERSIONS = ("1.2", "1.3")
FORMATS = {".parquet": "PARQUET", ".csv": "CSV"}
# FOCUS 1.2's columns the charges fill (its mandatory ones, the conditional and recommended ones that apply)
COLUMNS_1_2 = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd",
    "ChargePeriodStart", "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice",
    "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
    "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId", "SubAccountName",
)  # fmt: skip
# 1.3 adds who provides the service and who hosts it
COLUMNS = {"1.2": COLUMNS_1_2, "1.3": (*COLUMNS_1_2, "ServiceProviderName", "HostProviderName")}
EXTRA = ("x_Metric", "x_MetricKind", "x_Product", "x_Operation", "x_Grain", "x_IsComplete", "x_Credits")
UNPRICED_SQL = """
    SELECT ServiceProviderName, x_Metric, coalesce(x_Product, x_Operation), PricingUnit,
           CAST(min(ChargePeriodStart) AS DATE), CAST(max(ChargePeriodStart) AS DATE)
    FROM focus_charges WHERE BilledCost IS NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""


class ExportRefused(Exception):
    """The export cannot be written; the message says why and what to do."""


def unpriced(connection: Any) -> str | None:
    """One sentence naming every billed figure the rate card does not price, or None when all are priced."""
    cursor = connection.cursor()
    try:
        cursor.execute(UNPRICED_SQL)
        found = cursor.fetchall()
    finally:
        cursor.close()
    if not found:
        return None
    figures = "; ".join(
        f"{vendor.lower()} {metric}" + (f" of {sku}" if sku else "") + f" in {unit} ({first} to {last})"
        for vendor, metric, sku, unit, first, last in found
    )
    return (
        f"{len(found)} billed figure(s) have no price on the rate card: {figures}; add a row for each to the "
        "rate card (--rates FILE), or one with billed false where the vendor does not bill it."
    )


def export(connection: duckdb.DuckDBPyConnection, version: str, out: Path) -> int:
    """Writes the FOCUS `version` dataset of `connection`'s focus_charges into `out`; returns the rows written."""
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ExportRefused(f"cannot write {out}: name a .parquet or a .csv file.")
    if "focus_charges" not in table_names(connection):
        raise ExportRefused("the database has no focus_charges: sync it with a rate card (--rates FILE) first.")
    problem = unpriced(connection)
    if problem:
        raise ExportRefused(problem)
    columns = ", ".join([*COLUMNS[version], *EXTRA])
    select = f"SELECT {columns} FROM focus_charges ORDER BY ChargePeriodStart, ProviderName, BillingAccountId, SkuId"
    connection.execute(f"COPY ({select}) TO '{_quoted(out)}' (FORMAT {kind})")
    counted = connection.execute(f"SELECT count(*) FROM ({select}) AS charges").fetchone()
    return int(counted[0]) if counted else 0


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


NUMBERS = {"BilledCost", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice",
           "PricingQuantity", "ConsumedQuantity", "x_Credits"}  # fmt: skip
TIMES = {"BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart"}
# every column a copy of another database's focus_charges holds
ALL_COLUMNS = (*COLUMNS["1.3"], *EXTRA)


def _type(column: str) -> str:
    if column in NUMBERS:
        return "DECIMAL(28,10)"
    if column in TIMES:
        return "TIMESTAMP"
    return "BOOLEAN" if column == "x_IsComplete" else "VARCHAR"


def copy_into(connection: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]]) -> None:
    """`rows` of ALL_COLUMNS (read from PostgreSQL's focus_charges) as the table focus_charges of `connection`,
    typed as FOCUS types them: costs decimal, periods timestamps, ids text."""
    typed = ", ".join(f"{column} {_type(column)}" for column in ALL_COLUMNS)
    connection.execute(f"CREATE TABLE focus_charges ({typed})")
    if rows:
        marks = ", ".join("?" for _ in ALL_COLUMNS)
        connection.executemany(f"INSERT INTO focus_charges VALUES ({marks})", [list(row) for row in rows])
