"""usage_alerts on figures worked out by hand, on DuckDB and on a real PostgreSQL server: one alert of each kind,
and the near misses that raise none (docs/answers.md, "Alerts"). Read on 2026-11-20 with lookback 3: days up to
11-16 are complete. The thresholds are the package's defaults (dbt/dbt_project.yml)."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from integration_tests.answer_tables import AIRBYTE_COLUMNS, API_TRANSACTIONS, DATABASES, plain, tables_in
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture, for PostgreSQL
from local_sync.answers import budgets

READ_AT = "TIMESTAMP '2026-11-20 12:00:00'"
BUDGETS = "vendor,metric,product,unit,amount,thresholds,note\ninsideview,transactions,,,100,,\n"


def _whitepages_days() -> dict[str, int]:
    """28 complete days from 10-20 to 11-16 alternating 90 and 110 (mean 100, standard deviation 10), then 200 on
    11-17 and 100 on 11-18."""
    first = date(2026, 10, 20).toordinal()
    days = {date.fromordinal(first + i).isoformat(): 90 if i % 2 == 0 else 110 for i in range(28)}
    return days | {"2026-11-17": 200, "2026-11-18": 100}


@pytest.fixture(scope="module", params=DATABASES)
def alerts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[tuple]]:
    with tables_in(request.param, request, f"alerts_{request.param}") as built:
        built.execute(
            "CREATE TABLE accounts (id VARCHAR, name VARCHAR, credits_available BIGINT, credits_used BIGINT,"
            f" credits_remaining BIGINT, credits_next_reset_on DATE, {AIRBYTE_COLUMNS})"
        )
        # (id, available, used, remaining, resets on): A nearly spent, B mostly unused before its reset on 11-25,
        # C resetting 11-24 with most of it used, D comfortable
        pools = [("A", 1000, 950, 50, "2027-02-01"), ("B", 500, 100, 400, "2026-11-25"),
                 ("C", 500, 400, 100, "2026-11-24"), ("D", 5000, 100, 4900, "2027-02-01")]  # fmt: skip
        for pool in pools:
            built.execute(
                f"INSERT INTO accounts VALUES (?, 'Account ' || ?, ?, ?, ?, ?, 'r', {READ_AT}, '{{}}')",
                (pool[0], *pool),
            )
        built.execute(
            "CREATE TABLE credits (account_id VARCHAR, account_name VARCHAR, allocated_credits BIGINT,"
            f" consumed_credits BIGINT, remaining_credits BIGINT, observed_at TIMESTAMP, {AIRBYTE_COLUMNS})"
        )
        built.execute(f"INSERT INTO credits VALUES ('iv1', 'IV', 1000, 700, 300, {READ_AT}, 'r', {READ_AT}, '{{}}')")
        # InsideView: 20 transactions a day from 11-14 to 11-20, its first synced day 11-14
        built.execute(API_TRANSACTIONS)
        for day in range(14, 21):
            built.execute(
                f"INSERT INTO api_transactions VALUES ('iv1', 'IV', 'day', ?, 'ENRICH', 20, NULL, 'r', {READ_AT},"
                " '{}')",
                (f"2026-11-{day}",),
            )
        built.execute(f"CREATE TABLE daily_usage (date DATE, request_count BIGINT, {AIRBYTE_COLUMNS})")
        for day, count in _whitepages_days().items():
            built.execute(f"INSERT INTO daily_usage VALUES (?, ?, 'r', {READ_AT}, '{{}}')", (day, count))
        built.execute(
            f"CREATE TABLE contracts (id VARCHAR, product VARCHAR, start_date DATE, end_date DATE, {AIRBYTE_COLUMNS})"
        )
        for contract, product, end in (("c1", "FIELDS_BOUNDARY", "2026-12-10"), ("c2", "UNIFIED_AREA", "2027-12-31"),
                                       ("c3", "OPERATIONS_FILE", "2026-11-01")):  # fmt: skip
            built.execute(
                f"INSERT INTO contracts VALUES (?, ?, DATE '2026-01-01', ?, 'r', {READ_AT}, '{{}}')",
                (contract, product, end),
            )
        watched = tmp_path_factory.mktemp("alerts") / "budgets.csv"
        watched.write_text(BUDGETS)
        built.refresh(today="2026-11-20", lookback_days=3, budgets=budgets.read(Path(watched), None))
        yield {plain(row, 2) for row in built.rows("SELECT * FROM usage_alerts")}


def test_each_kind_of_alert_is_raised_where_the_figures_worked_by_hand_say(alerts: set[tuple]) -> None:
    read_on = date(2026, 11, 20)
    assert alerts == {
        # 300 credits left at the 7 days' 20 a day: 15 days, within 30
        ("runway", "insideview", "insideview IV (iv1)", Decimal(15), Decimal(30), "days", read_on),
        # A: 50 of 1,000 left, 5 % (at most 10 %) and at most 100 credits; C: 100 left, at most 100
        ("credits_percent", "leadfeeder", "leadfeeder Account A (A)", Decimal(5), Decimal(10), "percent", read_on),
        ("credits_floor", "leadfeeder", "leadfeeder Account A (A)", Decimal(50), Decimal(100), "Credits", read_on),
        ("credits_floor", "leadfeeder", "leadfeeder Account C (C)", Decimal(100), Decimal(100), "Credits", read_on),
        # B resets on 11-25, within 7 days, with 400 of 500 (80 %) unused; C resets too, but 20 % is unused
        ("credit_reset", "leadfeeder", "leadfeeder Account B (B)", Decimal(80), Decimal(50), "percent unused",
         read_on),
        # 28 complete days before 11-17 of mean 100 and standard deviation 10: above 130 is a spike; 11-18's 100
        # is not; InsideView's days have under 14 days of history (from 11-14), so none of them counts
        ("spike", "whitepages", "whitepages requests on 2026-11-17", Decimal(200), Decimal(130), "Requests",
         date(2026, 11, 17)),
        # 140 transactions of 100 (140 %), the running total reaching 100 on 11-18
        ("budget", "insideview", "insideview transactions", Decimal(140), Decimal(100), "percent",
         date(2026, 11, 18)),
        # c1 ends on 12-10, 20 days on; c2 ends in 2027, c3 ended already
        ("contract_end", "leaf", "FIELDS_BOUNDARY contract c1", Decimal(20), Decimal(30), "days", read_on),
    }  # fmt: skip
