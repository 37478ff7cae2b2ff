"""local_sync.answers.models renders every model of the dbt package for both dialects, over all streams or none."""

import pytest

from local_sync.answers.models import DIALECTS, ORDER, render

STREAMS = {
    "accounts", "api_usage", "credits", "api_transactions", "daily_usage", "contracts", "contract_consumption",
    "daily_consumption", "leaf_users", "leaf_user_consumption",
}  # fmt: skip


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_model_renders_over_all_streams_and_none(dialect: str) -> None:
    for tables in (STREAMS, set()):
        for name in ORDER:
            model = render(name, dialect, tables, {"usage_today": "2026-11-20", "lookback_days": 3})
            assert model.sql.lower().lstrip().startswith("with"), model.sql[:200]
            assert "{{" not in model.sql and "{%" not in model.sql
            used = {stream for stream in STREAMS if f"from {stream}\n" in model.sql + "\n"}
            assert used <= tables, f"{name} reads {used - tables}, which do not exist"


def test_dialects_render_the_cross_database_macros_their_own_way() -> None:
    duckdb = render("usage_overview", "duckdb", {"daily_usage"}).sql
    postgres = render("usage_overview", "postgres", {"daily_usage"}).sql
    assert "cast(1 as bigint) * interval 1 day" in duckdb
    assert "((interval '1 day') * (1))" in postgres
    assert "current_date" in duckdb and "current_date" in postgres  # no usage_today: the database's day


def test_credit_balances_appends_once_it_exists() -> None:
    assert render("credit_balances", "duckdb", {"credits"}).incremental is False
    appended = render("credit_balances", "duckdb", {"credits", "credit_balances"})
    assert appended.incremental and "not exists" in appended.sql and appended.materialized == "incremental"


def test_an_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="one of duckdb, postgres"):
        render("usage_overview", "snowflake", set())
