"""The dbt package (dbt/) built by `dbt build` on DuckDB (dbt-duckdb) and on a real PostgreSQL server
(dbt-postgres) over the sandbox sync, against make sync's own rendering of the same model files: the same rows.

The PostgreSQL database gets the sync's stream tables as an Airbyte destination writes them (timestamptz,
numeric, jsonb), copied from the DuckDB file of the sandbox sync.
"""

import argparse
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import psycopg

from integration_tests.answers_sync import ROOT, SECOND_DAY, AnswersSync
from integration_tests.discovered import PRIMARY_KEYS
from integration_tests.postgres_server import postgres_url  # noqa: F401
from local_sync.answers import alerts as alerting
from local_sync.answers import budgets, build, outlook, rates
from local_sync.answers import views as answers
from local_sync.answers.models import ORDER
from local_sync.cli import export_focus
from local_sync.report import html as html_report

STREAMS = tuple(PRIMARY_KEYS)
VARS = f"usage_today: '{SECOND_DAY}', lookback_days: 3"
DBT_TIMEOUT_SECONDS = 300
# one alert --notify sent, as alerts_sent keeps it
SENT = "('runway', 'insideview', 'insideview a1 (a1)', 'days', 30, 21, '0123456789abcdef', 'json', now(), NULL)"
PG_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "DATE": "date", "TIMESTAMP": "timestamptz", "JSON": "jsonb",
            "DOUBLE": "float8", "BOOLEAN": "boolean"}  # fmt: skip


def _dbt(workdir: Path, profile: dict[str, Any], variables: str = VARS) -> None:
    """`dbt build` of the package with `profile` as its only target; asserts every model and test passed."""
    lines = ["usage_answers:", "  target: test", "  outputs:", "    test:"]
    lines += [f"      {key}: {value}" for key, value in profile.items()]
    (workdir / "profiles.yml").write_text("\n".join(lines) + "\n")
    command = [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(ROOT / "dbt"),
               "--profiles-dir", str(workdir), "--target-path", str(workdir / "target"),
               "--log-path", str(workdir / "logs"), "--vars", f"{{{variables}}}"]  # fmt: skip
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=DBT_TIMEOUT_SECONDS)
    assert done.returncode == 0 and "ERROR=0" in done.stdout, done.stdout[-5000:] + done.stderr[-2000:]
    assert "PASS=" in done.stdout and "WARN=0" in done.stdout, done.stdout[-3000:]


def _plain(value: Any) -> Any:
    """One Python value for DuckDB's and PostgreSQL's answers: UTC naive times, numbers rounded to 6 places."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    return value


def _rows(connection: Any, relation: str) -> list[tuple[Any, ...]]:
    found = answers.rows(connection, f"SELECT * FROM {relation}")
    return sorted((tuple(_plain(value) for value in row) for row in found), key=repr)


def _copy_without_models(source: Path, target: Path, *models: str) -> None:
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as connection:
        kinds = dict(connection.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
        for name in set(models) & set(kinds):
            connection.execute(f"DROP {'VIEW' if kinds[name] == 'VIEW' else 'TABLE'} {name}")


def test_dbt_build_on_duckdb_gives_the_rows_make_sync_builds(answers_sync: AnswersSync, tmp_path: Path) -> None:
    # the incremental path: make sync's file with its two kept snapshots; dbt adds none, builds the views, and
    # keeps what --notify sent
    _copy_without_models(answers_sync.db, tmp_path / "dbt.duckdb", "usage_overview", "credit_runway")
    with duckdb.connect(str(tmp_path / "dbt.duckdb")) as connection:
        connection.execute(f"INSERT INTO alerts_sent VALUES {SENT}")
    _dbt(tmp_path, {"type": "duckdb", "path": str(tmp_path / "dbt.duckdb"), "schema": "main", "threads": 1})
    # a fresh build: credit_balances holds this sync's snapshot
    _copy_without_models(answers_sync.db, tmp_path / "fresh.duckdb", *ORDER)
    _dbt(tmp_path, {"type": "duckdb", "path": str(tmp_path / "fresh.duckdb"), "schema": "main", "threads": 1})
    _copy_without_models(answers_sync.db, tmp_path / "rendered.duckdb", *ORDER)

    with (
        duckdb.connect(str(tmp_path / "dbt.duckdb"), read_only=True) as built,
        duckdb.connect(str(tmp_path / "fresh.duckdb"), read_only=True) as fresh,
        duckdb.connect(str(answers_sync.db), read_only=True) as synced,
        duckdb.connect(str(tmp_path / "rendered.duckdb")) as rendered,
    ):
        build.refresh(rendered, "duckdb", today=SECOND_DAY, lookback_days=3)
        for name in ORDER:
            assert _rows(built, name) == _rows(synced, name) or name == "alerts_sent", name
            assert _rows(fresh, name) == _rows(rendered, name), name
        assert len(_rows(built, "alerts_sent")) == 1 and _rows(synced, "alerts_sent") == []
        assert len(_rows(built, "credit_balances")) == 2 * len(_rows(fresh, "credit_balances")) == 8
        assert len(_rows(built, "usage_overview")) > 0 and len(_rows(built, "credit_runway")) == 4


def test_dbt_build_on_duckdb_over_some_vendors_only(answers_sync: AnswersSync, tmp_path: Path) -> None:
    # a sync of Whitepages and InsideView's credits only: the other stream tables do not exist
    kept = {"daily_usage", "credits"}
    for name in ("dbt.duckdb", "rendered.duckdb"):
        _copy_without_models(answers_sync.db, tmp_path / name, *ORDER)
        with duckdb.connect(str(tmp_path / name)) as connection:
            for stream in set(STREAMS) - kept:
                connection.execute(f"DROP TABLE {stream}")
    _dbt(tmp_path, {"type": "duckdb", "path": str(tmp_path / "dbt.duckdb"), "schema": "main", "threads": 1})
    with (
        duckdb.connect(str(tmp_path / "dbt.duckdb"), read_only=True) as built,
        duckdb.connect(str(tmp_path / "rendered.duckdb")) as rendered,
    ):
        build.refresh(rendered, "duckdb", today=SECOND_DAY, lookback_days=3)
        for name in ORDER:
            assert _rows(built, name) == _rows(rendered, name), name
        vendors = {row[0] for row in _rows(built, "usage_overview")}
        pools = _rows(built, "credit_runway")
    assert vendors == {"Whitepages"}
    # InsideView's pool without its daily transactions: from balances, one balance day, so no rate yet
    assert [(pool[0], pool[9], pool[14], pool[-1]) for pool in pools] == [("insideview", "balances", None, "ok")]


def _load_postgres(url: str, source: Path, schema: str) -> None:
    """The stream tables of `source` into `schema`, typed as an Airbyte PostgreSQL destination types them."""
    with duckdb.connect(str(source), read_only=True) as duck, psycopg.connect(url) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        pg.execute(f"CREATE SCHEMA {schema}")
        for stream in STREAMS:
            described = duck.execute(f"DESCRIBE {stream}").fetchall()
            columns = [(name, PG_TYPES.get(kind, kind.lower())) for name, kind, *_ in described]
            pg.execute(f"CREATE TABLE {schema}.{stream} ({', '.join(f'{n} {t}' for n, t in columns)})")
            names = ", ".join(name for name, _ in columns)
            with pg.cursor().copy(f"COPY {schema}.{stream} ({names}) FROM STDIN") as copy:
                for row in duck.execute(f"SELECT * FROM {stream}").fetchall():
                    copy.write_row(row)


def test_dbt_build_on_postgres_gives_the_rows_make_sync_builds_on_both(
    answers_sync: AnswersSync,
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    _load_postgres(postgres_url, answers_sync.db, "synced")
    address = urlparse(postgres_url)
    profile = {"type": "postgres", "host": address.hostname, "port": address.port, "user": address.username,
               "password": "''", "dbname": address.path.lstrip("/"), "schema": "answers", "threads": 1}  # fmt: skip
    _dbt(tmp_path, profile, f"{VARS}, usage_schema: synced")
    # DuckDB's fresh build of the same sync: make sync's rendering for DuckDB
    _copy_without_models(answers_sync.db, tmp_path / "rendered.duckdb", *ORDER)
    with duckdb.connect(str(tmp_path / "rendered.duckdb")) as rendered, psycopg.connect(postgres_url) as pg:
        build.refresh(rendered, "duckdb", today=SECOND_DAY, lookback_days=3)
        pg.execute("SET search_path TO synced")
        # as make sync does from the sandbox: with the example rate card and budgets, then again (nothing kept twice)
        card = rates.read(rates.EXAMPLE)
        example = budgets.read(budgets.EXAMPLE, card)
        build.refresh(pg, "postgres", today=SECOND_DAY, lookback_days=3, card=card, budgets=example)
        build.refresh(pg, "postgres", today=SECOND_DAY, lookback_days=3)
        for name in ORDER:
            on_duckdb = _rows(rendered, name)
            assert _rows(pg, f"answers.{name}") == on_duckdb, f"dbt-postgres {name}"
            assert _rows(pg, f"synced.{name}") == on_duckdb, f"make sync's rendering on PostgreSQL, {name}"
        assert len(_rows(pg, "synced.credit_balances")) == 4
        # what the summary, the alerts and the report read: the same on both
        assert answers.runway(pg) == answers.runway(rendered)
        assert {pool.vendor for pool in answers.runway(pg)} == {"leadfeeder", "insideview"}
        assert answers.monthly_usage(pg) == answers.monthly_usage(rendered)
        assert answers.daily_usage(pg, 90) == answers.daily_usage(rendered, 90)
        assert answers.top(pg, 8) == answers.top(rendered, 8)
        assert answers.leaf_billing(pg) == answers.leaf_billing(rendered)
        assert outlook.forecasts(pg) == outlook.forecasts(rendered) != []
        assert outlook.budget_statuses(pg) == outlook.budget_statuses(rendered) != []
        assert alerting.open_alerts(pg) == alerting.open_alerts(rendered) != []
        assert _plain_history(answers.balance_history(pg)) == _plain_history(answers.balance_history(rendered))
        assert html_report.write(pg, tmp_path, "PostgreSQL").stat().st_size > 0
        charges = len(_rows(rendered, "focus_charges"))
    # the FOCUS export reads PostgreSQL's focus_charges as well as DuckDB's
    out = tmp_path / "focus.parquet"
    assert export_focus(argparse.Namespace(db=f"{postgres_url}?schema=synced", version="1.2", out=out)) == 0
    with duckdb.connect() as connection:
        exported = connection.execute(f"SELECT count(*), count(BilledCost) FROM '{out}'").fetchone()
    assert exported == (charges, charges) and charges > 0


def _plain_history(history: dict[tuple[str, str], list[tuple[Any, Any]]]) -> dict[tuple[str, str], list[tuple]]:
    return {pool: [tuple(_plain(value) for value in row) for row in rows] for pool, rows in history.items()}
