"""`python -m local_sync --db postgresql://...` into a real PostgreSQL server the test starts: a full sync, an
incremental one over revised days, and a crash in the middle of one, each against the sandbox's truth."""

import re
import signal
import subprocess
from pathlib import Path

import pytest

from integration_tests.local_sync_runs import (
    ROOT,
    SEED,
    SIZE,
    assert_truth,
    command,
    environment,
    interrupted,
    local_sync,
    postgres_column_types,
    postgres_records,
    postgres_state_count,
)
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture
from local_sync.loaders.windows import FLUSH_ENV
from usage_sandbox.truth import truth

FIRST_TODAY, SECOND_TODAY = "2026-11-18", "2026-11-20"
DIES = "dies_after_an_insert.py"  # local_sync, killed after dlt's first insert into a table has committed
START = "2026-09-19"


def test_full_then_incremental_sync_into_postgres(tmp_path: Path, postgres_url: str) -> None:  # noqa: F811
    url = f"{postgres_url}?schema=full_then_incremental"
    first = local_sync(url, tmp_path, FIRST_TODAY, START)
    assert "first sync into" in first.stdout
    assert_truth(*postgres_records(postgres_url, "full_then_incremental"), truth(SEED, SIZE, FIRST_TODAY, START))
    types = postgres_column_types(postgres_url, "full_then_incremental")
    assert types["api_usage._airbyte_extracted_at"] == "timestamp with time zone"
    assert types["credits.observed_at"] == "timestamp with time zone"
    assert types["daily_usage.date"] == "date" and types["api_usage._airbyte_meta"] == "jsonb"
    assert types["api_transactions.date"] == "character varying" and types["api_usage.num_requests"] == "bigint"
    assert types["contract_consumption.daily_area"] == "numeric"

    second = local_sync(url, tmp_path, SECOND_TODAY, START)
    assert "incremental:" in second.stdout
    assert_truth(*postgres_records(postgres_url, "full_then_incremental"), truth(SEED, SIZE, SECOND_TODAY, START))
    assert "lf-sandbox-key" not in first.stdout + first.stderr + second.stdout + second.stderr


def test_a_crash_mid_sync_into_postgres_keeps_the_committed_windows_and_the_next_sync_resumes(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
) -> None:
    url = f"{postgres_url}?schema=crash"
    # a window a second (PostgreSQL's loads wait 30 s by default, longer than this sync), killed after the first
    code, _, _ = interrupted(url, tmp_path, SECOND_TODAY, START, signal.SIGKILL, env={FLUSH_ENV: "1"})
    assert code == -signal.SIGKILL
    kept = postgres_state_count(url)
    assert kept and kept >= 1, "a window committed before the crash must survive it"
    resumed = local_sync(url, tmp_path, SECOND_TODAY, START)
    # a load the kill cut short is finished first, so the resumed sync may hold more states than were seen
    resumed_from = re.search(r"incremental: .* holds state for (\d+) streams", resumed.stdout)
    assert resumed_from and int(resumed_from.group(1)) >= kept, resumed.stdout[-2000:]
    assert_truth(*postgres_records(postgres_url, "crash"), truth(SEED, SIZE, SECOND_TODAY, START))
    assert "Synced 10 streams" in resumed.stdout


@pytest.mark.parametrize("table", ["accounts", "_dlt_pipeline_state"])
def test_a_crash_after_an_insert_committed_but_before_dlt_recorded_it_is_finished_once(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
    table: str,
) -> None:
    """dlt runs an unfinished insert job again when it finishes a load: the rows it had already committed (a stream's
    into the staging schema, dlt's own state into the schema) must not be inserted twice (they broke the next sync
    with a duplicate `_dlt_id`)."""
    schema = f"crash_after_insert_{table.strip('_')}"
    url = f"{postgres_url}?schema={schema}"
    dying = command(url, tmp_path, SECOND_TODAY, START)
    dying[dying.index("-m") : dying.index("local_sync") + 1] = [str(ROOT / "integration_tests" / DIES), table]
    died = subprocess.run(dying, cwd=tmp_path, env={**environment(), FLUSH_ENV: "1"}, capture_output=True, text=True)
    assert died.returncode == 137, died.stdout[-2000:] + died.stderr[-2000:]
    resumed = local_sync(url, tmp_path, SECOND_TODAY, START)
    assert "Finishing the load the last sync left unfinished" in resumed.stdout
    # the jobs dlt recorded as committed (the window's STATEs among them) are kept, not read again
    resumed_from = re.search(r"incremental: .* holds state for (\d+) streams", resumed.stdout)
    assert resumed_from and int(resumed_from.group(1)) >= 1, resumed.stdout[-2000:]
    assert "Synced 10 streams" in resumed.stdout
    assert_truth(*postgres_records(postgres_url, schema), truth(SEED, SIZE, SECOND_TODAY, START))
