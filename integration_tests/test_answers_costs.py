"""focus_charges on figures and a rate card worked out by hand: two prices in one month, a figure billed in
credits, a Leaf contract of each product with UNIFIED_AREA not billed, an AUDIT_FIELDS_BOUNDARY level, InsideView's
month and year figures beside its days. BilledCost per vendor and month, exactly, on DuckDB and PostgreSQL."""

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from integration_tests.answer_tables import API_TRANSACTIONS, DATABASES, Tables, tables_in
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture, for PostgreSQL
from integration_tests.test_answers_leaf import AIRBYTE, READ_AT, write_leaf_tables
from local_sync.answers import rates

CARD = """vendor,metric,sku,pricing_unit,unit_price,currency,valid_from,valid_to,billed,note
leaf,new area by user,FIELDS_BOUNDARY,Hectares,0.30,USD,,,true,
leaf,new area by user,OPERATIONS_FILE,Acres,0.05,USD,,,true,
leaf,new area by user,OPERATIONS_OPERATION,Hectares,0.12,USD,,,true,
leaf,new area by user,SATELLITE_PROCESS_PLANET,Hectares,0.49,USD,,,true,
leaf,new area by user,SATELLITE_PROCESS_SENTINEL,Acres,0.02,USD,,,true,
leaf,area to date by user,AUDIT_FIELDS_BOUNDARY,Acres,0.01,USD,,,true,
leaf,new area by user,UNIFIED_AREA,Acres,,,,,false,the rollup
insideview,transactions,,Transactions,2,credits,,,true,two credits a transaction
insideview,credits,,Credits,0.04,USD,,2026-11-15,true,
insideview,credits,,Credits,0.05,USD,2026-11-16,,true,a renewal mid-month
whitepages,requests,,Requests,0.01,USD,,2026-11-01,true,
whitepages,requests,,Requests,0.02,USD,2026-11-02,,true,
leadfeeder,requests,,Requests,,,,,false,
"""


@pytest.fixture(params=DATABASES)
def tables(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tables]:
    with tables_in(request.param, request, f"costs_{request.node.name[:40]}") as built:
        write_leaf_tables(built)
        built.execute(API_TRANSACTIONS)
        # October only as a month; November's days, and its month and year figures that repeat them
        figures = [("month", "2026-10", 300), ("day", "2026-11-10", 100), ("day", "2026-11-20", 50),
                   ("month", "2026-11", 150), ("year", "2026", 450)]  # fmt: skip
        for period, day, count in figures:
            built.execute(
                f"INSERT INTO api_transactions VALUES ('iv', 'IV', ?, ?, 'ENRICH', ?, NULL, 'r', {READ_AT}, '{{}}')",
                (period, day, count),
            )
        built.execute(f"CREATE TABLE daily_usage (date DATE, request_count BIGINT, {AIRBYTE})")
        for day, count in (("2026-11-01", 1000), ("2026-11-02", 500)):
            built.execute(f"INSERT INTO daily_usage VALUES (?, ?, 'r', {READ_AT}, '{{}}')", (day, count))
        built.execute(
            "CREATE TABLE api_usage (account_id VARCHAR, id VARCHAR, period VARCHAR, endpoint_path VARCHAR,"
            " http_method VARCHAR, num_requests BIGINT, num_failed_requests BIGINT, num_successful_requests BIGINT,"
            f" num_returned_entities BIGINT, {AIRBYTE})"
        )
        built.execute(
            f"INSERT INTO api_usage VALUES ('7', 'x', '2026-11', '/companies', 'GET', 99, 0, 99, 1, 'r', {READ_AT},"
            " '{}')"
        )
        card = tmp_path / "rates.csv"
        card.write_text(CARD)
        built.refresh(today="2026-12-10", lookback_days=3, card=rates.read(card))
        yield built


def test_billed_cost_per_vendor_and_month_is_worked_out_by_hand(tables: Tables) -> None:
    found = tables.rows(
        "SELECT ProviderName, CAST(BillingPeriodStart AS DATE), sum(BilledCost), min(BillingCurrency),"
        " max(BillingCurrency) FROM focus_charges GROUP BY 1, 2 ORDER BY 1, 2"
    )
    totals = {
        (vendor, str(month)[:7]): (Decimal(cost).normalize(), low, high) for vendor, month, cost, low, high in found
    }
    assert totals == {
        # October as a month: 300 transactions x 2 credits x 0.04 (the price on October's first day)
        ("InsideView", "2026-10"): (Decimal("24"), "USD", "USD"),
        # November's days, not its month or year figure: 100 x 2 x 0.04 (11-10) + 50 x 2 x 0.05 (11-20)
        ("InsideView", "2026-11"): (Decimal("13"), "USD", "USD"),
        # FIELDS_BOUNDARY (4 + 2) ha x 0.30 + AUDIT (120 + 50) acres x 0.01 + PLANET 2 ha x 0.49; UNIFIED_AREA none
        ("Leaf", "2026-10"): (Decimal("4.48"), "USD", "USD"),
        # FIELDS_BOUNDARY (3 + 1 + 0.5) x 0.30 + AUDIT (125 + 50, u2's level standing) x 0.01 + FILE 2.5 x 0.05
        # + OPERATION 1.5 x 0.12 + SENTINEL 4 x 0.02
        ("Leaf", "2026-11"): (Decimal("3.485"), "USD", "USD"),
        # 1000 requests x 0.01 (11-01) + 500 x 0.02 (from 11-02); Leadfeeder's requests are not billed
        ("Whitepages", "2026-11"): (Decimal("20"), "USD", "USD"),
    }


def test_each_charge_names_its_sku_price_credits_and_period(tables: Tables) -> None:
    found = tables.rows(
        "SELECT SkuId, SkuPriceId, ChargePeriodStart, ChargePeriodEnd, PricingQuantity, PricingUnit, ListUnitPrice,"
        " x_Credits, x_Grain FROM focus_charges WHERE ProviderName = 'InsideView' ORDER BY ChargePeriodStart"
    )
    plain = [
        tuple(Decimal(v).normalize() if type(v).__name__ in ("Decimal", "float") else v for v in row) for row in found
    ]
    at = datetime.fromisoformat
    assert [(row[1], row[2], row[3], row[4], row[6], row[7], row[8]) for row in plain] == [
        ("insideview/transactions/Transactions@start", at("2026-10-01"), at("2026-11-01"), Decimal("300"),
         Decimal("0.08"), Decimal("600"), "month"),
        ("insideview/transactions/Transactions@start", at("2026-11-10"), at("2026-11-11"), Decimal("100"),
         Decimal("0.08"), Decimal("200"), "day"),
        ("insideview/transactions/Transactions@start", at("2026-11-20"), at("2026-11-21"), Decimal("50"),
         Decimal("0.1"), Decimal("100"), "day"),
    ]  # fmt: skip
    leaf = tables.rows(
        "SELECT DISTINCT SkuId, SubAccountName FROM focus_charges WHERE ProviderName = 'Leaf' ORDER BY 1, 2"
    )
    skus = {sku for sku, _ in leaf}
    assert "leaf/area to date by user/AUDIT_FIELDS_BOUNDARY/Acres" in skus
    assert not any("UNIFIED_AREA" in sku for sku in skus)
    # no leaf_users table here: a Leaf user is named by its id
    assert {name for _, name in leaf} == {"u1", "u2"}


@pytest.mark.parametrize("database", DATABASES)
def test_year_end_and_leap_day_charges_fall_in_their_own_billing_months(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with tables_in(database, request, f"edges_{database}") as built:
        built.execute(f"CREATE TABLE daily_usage (date DATE, request_count BIGINT, {AIRBYTE})")
        for day, count in (("2027-12-31", 100), ("2028-01-01", 200), ("2028-02-29", 300), ("2028-03-01", 400)):
            built.execute(
                "INSERT INTO daily_usage VALUES (?, ?, 'r', TIMESTAMP '2028-03-20 10:00:00', '{}')", (day, count)
            )
        card = tmp_path / "rates.csv"
        card.write_text(CARD)
        built.refresh(today="2028-03-20", lookback_days=3, card=rates.read(card))
        charges = built.rows(
            "SELECT CAST(ChargePeriodStart AS DATE), CAST(ChargePeriodEnd AS DATE), CAST(BillingPeriodStart AS DATE),"
            " CAST(BillingPeriodEnd AS DATE), BilledCost FROM focus_charges ORDER BY 1"
        )
        monthly = built.rows("SELECT month, ConsumedQuantity FROM usage_monthly ORDER BY 1")
    day = date.fromisoformat
    assert [(*row[:4], Decimal(row[4]).normalize()) for row in charges] == [
        (day("2027-12-31"), day("2028-01-01"), day("2027-12-01"), day("2028-01-01"), Decimal("2")),
        (day("2028-01-01"), day("2028-01-02"), day("2028-01-01"), day("2028-02-01"), Decimal("4")),
        (day("2028-02-29"), day("2028-03-01"), day("2028-02-01"), day("2028-03-01"), Decimal("6")),
        (day("2028-03-01"), day("2028-03-02"), day("2028-03-01"), day("2028-04-01"), Decimal("8")),
    ]
    assert [(month, Decimal(quantity).normalize()) for month, quantity in monthly] == [
        (day("2027-12-01"), Decimal("100")), (day("2028-01-01"), Decimal("200")),
        (day("2028-02-01"), Decimal("300")), (day("2028-03-01"), Decimal("400")),
    ]  # fmt: skip
