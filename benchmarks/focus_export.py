"""`python -m benchmarks.focus_export DB [--reps N]`: on a synced database (the `large` sandbox sync), the answers'
rebuild without and with a rate card, and the FOCUS export (1.2 Parquet): wall, CPU and peak RSS, each run in a
child process on a fresh copy of DB, medians of N runs; written to benchmarks/results/<time>-focus-export.json.

Targets (issue 35): the export under 10 s; the answers with prices (the models rebuilt, the summary's sections and
the report) at most 20 % slower than without.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import Measurement, run_measured

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
# the answers as make sync builds and reads them after a sync (the models, the summary's sections, the report):
# without a card (rate_card and focus_charges gone first), or with the example card
REFRESH = """
import sys, tempfile, duckdb
from pathlib import Path
from local_sync.answers import build, money, rates, views
from local_sync.report import html, text
connection = duckdb.connect(sys.argv[1])
if sys.argv[2] == "without":
    connection.execute("DROP VIEW IF EXISTS focus_charges")
    connection.execute("DROP TABLE IF EXISTS rate_card")
card = rates.read(rates.EXAMPLE) if sys.argv[2] == "with" else None
build.refresh(connection, "duckdb", today=sys.argv[3], card=card)
pools = views.runway(connection)
costs = money.monthly_costs(connection)
sections = [text.overview_section(connection), text.leaf_billing_section(connection),
            text.costs_section(connection, costs), text.runway_section(pools)]
with tempfile.TemporaryDirectory() as folder:
    html.write(connection, Path(folder), "benchmark", costs)
connection.close()
"""


def medians_of(runs: dict[str, list[Measurement]]) -> dict[str, dict[str, float]]:
    """Per kind of run, the median wall time, CPU time and peak RSS of its runs."""
    fields = ("wall_s", "cpu_s", "peak_rss_mb")
    return {
        name: {field: statistics.median(getattr(m, field) for m in measured) for field in fields}
        for name, measured in runs.items()
    }


def write_result(kind: str, result: dict) -> Path:
    """`result` written to benchmarks/results/<time>-<kind>.json, its medians printed; returns the file."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{kind}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    for name, values in result["medians"].items():
        print(f"{name}: {values['wall_s']:.2f} s wall, {values['cpu_s']:.2f} s CPU, {values['peak_rss_mb']:.0f} MB")
    return path


def _step(name: str, command: list[str], work: Path) -> Measurement:
    measured = run_measured(command, work / f"{name}.out", cwd=ROOT)
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed: {(work / f'{name}.out').read_text()[-2000:]}")
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.focus_export", description=__doc__)
    parser.add_argument(
        "db", type=Path, help="a synced DuckDB file (copied, never changed); made first, by a sync of the `large` "
        "sandbox from 2025-11-21 to --today, when it does not exist",
    )  # fmt: skip
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--today", default="2026-11-20", help="the sync's last day (default the benchmarks')")
    args = parser.parse_args()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        print(f"Syncing the large sandbox into {args.db} (about 4 minutes) ...", flush=True)
        sync = [sys.executable, "-m", "local_sync", "--size", "large", "--today", args.today, "--start-date",
                "2025-11-21", "--db", str(args.db), "--airbyte-dir", str(args.db.parent / ".airbyte")]  # fmt: skip
        subprocess.run(sync, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    runs: dict[str, list[Measurement]] = {"refresh without prices": [], "refresh with prices": [], "export": []}
    with tempfile.TemporaryDirectory(prefix="focus-export-") as folder:
        work = Path(folder)
        for rep in range(args.reps):
            db = work / "usage.duckdb"
            shutil.copy(args.db, db)
            python = [sys.executable, "-c", REFRESH, str(db)]
            runs["refresh without prices"].append(_step(f"without-{rep}", [*python, "without", args.today], work))
            runs["refresh with prices"].append(_step(f"with-{rep}", [*python, "with", args.today], work))
            out = work / f"focus-{rep}.parquet"
            export = [
                sys.executable,
                "-m",
                "local_sync",
                "focus",
                "--db",
                str(db),
                "--version",
                "1.2",
                "--out",
                str(out),
            ]
            runs["export"].append(_step(f"export-{rep}", export, work))
            rows = (work / f"export-{rep}.out").read_text().split()[1]
    medians = medians_of(runs)
    ratio = medians["refresh with prices"]["wall_s"] / medians["refresh without prices"]["wall_s"]
    targets = {
        "export under 10 s": medians["export"]["wall_s"] < 10,
        "rebuild with prices at most 20 % slower": ratio <= 1.2,
    }
    result = {
        "run": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "db": str(args.db), "reps": args.reps,
        "exported_rows": rows, "medians": medians, "with_over_without": round(ratio, 3), "targets": targets,
        "runs": {name: [asdict(m) for m in measured] for name, measured in runs.items()},
    }  # fmt: skip
    path = write_result("focus-export", result)
    print(f"with / without prices: {ratio:.2f}; exported {rows} rows; " + ", ".join(
        f"{'PASS' if passed else 'FAIL'} {target}" for target, passed in targets.items()))  # fmt: skip
    print(f"written {path.relative_to(ROOT)}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
