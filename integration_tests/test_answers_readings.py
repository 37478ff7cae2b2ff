"""Every answer the same whichever way Leaf's daily summary is read.

providers.md (Leaf): the docs do not say whether the daily summary holds that day's figures or the totals to that
day, so the sandbox serves either (`--leaf-daily-summary`). `python -m local_sync` (what make sync runs) syncs the
same days under each reading: the daily_consumption tables differ, and every model, every figure the summary and
the report read, the summary itself and the report are identical.
"""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from integration_tests.answers_sync import local_sync
from local_sync.answers import money
from local_sync.answers import views as answers
from local_sync.answers.models import ORDER
from usage_sandbox.vendors.leaf import DAILY_SUMMARY_READINGS

# a month's end inside the lookback, and a start in the month before last
TODAY, START = "2026-12-02", "2026-10-20"
# what a sync writes that depends on when it ran, not on what it read
RUN_TIME = re.compile(r"written \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
# the models of what was read (alerts_sent holds what --notify sent, and no sync here sends)
READ = [name for name in ORDER if name != "alerts_sent"]


@dataclass(frozen=True)
class Synced:
    db: Path
    run: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synced]:
    runs = {}
    for reading in DAILY_SUMMARY_READINGS:
        workdir = tmp_path_factory.mktemp(f"reading-{reading}")
        db = workdir / "usage.duckdb"
        run = local_sync(workdir, db, "--today", TODAY, "--start-date", START, "--leaf-daily-summary", reading)
        assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        runs[reading] = Synced(db, run)
    return runs


def _model_rows(connection: Any, name: str) -> list[tuple[Any, ...]]:
    # the time a balance was read is the sync's own, not the vendor's
    columns = "* EXCLUDE (observed_at)" if name == "credit_balances" else "*"
    return sorted(connection.execute(f"SELECT {columns} FROM {name}").fetchall(), key=repr)


def _readers(connection: Any) -> dict[str, Any]:
    return {
        "monthly": answers.monthly_usage(connection),
        "monthly headline": answers.monthly_usage(connection, headline=True),
        "daily": answers.daily_usage(connection, 90),
        "top": answers.top(connection, 8),
        "leaf billing": answers.leaf_billing(connection),
        "runway": answers.runway(connection),
        "costs": money.monthly_costs(connection),
    }


def test_the_two_readings_serve_different_daily_summaries(synced: dict[str, Synced]) -> None:
    tables = []
    for reading in DAILY_SUMMARY_READINGS:
        with duckdb.connect(str(synced[reading].db), read_only=True) as connection:
            tables.append(_model_rows(connection, "daily_consumption"))
    assert len(tables[0]) == len(tables[1]) > 0
    assert tables[0] != tables[1]


def test_every_model_and_reader_is_the_same_under_both_readings(synced: dict[str, Synced]) -> None:
    found = []
    for reading in DAILY_SUMMARY_READINGS:
        with duckdb.connect(str(synced[reading].db), read_only=True) as connection:
            found.append(({name: _model_rows(connection, name) for name in READ}, _readers(connection)))
    (models, readers), (other_models, other_readers) = found
    for name in READ:
        assert models[name] == other_models[name], name
        assert models[name], f"{name} is empty: nothing was compared"
    assert readers == other_readers
    assert any(row.vendor == "Leaf" for row in readers["monthly"]) and readers["leaf billing"]
    assert any(cost.vendor == "Leaf" for cost in readers["costs"])


def test_the_summary_and_the_report_are_the_same_under_both_readings(synced: dict[str, Synced]) -> None:
    summaries, reports = [], []
    for reading in DAILY_SUMMARY_READINGS:
        output = synced[reading].run.stdout
        summaries.append(output[output.index("Rows per stream") : output.index("\nReport:")])
        reports.append(RUN_TIME.sub("", (synced[reading].db.parent / "usage-report.html").read_text()))
    assert summaries[0] == summaries[1]
    assert "Leaf billable area" in summaries[0]
    assert reports[0] == reports[1]
