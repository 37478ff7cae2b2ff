"""`python -m local_sync` (what `make sync` runs) with its own small sandbox into a temporary DuckDB file:
full, incremental over revised days, a stream gaining a column, a crash and a Ctrl-C mid-sync; each time the
tables hold exactly the sandbox's ground truth (0 missing, extra, changed or duplicate keys)."""

import json
import re
import signal
from pathlib import Path

import duckdb

from integration_tests.discovered import PRIMARY_KEYS
from integration_tests.local_sync_runs import SEED, SIZE, assert_truth, duckdb_records, interrupted, local_sync
from integration_tests.truth_compare import merge
from usage_sandbox.truth import truth

FIRST_TODAY, SECOND_TODAY = "2026-11-18", "2026-11-20"  # the second sync's today revises the first's last days
START = "2026-09-19"
VENDORS = {"leadfeeder", "insideview", "whitepages", "leaf"}


def _printed_requests(output: str) -> dict[str, int]:
    section = output.split("Requests made", 1)[1].split("\n\n", 1)[0]
    return {name: int(count.replace(",", "")) for name, count in re.findall(r"^\s+(\w+)\s+([\d,]+)", section, re.M)}


def _printed_rows(output: str) -> dict[str, int]:
    section = output.split("Rows per stream", 1)[1].split("\n\n", 1)[0]
    return {
        name: int(count.replace(",", "")) for name, count in re.findall(r"^\s+(\w+)\s+\w+\s+([\d,]+)$", section, re.M)
    }


def _imported(importtime: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in importtime.splitlines() if line.startswith("import time:")}


def test_full_then_incremental_over_revised_days_and_a_new_column(tmp_path: Path) -> None:
    db = tmp_path / "usage.duckdb"
    first = local_sync(str(db), tmp_path, FIRST_TODAY, START, "-X", "importtime")
    modules = _imported(first.stderr)
    assert "duckdb" in modules and not {m for m in modules if m == "airbyte" or m.startswith("airbyte.")}, (
        "make sync into DuckDB must not import PyAirbyte"
    )
    expected_first = truth(SEED, SIZE, FIRST_TODAY, START)
    got, duplicates = duckdb_records(db)
    assert_truth(got, duplicates, expected_first)
    assert _printed_rows(first.stdout) == {stream: len(rows) for stream, rows in got.items()}
    assert "first sync" in first.stdout and "records so far" not in first.stderr
    with duckdb.connect(str(db)) as connection:
        types = dict(connection.execute(
            "SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main'"
        ).fetchall())  # fmt: skip
        assert {
            row[0]
            for row in connection.execute("SELECT DISTINCT lower(ServiceProviderName) FROM usage_overview").fetchall()
        } == VENDORS
        balances = connection.execute("SELECT count(DISTINCT observed_at), count(*) FROM credit_balances").fetchone()
        assert balances[0] >= 1 and balances[1] >= 2, balances
        connection.execute("ALTER TABLE accounts DROP COLUMN name")  # as if the schema gained `name`
    assert types["daily_usage.date"] == "DATE" and types["daily_usage.request_count"] == "BIGINT"
    assert types["credits.observed_at"] == types["api_usage._airbyte_extracted_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["contract_consumption.daily_area"] == "DECIMAL(38,9)"
    assert types["daily_consumption.leaf_users_areas"] == types["api_usage._airbyte_meta"] == "JSON"
    assert types["api_usage._airbyte_raw_id"] == "VARCHAR"

    second = local_sync(str(db), tmp_path, SECOND_TODAY, START)
    expected = truth(SEED, SIZE, SECOND_TODAY, START)
    before, after = merge(expected_first), merge(expected)
    revised = [
        (stream, key) for stream in after for key, row in after[stream].items() if before[stream].get(key, row) != row
    ]
    assert revised, "the second today must revise figures of the first sync (the test's premise)"
    got, duplicates = duckdb_records(db)
    assert_truth(got, duplicates, expected)
    assert "accounts: column name added (VARCHAR)" in second.stdout
    assert "incremental: usage.duckdb holds state for 10 streams" in second.stdout
    requests_first, requests_second = _printed_requests(first.stdout), _printed_requests(second.stdout)
    assert set(requests_first) == VENDORS | {"total"}
    assert requests_second["total"] < requests_first["total"] / 2, (requests_first, requests_second)


def test_a_crash_mid_sync_keeps_the_committed_windows_and_the_next_sync_completes(tmp_path: Path) -> None:
    db = tmp_path / "usage.duckdb"
    code, _, _ = interrupted(str(db), tmp_path, SECOND_TODAY, START, signal.SIGKILL)
    assert code == -signal.SIGKILL
    with duckdb.connect(str(db), read_only=True) as connection:
        kept = connection.execute("SELECT count(*) FROM _airbyte_state").fetchone()[0]
    assert kept >= 1, "a window committed before the crash must survive it"
    resumed = local_sync(str(db), tmp_path, SECOND_TODAY, START)
    assert f"incremental: usage.duckdb holds state for {kept} streams" in resumed.stdout
    assert_truth(*duckdb_records(db), truth(SEED, SIZE, SECOND_TODAY, START))


def test_ctrl_c_stops_with_130_keeps_the_committed_windows_and_the_next_sync_completes(tmp_path: Path) -> None:
    db = tmp_path / "usage.duckdb"
    code, out, err = interrupted(str(db), tmp_path, SECOND_TODAY, START, signal.SIGINT)
    assert code == 130, (out[-2000:], err[-2000:])
    assert "interrupted" in err and "Traceback" not in err, err
    with duckdb.connect(str(db), read_only=True) as connection:
        kept = connection.execute("SELECT count(*) FROM _airbyte_state").fetchone()[0]
    assert kept >= 1
    local_sync(str(db), tmp_path, SECOND_TODAY, START)
    assert_truth(*duckdb_records(db), truth(SEED, SIZE, SECOND_TODAY, START))


def _as_pyairbyte_wrote_it(db: Path) -> None:
    """The file in the layout PyAirbyte 0.71.3's DuckDB cache wrote (observed on a file it synced): naive UTC
    TIMESTAMP columns, its bookkeeping tables, and state rows with its model's null fields (`global_`)."""
    with duckdb.connect(str(db)) as connection:
        columns = connection.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'TIMESTAMP WITH TIME ZONE' "
            "AND schema_name = 'main' AND NOT internal AND NOT starts_with(table_name, '_')"
        ).fetchall()
        for table, column in columns:
            connection.execute(
                f'ALTER TABLE "{table}" ALTER "{column}" TYPE TIMESTAMP USING timezone(\'UTC\', "{column}")'
            )
        connection.execute(
            "CREATE TABLE _airbyte_streams (stream_name VARCHAR, source_name VARCHAR, table_name VARCHAR, "
            "catalog_metadata VARCHAR)"
        )
        connection.execute(
            "CREATE TABLE _airbyte_destination_state (destination_name VARCHAR, source_name VARCHAR, "
            "stream_name VARCHAR, state_json VARCHAR, last_updated TIMESTAMPTZ)"
        )
        rows = connection.execute("SELECT stream_name, state_json FROM _airbyte_state").fetchall()
        for stream, text in rows:
            pyairbyte = {**json.loads(text), "global_": None, "data": None, "destinationStats": None}
            connection.execute(
                f"UPDATE _airbyte_state SET state_json = '{json.dumps(pyairbyte)}' WHERE stream_name = '{stream}'"
            )


def test_a_file_pyairbyte_wrote_is_migrated_and_resumed_from_its_state(tmp_path: Path) -> None:
    db = tmp_path / "usage.duckdb"
    first = local_sync(str(db), tmp_path, FIRST_TODAY, START)
    _as_pyairbyte_wrote_it(db)
    second = local_sync(str(db), tmp_path, SECOND_TODAY, START)
    assert "_airbyte_streams: PyAirbyte's bookkeeping removed" in second.stdout
    assert "credits: column observed_at TIMESTAMP -> TIMESTAMP WITH TIME ZONE" in second.stdout
    assert "incremental: usage.duckdb holds state for 10 streams" in second.stdout
    assert _printed_requests(second.stdout)["total"] < _printed_requests(first.stdout)["total"] / 2
    assert_truth(*duckdb_records(db), truth(SEED, SIZE, SECOND_TODAY, START))
    with duckdb.connect(str(db), read_only=True) as connection:
        kinds = connection.execute(
            "SELECT DISTINCT data_type FROM duckdb_columns() "
            "WHERE column_name IN ('_airbyte_extracted_at', 'observed_at') AND table_name IN "
            f"({', '.join(repr(stream) for stream in PRIMARY_KEYS)})"
        ).fetchall()
        leftovers = connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, '_airbyte')"
        ).fetchall()
    assert kinds == [("TIMESTAMP WITH TIME ZONE",)]
    assert leftovers == [("_airbyte_state",)], "PyAirbyte's bookkeeping is dropped, its state kept"
