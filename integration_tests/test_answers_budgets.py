"""budget_status on budgets and figures worked out by hand, on DuckDB and on a real PostgreSQL server: budgets in
quantities and in money, over and foreseen over, thresholds crossed, the day a budget was crossed or will be, a
level, a budget with no figure yet and a month's first day (docs/answers.md, "Budgets"). The figures are
test_answers_forecast's: read on 2026-11-20 with lookback 3, days up to 11-16 complete."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from integration_tests.answer_tables import DATABASES, Tables, plain, tables_in
from integration_tests.answer_tables import decimals as _d
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture, for PostgreSQL
from integration_tests.test_answers_forecast import CARD, _leadfeeder, _whitepages, mid_november  # noqa: F401
from local_sync.answers import budgets, rates

BUDGETS = """vendor,metric,product,unit,amount,thresholds,note
whitepages,requests,,,1500,,
whitepages,cost,,USD,20,50;75,
insideview,transactions,,,2000,,
insideview,cost,,,100,,
leadfeeder,requests,,,1400,50,
leaf,cost,,,1,,
leaf,new area by user,AUDIT_FIELDS_BOUNDARY,Acres,9,,
leaf,new area by user,FIELDS_BOUNDARY,Hectares,10,,
"""
COLUMNS = (
    "vendor, metric, product, amount, thresholds, CAST(month AS VARCHAR), CAST(as_of AS VARCHAR), to_date, "
    "percent_to_date, forecast, percent_forecast, thresholds_crossed, highest_threshold_crossed, "
    "CAST(crosses_on AS VARCHAR), status"
)


def _status(built: Tables) -> dict[tuple[str, str, str | None], tuple[Any, ...]]:
    """budget_status by (vendor, metric, product): numbers as Decimals rounded to 4 places."""
    rounded = [plain(row, 4) for row in built.rows(f"SELECT {COLUMNS} FROM budget_status")]
    return {row[:3]: row[3:] for row in rounded}


def _read(tmp_path: Path, text: str) -> tuple[rates.RateCard, budgets.Budgets]:
    (tmp_path / "rates.csv").write_text(CARD)
    (tmp_path / "budgets.csv").write_text(text)
    card = rates.read(tmp_path / "rates.csv")
    return card, budgets.read(tmp_path / "budgets.csv", card)


@pytest.fixture
def november(mid_november: Tables, tmp_path: Path) -> dict[tuple[str, str, str | None], tuple[Any, ...]]:  # noqa: F811
    card, watched = _read(tmp_path, BUDGETS)
    mid_november.refresh(today="2026-11-20", lookback_days=3, card=card, budgets=watched)
    return _status(mid_november)


MONTH = ("2026-11-01", "2026-11-20")


def test_a_quantity_over_its_budget_names_the_day_its_running_total_crossed_it(november: dict) -> None:
    # 11-01..11-04 400, 11-07..11-16 1,000 more (1,400), 11-17 +50, 11-18 +50: 1,500 on 11-18
    assert november[("whitepages", "requests", None)] == (
        *_d("1500"), "80;100", *MONTH, *_d("1560", "104", "2625", "175"), "80;100", Decimal(100), "2026-11-18",
        "over",
    )  # fmt: skip


def test_money_foreseen_over_names_the_day_its_line_reaches_the_amount(november: dict) -> None:
    # 15.60 of 20 is 78 %: 50 and 75 crossed; 0.875 a day from 0 on day 0: 20 / 0.875 = 22.9, so day 23
    assert november[("whitepages", "cost", None)] == (
        *_d("20"), "50;75", *MONTH, *_d("15.6", "78", "26.25", "131.25"), "50;75", Decimal(75), "2026-11-23",
        "forecast over",
    )  # fmt: skip


def test_a_budget_foreseen_under_is_on_track_with_no_crossing_day(november: dict) -> None:
    # 370 of 2,000 (18.5 %), foreseen 1,800 (90 %): no threshold crossed so far, none foreseen at 100 %
    assert november[("insideview", "transactions", None)] == (
        *_d("2000"), "80;100", *MONTH, *_d("370", "18.5", "1800", "90"), None, None, None, "on track",
    )  # fmt: skip


def test_a_crossing_day_is_never_before_the_read_day(november: dict) -> None:
    # 6 USD a day from 0 (the days before the first synced day foreseen too): 100 / 6 = 16.7, day 17, but not
    # crossed by 11-20, the read day: so 11-20
    assert november[("insideview", "cost", None)] == (
        *_d("100"), "80;100", *MONTH, *_d("37", "37", "180", "180"), None, None, "2026-11-20", "forecast over",
    )  # fmt: skip


def test_a_vendor_by_month_crosses_on_its_average_day(november: dict) -> None:
    # 950 of 1,400 (67.86 %): 50 crossed; 50 a day since the 1st: 1,400 / 50 = day 28
    assert november[("leadfeeder", "requests", None)] == (
        *_d("1400"), "50", *MONTH, *_d("950", "67.8571", "1500", "107.1429"), "50", Decimal(50), "2026-11-28",
        "forecast over",
    )  # fmt: skip


def test_a_level_over_its_budget_is_over_from_the_read_day(november: dict) -> None:
    # Leaf's cost is AUDIT_FIELDS_BOUNDARY's level alone, 1.25 USD, known by month: over as of the read day
    assert november[("leaf", "cost", None)] == (
        *_d("1"), "80;100", *MONTH, *_d("1.25", "125", "1.25", "125"), "80;100", Decimal(100), "2026-11-20", "over",
    )  # fmt: skip


def test_a_leaf_products_area_is_held_against_its_own_budget(november: dict) -> None:
    # AUDIT's new area, 5 acres over 16 complete days: 9 / 0.3125 = 28.8, so day 29
    assert november[("leaf", "new area by user", "AUDIT_FIELDS_BOUNDARY")] == (
        *_d("9"), "80;100", *MONTH, *_d("5", "55.5556", "9.375", "104.1667"), None, None, "2026-11-29",
        "forecast over",
    )  # fmt: skip
    # no FIELDS_BOUNDARY figure at all: nothing used, nothing foreseen
    assert november[("leaf", "new area by user", "FIELDS_BOUNDARY")] == (
        *_d("10"), "80;100", *MONTH, *_d("0", "0", "0", "0"), None, None, None, "on track",
    )  # fmt: skip


@pytest.mark.parametrize("database", DATABASES)
def test_on_a_months_first_day_a_budget_is_over_or_not_yet_foreseen(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with tables_in(database, request, f"budget_first_{database}") as built:
        _whitepages(built, "2026-12-01", {"2026-11-30": 30, "2026-12-01": 40})
        _leadfeeder(built, "2026-12-01", {"2026-12": 25})
        card, watched = _read(
            tmp_path,
            "vendor,metric,product,unit,amount,thresholds,note\nwhitepages,requests,,,100,,\n"
            "whitepages,cost,,,0.3,,\nleadfeeder,requests,,,20,,\n",
        )
        built.refresh(today="2026-12-01", lookback_days=3, card=card, budgets=watched)
        found = _status(built)
    first = ("2026-12-01", "2026-12-01")
    # 40 of 100: no threshold, and no complete day to foresee from
    assert found[("whitepages", "requests", None)] == (
        *_d("100"), "80;100", *first, *_d("40", "40"), None, None, None, None, None, "no forecast yet",
    )  # fmt: skip
    # 0.40 USD of 0.30: over on its first day
    assert found[("whitepages", "cost", None)][4:] == (*_d("0.4", "133.3333"), None, None, "80;100", Decimal(100),
                                                        "2026-12-01", "over")  # fmt: skip
    # a month's figure over its budget: over as of the read day
    assert found[("leadfeeder", "requests", None)][10:] == ("2026-12-01", "over")
