"""`python -m local_sync` (what `make sync` runs) with its own small sandbox, twice, into a temporary file."""

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from usage_sandbox.truth import truth

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-20"
START = (date.fromisoformat(TODAY) - timedelta(days=60)).isoformat()
SEED, SIZE = 42, "small"
PRIMARY_KEYS = {
    "accounts": ("id",),
    "api_usage": ("account_id", "period", "endpoint_path", "http_method"),
    "credits": ("account_id",),
    "api_transactions": ("account_id", "period_type", "date", "api"),
    "daily_usage": ("date",),
    "contracts": ("id",),
    "contract_consumption": ("contract_id", "date"),
    "daily_consumption": ("contract_id", "date"),
    "leaf_users": ("id",),
    "leaf_user_consumption": ("contract_id", "leaf_user_id", "date"),
}
VENDORS = {"leadfeeder", "insideview", "whitepages", "leaf"}
RUN_TIMEOUT_SECONDS = 300


def _local_sync(workdir: Path, db: Path) -> str:
    """Runs the command in `workdir`, so nothing lands in the repo; asserts exit 0 and returns stdout."""
    command = [sys.executable, "-m", "local_sync", "--today", TODAY, "--db", str(db)]
    command += ["--airbyte-dir", str(workdir / ".airbyte")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _expected_rows() -> dict[str, int]:
    """Distinct primary keys per stream in the ground truth of the synced days."""
    records = truth(SEED, SIZE, TODAY, START)
    return {
        stream: len({tuple(str(record[key]) for key in keys) for record in records[stream]})
        for stream, keys in PRIMARY_KEYS.items()
    }


def _tables(db: Path) -> dict[str, Any]:
    """Rows and distinct primary keys per stream table, the overview's vendors, Whitepages' days."""
    with duckdb.connect(str(db), read_only=True) as connection:
        names = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        rows, keys = {}, {}
        for stream in names & set(PRIMARY_KEYS):
            rows[stream] = connection.execute(f"SELECT count(*) FROM {stream}").fetchone()[0]
            columns = ", ".join(PRIMARY_KEYS[stream])
            distinct = f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM {stream})"
            keys[stream] = connection.execute(distinct).fetchone()[0]
        overview = connection.execute("SELECT DISTINCT lower(ServiceProviderName) FROM usage_overview").fetchall()
        balances = connection.execute("SELECT count(DISTINCT observed_at), count(*) FROM credit_balances").fetchone()
        pools = connection.execute("SELECT count(*) FROM credit_runway").fetchone()[0]
        whitepages = connection.execute(
            "SELECT CAST(date AS VARCHAR), request_count FROM daily_usage"
        ).fetchall()
    return {
        "streams": names - {name for name in names if name.startswith("_")} - {"credit_balances"},
        "rows": rows,
        "keys": keys,
        "overview_vendors": {row[0] for row in overview},
        "balances": balances,
        "pools": pools,
        "whitepages": dict(whitepages),
    }


def _printed_requests(output: str) -> dict[str, int]:
    """The `Requests made` section: requests per vendor and the total."""
    section = output.split("Requests made", 1)[1].split("\n\n", 1)[0]
    return {
        name: int(count.replace(",", ""))
        for name, count in re.findall(r"^\s+(\w+)\s+([\d,]+)", section, re.M)
    }


def _assert_printed_rows(output: str, expected: dict[str, int]) -> None:
    section = output.split("Rows per stream", 1)[1].split("\n\n", 1)[0]
    for stream, count in expected.items():
        assert re.search(rf"^\s+{stream}\s+\w+\s+{count:,}$", section, re.M), (
            f"{stream} {count} not in\n{section}"
        )


def test_local_sync_fills_duckdb_with_the_truth_then_syncs_incrementally(tmp_path: Path) -> None:
    db = tmp_path / "usage.duckdb"
    expected = _expected_rows()

    first = _local_sync(tmp_path, db)
    tables = _tables(db)
    assert tables["streams"] == set(PRIMARY_KEYS)
    assert tables["rows"] == expected
    assert tables["keys"] == expected
    assert tables["overview_vendors"] == VENDORS
    assert tables["whitepages"] == {
        row["date"]: row["request_count"] for row in truth(SEED, SIZE, TODAY, START)["daily_usage"]
    }
    _assert_printed_rows(first, expected)
    requests_first = _printed_requests(first)
    assert set(requests_first) == VENDORS | {"total"}
    assert "Overview (view usage_overview)" in first and "first sync" in first
    # 3 Leadfeeder accounts and 1 InsideView account, each a pool with one kept balance
    pools = tables["pools"]
    assert pools == 4 and tables["balances"][1] == pools
    assert "Credit runway (view credit_runway" in first
    assert (tmp_path / "usage-report.html").stat().st_size > 0

    second = _local_sync(tmp_path, db)
    tables = _tables(db)
    assert tables["rows"] == expected, "the second sync must merge by primary key, not append"
    assert tables["keys"] == expected
    _assert_printed_rows(second, expected)
    assert "incremental" in second
    assert tables["balances"][1] == 2 * pools, "every sync's balances are kept in credit_balances"
    requests_second = _printed_requests(second)
    assert requests_second["total"] < requests_first["total"] / 2, (requests_first, requests_second)
    assert requests_second["leaf"] < requests_first["leaf"] / 2
