"""credit_balances and credit_runway on figures worked out by hand (the working is in the comments).

Each "sync" below replaces the full-refresh tables (accounts, credits) as a sync does, then refreshes the models,
so credit_balances keeps every snapshot. The sync day is 2026-11-20 (usage_today); balance days are the days the
balances were read. Every figure runs on DuckDB and on a real PostgreSQL server (answer_tables.py).
"""

from datetime import date

import pytest

from integration_tests.answer_tables import DATABASES, Tables, tables_in
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture, for PostgreSQL
from local_sync.answers import views as answers

TODAY = "2026-11-20"


def _sync(tables: Tables, observed: str, accounts: list[tuple], credits: list[tuple]) -> None:
    """One sync read at `observed`: accounts (id, available, used, remaining, resets_on), credits (id, alloc, used)."""
    tables.execute("DELETE FROM accounts")
    tables.execute("DELETE FROM credits")
    for account_id, available, used, remaining, resets_on in accounts:
        tables.execute(
            "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, 'raw', CAST(? AS TIMESTAMP), '{}')",
            [account_id, f"Account {account_id}", available, used, remaining, resets_on, observed],
        )
    for account_id, allocated, consumed in credits:
        tables.execute(
            "INSERT INTO credits VALUES (?, 'IV', ?, ?, ?, CAST(? AS TIMESTAMP), 'raw', CAST(? AS TIMESTAMP), '{}')",
            [account_id, allocated, consumed, allocated - consumed, observed, observed],
        )
    tables.refresh(today=TODAY, lookback_days=3)


@pytest.fixture(scope="module", params=DATABASES)
def pools(request: pytest.FixtureRequest) -> dict[str, answers.Pool]:
    with tables_in(request.param, request, "runway") as tables:
        return _pools(tables)


def _pools(tables: Tables) -> dict[str, answers.Pool]:
    tables.execute(
        "CREATE TABLE accounts (id VARCHAR, name VARCHAR, credits_available BIGINT, credits_used BIGINT,"
        " credits_remaining BIGINT, credits_next_reset_on DATE, _airbyte_raw_id VARCHAR,"
        " _airbyte_extracted_at TIMESTAMP, _airbyte_meta JSON)"
    )
    tables.execute(
        "CREATE TABLE credits (account_id VARCHAR, account_name VARCHAR, allocated_credits BIGINT,"
        " consumed_credits BIGINT, remaining_credits BIGINT, observed_at TIMESTAMP, _airbyte_raw_id VARCHAR,"
        " _airbyte_extracted_at TIMESTAMP, _airbyte_meta JSON)"
    )
    tables.execute(
        "CREATE TABLE api_transactions (account_id VARCHAR, account_name VARCHAR, period_type VARCHAR,"
        " date VARCHAR, api VARCHAR, transactions BIGINT, match_rate DECIMAL(38, 9), _airbyte_raw_id VARCHAR,"
        " _airbyte_extracted_at TIMESTAMP, _airbyte_meta JSON)"
    )
    # InsideView iv1 reports daily: 1,000 on 2026-10-21 (31 days back: outside both windows), 10 a day on the
    # 23 days 2026-10-22 .. 2026-11-13, 20 a day on the 7 days 2026-11-14 .. 2026-11-20 (split over two APIs,
    # 15 + 5), and a monthly figure that is not daily use.
    daily = [("2026-10-21", "ENRICH", 1000)]
    daily += [(f"2026-10-{day}", "ENRICH", 10) for day in range(22, 32)]
    daily += [(f"2026-11-{day:02d}", "ENRICH", 10) for day in range(1, 14)]
    daily += [(f"2026-11-{day}", api, n) for day in range(14, 21) for api, n in (("ENRICH", 15), ("SEARCH", 5))]
    for day, api, transactions in daily:
        tables.execute(
            "INSERT INTO api_transactions VALUES ('iv1', 'IV', 'day', ?, ?, ?, NULL, 'raw',"
            " TIMESTAMP '2026-11-20 12:00:00', '{}')",
            [day, api, transactions],
        )
    tables.execute(
        "INSERT INTO api_transactions VALUES ('iv1', 'IV', 'month', '2026-11', 'ENRICH', 99999, NULL, 'raw',"
        " TIMESTAMP '2026-11-20 12:00:00', '{}')"
    )
    # Leadfeeder pools, as (id, available, used, remaining, resets_on) per sync:
    #   A: 1,000 credits, used 40 -> 300 -> 330 -> 400, resets 2027-02-01
    #   B: 101 credits, used 0 on 11-10 and 25 on 11-20 (10 days of history)
    #   C: used 50 on 11-13 and 50 on 11-20 (no consumption)
    #   D: used 200 of 200 (already at zero)
    #   F: used 500 on 11-13, 20 on 11-20 (a reset in between)
    _sync(tables, "2026-10-21 09:00:00", [("A", 1000, 40, 960, "2027-02-01")], [])
    _sync(tables, "2026-11-10 09:00:00", [("A", 1000, 300, 700, "2027-02-01"), ("B", 101, 0, 101, "2026-12-01")], [])
    _sync(
        tables,
        "2026-11-13 09:00:00",
        [("A", 1000, 330, 670, "2027-02-01"), ("C", 500, 50, 450, "2027-01-01"), ("F", 600, 500, 100, None)],
        [],
    )
    _sync(
        tables,
        "2026-11-20 09:00:00",
        [
            ("A", 1000, 400, 600, "2027-02-01"),
            ("B", 101, 25, 76, "2026-12-01"),
            ("C", 500, 50, 450, "2027-01-01"),
            ("D", 200, 200, 0, "2027-01-01"),
            ("F", 600, 20, 580, "2027-06-01"),
        ],
        [("iv1", 5000, 1000)],
    )
    # the same sync refreshed twice keeps one snapshot
    tables.refresh(today=TODAY, lookback_days=3)
    kept = tables.rows("SELECT vendor, account_id, count(*) FROM credit_balances GROUP BY vendor, account_id")
    assert sorted(kept) == [
        ("insideview", "iv1", 1),
        ("leadfeeder", "A", 4),
        ("leadfeeder", "B", 2),
        ("leadfeeder", "C", 2),
        ("leadfeeder", "D", 1),
        ("leadfeeder", "F", 2),
    ]
    return {pool.account_id: pool for pool in answers.runway(tables.connection)}


def test_runway_from_successive_balances(pools: dict[str, answers.Pool]) -> None:
    pool = pools["A"]
    # 7 days: the latest balance on or before 11-13 is 11-13 (used 330): 400 - 330 = 70 over 7 days = 10 a day.
    # 30 days: the latest on or before 10-21 is 10-21 (used 40): 400 - 40 = 360 over 30 days = 12 a day.
    # Days left at the 7-day rate: 600 / 10 = 60; 11-20 + 60 days: Nov has 10 more (11-30), Dec 31 (41),
    # Jan 19 more = 60 -> 2027-01-19, before the reset on 2027-02-01.
    assert (pool.rate_source, pool.consumed_7d, pool.consumed_30d) == ("balances", 70.0, 360.0)
    assert (pool.daily_rate_7d, pool.daily_rate_30d, pool.daily_rate) == (10.0, 12.0, 10.0)
    assert (pool.days_left, pool.runs_out_on, pool.status) == (60.0, date(2027, 1, 19), "runs out before reset")
    assert (pool.as_of, pool.remaining, pool.resets_on) == (date(2026, 11, 20), 600, date(2027, 2, 1))


def test_runway_over_a_history_younger_than_the_window(pools: dict[str, answers.Pool]) -> None:
    pool = pools["B"]
    # No balance on or before 11-13 (7 days) or 10-21 (30 days): both use the oldest, 11-10 (used 0), 10 days back:
    # 25 / 10 = 2.5 a day. Days left 76 / 2.5 = 30.4; it runs out during the 31st day: 11-20 + 31 = 2026-12-21,
    # after the reset on 2026-12-01: ok.
    assert (pool.consumed_7d, pool.consumed_30d, pool.daily_rate_7d, pool.daily_rate_30d) == (25.0, 25.0, 2.5, 2.5)
    assert pool.days_left == pytest.approx(30.4)
    assert (pool.runs_out_on, pool.status) == (date(2026, 12, 21), "ok")


def test_runway_of_a_pool_with_no_consumption(pools: dict[str, answers.Pool]) -> None:
    pool = pools["C"]
    # 50 - 50 = 0 over 7 days: a rate of 0 never runs out.
    assert (pool.consumed_7d, pool.daily_rate_7d, pool.daily_rate) == (0.0, 0.0, 0.0)
    assert (pool.days_left, pool.runs_out_on, pool.status) == (None, None, "ok")


def test_runway_of_a_pool_already_at_zero(pools: dict[str, answers.Pool]) -> None:
    pool = pools["D"]
    # One balance only (no rate), but 0 remaining: exhausted on its balance day.
    assert (pool.remaining, pool.daily_rate, pool.days_left) == (0, None, 0.0)
    assert (pool.runs_out_on, pool.status) == (date(2026, 11, 20), "exhausted")
    assert pool.runs_out_within(0)


def test_runway_after_a_reset_is_unknown_not_negative(pools: dict[str, answers.Pool]) -> None:
    pool = pools["F"]
    # used fell from 500 to 20: the credits reset in between, so the change says nothing about the rate.
    assert (pool.consumed_7d, pool.daily_rate, pool.runs_out_on, pool.status) == (None, None, None, "ok")


def test_runway_from_daily_usage(pools: dict[str, answers.Pool]) -> None:
    pool = pools["iv1"]
    # 7 days (11-14 .. 11-20): 7 x (15 + 5) = 140, 20 a day. 30 days (10-22 .. 11-20): 23 x 10 + 140 = 370,
    # 370 / 30 = 12.333... a day; the 1,000 of 10-21 and the monthly figure are outside.
    # Days left 4,000 / 20 = 200: 11-20 + 200 days: Nov 10 (11-30), Dec 41, Jan 72, Feb 100, Mar 131, Apr 161,
    # May 192, Jun 8 -> 2027-06-08. InsideView names no reset day, so it runs out before any reset.
    assert (pool.rate_source, pool.consumed_7d, pool.consumed_30d) == ("daily usage", 140.0, 370.0)
    assert pool.daily_rate_7d == 20.0 and pool.daily_rate_30d == pytest.approx(370 / 30)
    assert (pool.remaining, pool.days_left, pool.runs_out_on) == (4000, 200.0, date(2027, 6, 8))
    assert pool.status == "runs out before reset"


def test_runs_out_within_counts_days_from_the_balance_day(pools: dict[str, answers.Pool]) -> None:
    # A runs out 60 days after 11-20; B 31 days after; C never.
    assert pools["A"].runs_out_within(60) and not pools["A"].runs_out_within(59)
    assert pools["B"].runs_out_within(31) and not pools["B"].runs_out_within(30)
    assert not pools["C"].runs_out_within(10_000)


def test_runway_lists_the_soonest_first(pools: dict[str, answers.Pool]) -> None:
    # D (11-20), B (12-21), A (2027-01-19), iv1 (2027-06-08), then the pools that never run out
    assert list(pools)[:4] == ["D", "B", "A", "iv1"]
