"""usage_forecast on figures worked out by hand, on DuckDB and on a real PostgreSQL server: a month with a gap in
the data and days the vendor may still revise, a vendor whose first synced day is mid-month, a vendor that reports
only by month, a level (Leaf's AUDIT_FIELDS_BOUNDARY), a month's first day (no complete day yet) and a leap
February (docs/answers.md, "Forecasts")."""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from integration_tests.answer_tables import AIRBYTE_COLUMNS, API_TRANSACTIONS, DATABASES, Tables, plain, tables_in
from integration_tests.answer_tables import decimals as _d
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture, for PostgreSQL
from local_sync.answers import rates

CARD = """vendor,metric,sku,pricing_unit,unit_price,currency,valid_from,valid_to,billed,note
whitepages,requests,,Requests,0.01,USD,,,true,
insideview,transactions,,Transactions,2,credits,,,true,
insideview,credits,,Credits,0.05,USD,,,true,
leaf,area to date by user,AUDIT_FIELDS_BOUNDARY,Acres,0.01,USD,,,true,
leadfeeder,requests,,Requests,,,,,false,
"""
COLUMNS = (
    "vendor, metric, product, unit, CAST(month AS VARCHAR), CAST(as_of AS VARCHAR), days_in_month, "
    "CAST(last_complete_day AS VARCHAR), complete_days, projection, quantity_to_date, quantity_complete, "
    "daily_quantity, quantity_forecast, last_month_quantity, last_month_final, currency, cost_to_date, "
    "cost_complete, daily_cost, cost_forecast, last_month_cost"
)


def _read_at(day: str) -> str:
    return f"TIMESTAMP '{day} 10:00:00'"


def _whitepages(built: Tables, read_on: str, days: dict[str, int]) -> None:
    built.execute(f"CREATE TABLE daily_usage (date DATE, request_count BIGINT, {AIRBYTE_COLUMNS})")
    for day, count in days.items():
        built.execute(f"INSERT INTO daily_usage VALUES (?, ?, 'r', {_read_at(read_on)}, '{{}}')", (day, count))


def _leadfeeder(built: Tables, read_on: str, months: dict[str, int]) -> None:
    built.execute(
        "CREATE TABLE api_usage (account_id VARCHAR, id VARCHAR, period VARCHAR, endpoint_path VARCHAR,"
        " http_method VARCHAR, num_requests BIGINT, num_failed_requests BIGINT, num_successful_requests BIGINT,"
        f" num_returned_entities BIGINT, {AIRBYTE_COLUMNS})"
    )
    for month, count in months.items():
        built.execute(
            f"INSERT INTO api_usage VALUES ('7', 'x', ?, '/companies', 'GET', ?, 0, ?, 1, 'r', {_read_at(read_on)},"
            " '{}')",
            (month, count, count),
        )


def _forecast(built: Tables) -> dict[tuple[str, str, str | None], tuple[Any, ...]]:
    """usage_forecast by (vendor, metric, product): numbers as Decimals rounded to 6 places (DuckDB divides in
    floating point, PostgreSQL in numeric)."""
    rounded = [plain(row, 6) for row in built.rows(f"SELECT {COLUMNS} FROM usage_forecast")]
    return {row[:3]: row[3:] for row in rounded}


def _card(tmp_path: Path) -> rates.RateCard:
    path = tmp_path / "rates.csv"
    path.write_text(CARD)
    return rates.read(path)


@pytest.fixture(params=DATABASES)
def mid_november(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tables]:
    """Read on 2026-11-20 with lookback 3: days up to 11-16 are complete, 11-17 to 11-20 may still change."""
    with tables_in(request.param, request, f"forecast_{request.node.name[:40]}") as built:
        whitepages = {f"2026-11-{day:02d}": 100 for day in range(1, 17) if day not in (5, 6)}  # 11-05, 11-06: none
        whitepages |= {"2026-11-17": 50, "2026-11-18": 50, "2026-11-19": 50, "2026-11-20": 10}
        whitepages |= {"2026-10-01": 200, "2026-10-31": 300}
        _whitepages(built, "2026-11-20", whitepages)
        # InsideView's first synced day is 11-11: the days before it are not known
        built.execute(API_TRANSACTIONS)
        for day, count in [*((f"2026-11-{day}", 60) for day in range(11, 17)), ("2026-11-19", 10)]:
            built.execute(
                "INSERT INTO api_transactions VALUES ('iv', 'IV', 'day', ?, 'ENRICH', ?, NULL, 'r',"
                f" {_read_at('2026-11-20')}, '{{}}')",
                (day, count),
            )
        _leadfeeder(built, "2026-11-20", {"2026-10": 1200, "2026-11": 950})
        # an AUDIT_FIELDS_BOUNDARY contract: billed by its level, 120 acres at October's end, 125 from 11-02
        built.execute(
            f"CREATE TABLE contracts (id VARCHAR, product VARCHAR, start_date DATE, end_date DATE, {AIRBYTE_COLUMNS})"
        )
        built.execute(
            "INSERT INTO contracts VALUES ('c-aud', 'AUDIT_FIELDS_BOUNDARY', DATE '2026-01-01', DATE '2027-12-31',"
            f" 'r', {_read_at('2026-11-20')}, '{{}}')"
        )
        built.execute(
            "CREATE TABLE leaf_user_consumption (contract_id VARCHAR, leaf_user_id VARCHAR, product VARCHAR,"
            f" date DATE, area_unit VARCHAR, total_area DECIMAL(38, 9), daily_area DECIMAL(38, 9), {AIRBYTE_COLUMNS})"
        )
        for day, total, new in (("2026-10-31", 120, 20), ("2026-11-02", 125, 5)):
            built.execute(
                "INSERT INTO leaf_user_consumption VALUES ('c-aud', 'u1', 'AUDIT_FIELDS_BOUNDARY', ?, 'Acre', ?, ?,"
                f" 'r', {_read_at('2026-11-20')}, '{{}}')",
                (day, total, new),
            )
        built.refresh(today="2026-11-20", lookback_days=3, card=_card(tmp_path))
        yield built


def test_a_month_with_a_gap_and_revisable_days_is_foreseen_from_its_complete_days(mid_november: Tables) -> None:
    whitepages = _forecast(mid_november)[("whitepages", "requests", None)]
    # 14 days of 100 among 11-01..11-16 (11-05 and 11-06 have no figure: no use), so 1,400 over 16 complete days,
    # 87.5 a day; 11-17..11-20 (160) may still change, so they and 11-21..11-30 are foreseen at 87.5:
    # 1,400 + 87.5 x (30 - 16) = 2,625; October: 200 + 300, final
    assert whitepages == (
        "Requests", "2026-11-01", "2026-11-20", 30, "2026-11-16", 16, "days",
        *_d("1560", "1400", "87.5", "2625", "500"), True,
        # at 0.01 USD a request
        "USD", *_d("15.6", "14", "0.875", "26.25", "5"),
    )  # fmt: skip


def test_days_before_the_first_synced_day_are_foreseen_not_counted_as_none(mid_november: Tables) -> None:
    insideview = _forecast(mid_november)[("insideview", "transactions", None)]
    # first synced day 11-11: 6 complete days (11-11..11-16) of 60, so 60 a day; the other 24 days at that rate:
    # 360 + 60 x 24 = 1,800; at 2 credits of 0.05 USD, 0.10 a transaction
    assert insideview == (
        "Transactions", "2026-11-01", "2026-11-20", 30, "2026-11-16", 6, "days",
        *_d("370", "360", "60", "1800", "0"), True,
        "USD", *_d("37", "36", "6", "180"), None,
    )  # fmt: skip


def test_a_vendor_that_reports_by_month_is_foreseen_from_its_days_elapsed(mid_november: Tables) -> None:
    leadfeeder = _forecast(mid_november)[("leadfeeder", "requests", None)]
    # 950 over the 19 days before the read day: 50 a day, 950 + 50 x 11 = 1,500; not billed, so no cost
    assert leadfeeder == (
        "Requests", "2026-11-01", "2026-11-20", 30, None, 19, "month to date",
        *_d("950", "950", "50", "1500", "1200"), True,
        None, None, None, None, None, None,
    )  # fmt: skip


def test_a_level_stands_at_its_value(mid_november: Tables) -> None:
    forecast = _forecast(mid_november)
    # the level, 125 acres since 11-02, is what November bills: 1.25 USD at 0.01, October's 120 acres 1.20
    assert forecast[("leaf", "area to date by user", "AUDIT_FIELDS_BOUNDARY")] == (
        "Acres", "2026-11-01", "2026-11-20", 30, None, None, "level",
        *_d("125", "125"), None, *_d("125", "120"), True,
        "USD", *_d("1.25", "1.25"), None, *_d("1.25", "1.2"),
    )  # fmt: skip
    # its changes (informational, not priced): 5 acres on 11-02 over 16 complete days: 5 + 5/16 x 14 = 9.375
    assert forecast[("leaf", "new area by user", "AUDIT_FIELDS_BOUNDARY")][5:11] == (
        16, "days", *_d("5", "5", "0.3125", "9.375"),
    )  # fmt: skip


@pytest.mark.parametrize("database", DATABASES)
def test_on_a_months_first_day_nothing_is_foreseen_and_it_says_so(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with tables_in(database, request, f"first_day_{database}") as built:
        days = {"2026-11-25": 10, "2026-11-28": 20, "2026-11-30": 30, "2026-12-01": 40}
        _whitepages(built, "2026-12-01", days)
        _leadfeeder(built, "2026-12-01", {"2026-11": 900, "2026-12": 25})
        built.refresh(today="2026-12-01", lookback_days=3, card=_card(tmp_path))
        forecast = _forecast(built)
    # read on 12-01: complete days end 11-27, so December has none; November is not final either (11-28..11-30)
    assert forecast[("whitepages", "requests", None)] == (
        "Requests", "2026-12-01", "2026-12-01", 31, None, 0, "no complete day yet",
        *_d("40", "0"), None, None, *_d("60"), False,
        "USD", *_d("0.4", "0"), None, None, *_d("0.6"),
    )  # fmt: skip
    assert forecast[("leadfeeder", "requests", None)][4:12] == (
        None,
        0,
        "no complete day yet",
        *_d("25", "25"),
        None,
        None,
        Decimal("900"),
    )


@pytest.mark.parametrize("database", DATABASES)
def test_a_leap_february_has_29_days(database: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    with tables_in(database, request, f"february_{database}") as built:
        days = {f"2028-02-{day:02d}": day * 10 for day in range(1, 7)} | {"2028-01-31": 500}
        days |= {f"2028-02-{day:02d}": 100 for day in range(7, 11)}
        _whitepages(built, "2028-02-10", days)
        _leadfeeder(built, "2028-02-10", {"2028-01": 1000, "2028-02": 900})
        built.refresh(today="2028-02-10", lookback_days=3, card=_card(tmp_path))
        forecast = _forecast(built)
    # 10 + 20 + ... + 60 = 210 over 02-01..02-06, 35 a day: 210 + 35 x (29 - 6) = 1,015
    assert forecast[("whitepages", "requests", None)][:13] == (
        "Requests", "2028-02-01", "2028-02-10", 29, "2028-02-06", 6, "days",
        *_d("610", "210", "35", "1015", "500"), True,
    )  # fmt: skip
    # 900 over the 9 days before 02-10: 100 a day, 900 x 29 / 9 = 2,900
    assert forecast[("leadfeeder", "requests", None)][3:13] == (
        29, None, 9, "month to date", *_d("900", "900", "100", "2900", "1000"), True,
    )  # fmt: skip


def test_every_vendor_seen_last_month_or_this_one_has_a_row(mid_november: Tables) -> None:
    forecast = _forecast(mid_november)
    assert sorted(forecast) == sorted([
        ("whitepages", "requests", None),
        ("insideview", "transactions", None),
        ("leadfeeder", "requests", None),
        ("leaf", "area to date by user", "AUDIT_FIELDS_BOUNDARY"),
        ("leaf", "new area by user", "AUDIT_FIELDS_BOUNDARY"),
    ])  # fmt: skip
    assert {row[2] for row in forecast.values()} == {"2026-11-20"}  # the day each vendor was read


@pytest.mark.parametrize("database", DATABASES)
def test_a_years_first_day_and_a_leap_day_as_the_read_day(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    found = {}
    for read_on, days in (
        # read on Jan 1: complete days end 12-28, so January has none; December (12-28 and 12-31) is not final
        ("2027-01-01", {"2026-12-28": 10, "2026-12-31": 20, "2027-01-01": 5}),
        # read on Feb 29: 02-01..02-25 complete at 4 a day (100), 02-26..02-29 revisable at 10 (40)
        ("2028-02-29", {f"2028-02-{day:02d}": 4 for day in range(1, 26)}
         | {f"2028-02-{day}": 10 for day in range(26, 30)} | {"2028-01-31": 7}),
    ):  # fmt: skip
        with tables_in(database, request, f"edge_{read_on.replace('-', '')}_{database}") as built:
            _whitepages(built, read_on, days)
            built.refresh(today=read_on, lookback_days=3, card=_card(tmp_path))
            found[read_on] = _forecast(built)[("whitepages", "requests", None)][:13]
    assert found["2027-01-01"] == (
        "Requests", "2027-01-01", "2027-01-01", 31, None, 0, "no complete day yet", *_d("5", "0"), None, None,
        *_d("30"), False,
    )  # fmt: skip
    # 100 + 4 x (29 - 25) = 116 foreseen, but 140 is counted already: never below it
    assert found["2028-02-29"] == (
        "Requests", "2028-02-01", "2028-02-29", 29, "2028-02-25", 25, "days", *_d("140", "100", "4", "140", "7"),
        True,
    )  # fmt: skip
