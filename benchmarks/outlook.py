"""`python -m benchmarks.outlook DB [--reps N]`: on a synced database (the `large` sandbox sync, made by
`python -m benchmarks.focus_export` when missing), what the month ahead costs a sync's answers: the models rebuilt,
the summary's sections and the report, with the example card, without and with usage_forecast and budget_status
(the example budgets). Each run in a child process on a fresh copy of DB, medians of N runs; written to
benchmarks/results/<time>-outlook.json. No target in issue 36; the measure keeps the answers' cost in sight.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.focus_export import ROOT, _step, medians_of, write_result
from benchmarks.measure import Measurement

ANSWERS = """
import sys, tempfile, duckdb
from pathlib import Path
from local_sync.answers import budgets, build, money, outlook, rates, views
from local_sync.report import html, outlook_text, text
connection = duckdb.connect(sys.argv[1])
card = rates.read(rates.EXAMPLE)
watched = None
if sys.argv[2] == "without":  # the answers as they were before the month ahead, none of it left in the file
    ahead = ("forecast_days", "usage_forecast", "budget_status")
    build.ORDER = tuple(name for name in build.ORDER if name not in ahead)
    for kind, name in (("VIEW", "budget_status"), ("VIEW", "usage_forecast"), ("TABLE", "forecast_days"),
                       ("TABLE", "budgets")):
        connection.execute(f"DROP {kind} IF EXISTS {name}")
else:
    watched = budgets.read(budgets.EXAMPLE, card)
build.refresh(connection, "duckdb", today=sys.argv[3], card=card, budgets=watched)
pools = views.runway(connection)
costs = money.monthly_costs(connection)
statuses = outlook.budget_statuses(connection)
sections = [text.overview_section(connection), text.leaf_billing_section(connection),
            text.costs_section(connection, costs), text.runway_section(pools),
            outlook_text.budgets_section(statuses, True), outlook_text.forecast_section(outlook.forecasts(connection))]
with tempfile.TemporaryDirectory() as folder:
    html.write(connection, Path(folder), "benchmark", costs, statuses)
connection.close()
"""


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.outlook", description=__doc__)
    parser.add_argument("db", type=Path, help="a synced DuckDB file (copied, never changed)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--today", default="2026-11-20", help="the sync's last day (default the benchmarks')")
    args = parser.parse_args()
    runs: dict[str, list[Measurement]] = {"answers without the month ahead": [], "answers with it": []}
    with tempfile.TemporaryDirectory(prefix="outlook-") as folder:
        work = Path(folder)
        for rep in range(args.reps):
            for mode, name in zip(("without", "with"), runs, strict=True):
                db = work / "usage.duckdb"
                shutil.copy(args.db, db)
                runs[name].append(
                    _step(f"{mode}-{rep}", [sys.executable, "-c", ANSWERS, str(db), mode, args.today], work)
                )
    medians = medians_of(runs)
    ratio = medians["answers with it"]["wall_s"] / medians["answers without the month ahead"]["wall_s"]
    result = {
        "run": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "db": str(args.db), "reps": args.reps,
        "medians": medians, "with_over_without": round(ratio, 3),
        "runs": {name: [asdict(m) for m in measured] for name, measured in runs.items()},
    }  # fmt: skip
    path = write_result("outlook", result)
    print(f"with / without: {ratio:.2f}; written {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
