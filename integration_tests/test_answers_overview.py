"""usage_overview on calendar edges: FOCUS periods (UTC, end exclusive), units, x_IsComplete, tables present.

Each fixture is worked out by hand and runs on DuckDB and on a real PostgreSQL server (answer_tables.py).
"""

from collections.abc import Iterator
from datetime import datetime

import pytest

from integration_tests.answer_tables import API_TRANSACTIONS, DATABASES, Tables, tables_in
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture, for PostgreSQL

READ_AT = "TIMESTAMP '2026-12-02 10:00:00'"


@pytest.fixture(params=DATABASES)
def tables(request: pytest.FixtureRequest) -> Iterator[Tables]:
    with tables_in(request.param, request, f"overview_{request.node.name[:40]}") as built:
        yield built


def _overview(tables: Tables, today: str) -> list[tuple]:
    tables.refresh(today=today, lookback_days=3)
    return tables.rows(
        "SELECT ServiceProviderName, BillingAccountId, SubAccountId, x_Operation, x_Metric, x_Grain,"
        " ChargePeriodStart, ChargePeriodEnd, CAST(ConsumedQuantity AS DOUBLE PRECISION), ConsumedUnit,"
        " x_IsComplete, x_MetricKind, x_Product, x_IsRollup"
        " FROM usage_overview ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11"
    )


def _airbyte(columns: str) -> str:
    return f"{columns}, _airbyte_raw_id VARCHAR, _airbyte_extracted_at TIMESTAMP, _airbyte_meta JSON"


def test_overview_periods_units_and_completeness_on_a_month_edge(tables: Tables) -> None:
    tables.execute(f"CREATE TABLE daily_usage ({_airbyte('date DATE, request_count BIGINT')})")
    # read on 2026-12-02 with lookback 3: the figures of 12-02, 12-01, 11-30 and 11-29 may still change
    for day, count in (("2026-11-28", 5), ("2026-11-29", 6), ("2026-12-02", 7)):
        tables.execute(f"INSERT INTO daily_usage VALUES ('{day}', {count}, 'r', {READ_AT}, '{{}}')")
    tables.execute(
        "CREATE TABLE api_usage ("
        + _airbyte(
            "account_id VARCHAR, id VARCHAR, period VARCHAR, endpoint_path VARCHAR, http_method VARCHAR,"
            " num_requests BIGINT, num_failed_requests BIGINT, num_successful_requests BIGINT,"
            " num_returned_entities BIGINT"
        )
        + ")"
    )
    # November ends 12-01, after 11-29 (12-02 minus 3 days): not final yet, although the month is over
    for period in ("2026-10", "2026-11"):
        tables.execute(
            f"INSERT INTO api_usage VALUES ('7', 'x', '{period}', '/companies', 'GET', 10, 0, 10, 1, 'r', {READ_AT},"
            " '{}')"
        )
    tables.execute(API_TRANSACTIONS)
    tables.execute(
        f"INSERT INTO api_transactions VALUES ('iv', 'IV', 'year', '2025', 'ENRICH', 3, NULL, 'r', {READ_AT}, '{{}}')"
    )
    tables.execute(
        "CREATE TABLE leaf_user_consumption ("
        + _airbyte(
            "contract_id VARCHAR, leaf_user_id VARCHAR, product VARCHAR, date DATE, area_unit VARCHAR,"
            " total_area DECIMAL(38, 9), daily_area DECIMAL(38, 9)"
        )
        + ")"
    )
    tables.execute(
        "INSERT INTO leaf_user_consumption VALUES"
        f" ('c1', 'u1', 'FIELDS_BOUNDARY', '2026-02-28', 'Hectare', 9, 1.25, 'r', {READ_AT}, '{{}}')"
    )

    # judged from 12-10, but each figure only from the day it was read (12-02)
    rows = _overview(tables, today="2026-12-10")

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text)

    assert rows == [
        ("InsideView", "iv", None, "ENRICH", "transactions", "year", at("2025-01-01"), at("2026-01-01"), 3.0,
         "Transactions", True, "billable", None, False),
        ("Leadfeeder", "7", None, "GET /companies", "requests", "month", at("2026-10-01"), at("2026-11-01"), 10.0,
         "Requests", True, "informational", None, False),
        ("Leadfeeder", "7", None, "GET /companies", "requests", "month", at("2026-11-01"), at("2026-12-01"), 10.0,
         "Requests", False, "informational", None, False),
        ("Leaf", "c1", "u1", None, "area to date by user", "day", at("2026-02-28"), at("2026-03-01"), 9.0,
         "Hectares", True, "gauge", "FIELDS_BOUNDARY", False),
        ("Leaf", "c1", "u1", None, "new area by user", "day", at("2026-02-28"), at("2026-03-01"), 1.25,
         "Hectares", True, "billable", "FIELDS_BOUNDARY", False),
        ("Whitepages", "whitepages", None, None, "requests", "day", at("2026-11-28"), at("2026-11-29"), 5.0,
         "Requests", True, "informational", None, False),
        ("Whitepages", "whitepages", None, None, "requests", "day", at("2026-11-29"), at("2026-11-30"), 6.0,
         "Requests", False, "informational", None, False),
        ("Whitepages", "whitepages", None, None, "requests", "day", at("2026-12-02"), at("2026-12-03"), 7.0,
         "Requests", False, "informational", None, False),
    ]  # fmt: skip

    # judged from an earlier day (the sandbox's today, 11-30): 11-27 .. 11-30 may change, 11-28 is not final
    earlier = {(row[4], row[6]): row[10] for row in _overview(tables, today="2026-11-30")}
    assert earlier[("requests", at("2026-11-28"))] is False
    assert earlier[("requests", at("2026-10-01"))] is True


def test_overview_covers_only_the_streams_whose_tables_exist(tables: Tables) -> None:
    assert _overview(tables, today="2026-11-20") == []
    tables.execute(
        "CREATE TABLE contract_consumption ("
        + _airbyte(
            "contract_id VARCHAR, product VARCHAR, date DATE, area_unit VARCHAR, total_area DECIMAL(38, 9),"
            " daily_area DECIMAL(38, 9)"
        )
        + ")"
    )
    tables.execute(
        "INSERT INTO contract_consumption VALUES"
        " ('c1', NULL, '2026-11-01', 'Acre', 10, 1.5, 'r', TIMESTAMP '2026-11-20', '{}'),"
        " ('c2', NULL, '2026-11-01', 'Hectare', 20, 2.25, 'r', TIMESTAMP '2026-11-20', '{}')"
    )
    rows = _overview(tables, today="2026-11-20")
    # no contracts table to take a missing product from: the product is unknown, and not a rollup
    assert [(row[0], row[1], row[4], row[8], row[9], row[11:]) for row in rows] == [
        ("Leaf", "c1", "area to date", 10.0, "Acres", ("gauge", None, False)),
        ("Leaf", "c1", "new area", 1.5, "Acres", ("informational", None, False)),
        ("Leaf", "c2", "area to date", 20.0, "Hectares", ("gauge", None, False)),
        ("Leaf", "c2", "new area", 2.25, "Hectares", ("informational", None, False)),
    ]
    assert tables.rows("SELECT count(*) FROM credit_balances") == [(0,)]
    assert tables.rows("SELECT count(*) FROM credit_runway") == [(0,)]


def test_usage_monthly_counts_insideview_days_once_beside_their_month(tables: Tables) -> None:
    # insideview.period changed from month to day: October only as a month, November as a month and as its days
    tables.execute(API_TRANSACTIONS)
    for period, day, count in (
        ("month", "2026-10", 40), ("month", "2026-11", 70), ("day", "2026-11-02", 30), ("day", "2026-11-20", 35),
        ("year", "2026", 500),
    ):  # fmt: skip
        tables.execute(
            f"INSERT INTO api_transactions VALUES ('iv', 'IV', '{period}', '{day}', 'ENRICH', {count}, NULL, 'r',"
            f" {READ_AT}, '{{}}')"
        )
    tables.refresh(today="2026-12-10", lookback_days=3)
    monthly = tables.rows(
        "SELECT CAST(month AS VARCHAR), CAST(ConsumedQuantity AS DOUBLE PRECISION), CAST(x_LastFigureDay AS VARCHAR),"
        " x_IsComplete, x_MetricKind FROM usage_monthly ORDER BY 1"
    )
    # November: its days (30 + 35), not the month's 70 on top of them; the year figure has no month
    assert monthly == [
        ("2026-10-01", 40.0, "2026-10-01", True, "billable"),
        ("2026-11-01", 65.0, "2026-11-20", False, "billable"),
    ]
