"""`python -m benchmarks.run`: starts the sandbox and runs L1-L4 and the side-by-side floors (issue 7).

Results go to benchmarks/results/<timestamp>.json (and latest.json) and to the table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from benchmarks import profile, report, targets
from benchmarks.connector import OURS, configured_catalog
from benchmarks.sandbox import BenchSandbox
from benchmarks.scenarios import BARE, Bench, medians

RESULTS = Path(__file__).with_name("results")
T = TypeVar("T")
TODAY = "2026-11-20"
FULL_DAYS = 365  # one year: one Leaf range per contract x user, four InsideView and five Whitepages windows
SIDE_YEARS = 5  # InsideView day data over five years: twenty 92-day windows
CONCURRENCY = 8  # the connector's default


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="runs of L1, L3 and the side by side (default 3)")
    parser.add_argument("--slow-reps", type=int, default=3, help="runs of L2 and L4 (default 3)")
    parser.add_argument("--size", default="large", help="the size L1-L4 run on (default large)")
    parser.add_argument("--medium", default="medium", help="the size memory growth is compared with")
    parser.add_argument("--only", default="medium,side,L1,L3,L2,L4", help="parts to run, comma-separated")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile of a full sync")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in the README")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    parts = set(args.only.split(","))
    os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    start_date = (date.fromisoformat(TODAY) - timedelta(days=FULL_DAYS - 1)).isoformat()
    side_start = (date.fromisoformat(TODAY) - timedelta(days=365 * SIDE_YEARS)).isoformat()
    results: dict[str, Any] = {
        "settings": {
            "size": args.size,
            "medium": args.medium,
            "today": TODAY,
            "start_date": start_date,
            "side_start_date": side_start,
            "concurrency": CONCURRENCY,
            "reps": args.reps,
            "slow_reps": args.slow_reps,
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "commit": _commit(),
        },
        "runs": {},
        "medians": {},
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        workdir = Path(scratch)
        if "medium" in parts:
            with BenchSandbox(args.medium, TODAY) as sandbox:
                bench = Bench(sandbox, workdir, start_date, _log)
                medium = _attempt(results, "medium-L1", lambda: bench.full_sync("medium-L1"))
                if medium:
                    results["medium"] = {**medium[0], "runs": 1}
                if not args.no_profile:
                    results["profile"] = _profile(bench, workdir)
        with BenchSandbox(args.size, TODAY) as sandbox:
            bench = Bench(sandbox, workdir, start_date, _log)
            results["start_cost"] = {"ours": bench.start_cost(OURS), "bare_cdk": bench.start_cost(BARE)}
            if "side" in parts:
                results["import_cost"] = {module: bench.import_cost(module) for module in ("duckdb", "dlt")}
                _side(bench, results, args.reps, side_start)
            _levels(bench, results, parts, args.reps, args.slow_reps, start_date)
    results["medians"] = {level: medians(rows) for level, rows in results["runs"].items()}
    results["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["bench_wall_s"] = round(time.monotonic() - started, 1)
    results["targets"] = targets.evaluate(results)
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(results, indent=1, default=str)
    (RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    if not args.no_readme:
        report.update_readme(results)
    print(report.console(results), flush=True)
    _log(f"benchmark finished in {results['bench_wall_s'] / 60:.1f} min")
    return 0


def _commit() -> str:
    """The measured code: the commit, marked `+changes` when source_usage/ or local_sync/ differ from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "source_usage", "local_sync"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}+changes" if changed else commit


def _attempt(results: dict[str, Any], name: str, action: Callable[[], T]) -> Optional[T]:
    """One measured run; a failed sync is recorded in `failures` and the benchmark goes on."""
    try:
        return action()
    except RuntimeError as error:
        _log(f"{name} FAILED: {error}")
        results.setdefault("failures", []).append({"run": name, "error": str(error)[:2000]})
        return None


def _side(bench: Bench, results: dict[str, Any], reps: int, side_start: str) -> None:
    _log("side by side: warming the sandbox's caches")
    bench.warm(side_start)
    done = [
        _attempt(results, f"side-{rep}", lambda rep=rep: bench.side_by_side(rep, side_start))
        for rep in range(1, reps + 1)
    ]
    runs = [run for run in done if run]
    if runs:
        results["side_by_side"] = {tool: [run[tool] for run in runs] for tool in runs[0]}
        results["side_by_side_medians"] = {tool: medians(rows) for tool, rows in results["side_by_side"].items()}
        results["ratios"] = targets.ratios(results["side_by_side_medians"])


def _levels(bench: Bench, results: dict[str, Any], parts: set[str], reps: int, slow_reps: int, start: str) -> None:
    """L1 (then L3 from its state), L2 and L4; a failed run is left out of the medians."""
    runs: dict[str, list[dict[str, Any]]] = {"L1": [], "L2": [], "L3": [], "L4": []}
    state: list[dict[str, Any]] = []
    if "L1" in parts or "L3" in parts:
        for rep in range(1, (reps if "L1" in parts else 1) + 1):
            full = _attempt(results, f"L1-{rep}", lambda rep=rep: bench.full_sync(f"L1-{rep}"))
            if full:
                runs["L1"].append(full[0])
                state = full[1]
    if "L3" in parts and state:
        end = TODAY
        for rep in range(1, reps + 1):
            since = state
            incremental = _attempt(
                results,
                f"L3-{rep}",
                lambda rep=rep, since=since, end=end: bench.incremental_sync(f"L3-{rep}", since, rep, end),
            )
            if not incremental:
                break
            runs["L3"].append(incremental[0])
            end, state = incremental[0]["today"], incremental[1]
    if "L2" in parts:
        for rep in range(1, slow_reps + 1):
            slow = _attempt(results, f"L2-{rep}", lambda rep=rep: bench.full_sync(f"L2-{rep}", latency_ms=50.0))
            if slow:
                runs["L2"].append(slow[0])
    if "L4" in parts:
        for rep in range(1, slow_reps + 1):
            duck = _attempt(results, f"L4-{rep}", lambda rep=rep: bench.local_sync(f"L4-{rep}", start))
            if duck:
                runs["L4"].append(duck)
    results["runs"] = {level: rows for level, rows in runs.items() if rows}


def _profile(bench: Bench, workdir: Path) -> dict[str, Any]:
    """A full sync of every stream under py-spy: where the connector's CPU goes."""
    config = bench.config(bench.start_date)
    catalog = bench.catalog("ours", OURS, config) if bench.catalogs else configured_catalog(OURS, config, workdir)
    (workdir / "profile.config.json").write_text(json.dumps(config))
    (workdir / "profile.catalog.json").write_text(json.dumps(catalog))
    bench.sandbox.prepare()
    command = [
        *OURS,
        "read",
        "--config",
        str(workdir / "profile.config.json"),
        "--catalog",
        str(workdir / "profile.catalog.json"),
    ]
    raw = workdir / "profile.raw.txt"
    if not profile.record(command, raw, workdir / "profile.out"):
        _log("py-spy is not installed: no profile")
        return {}
    summary = profile.summarize(raw)
    summary["size"] = bench.sandbox.size
    _log("profile: " + "; ".join(f"{name} {pct}%" for name, pct in summary["self_pct"][:8]))
    return summary


if __name__ == "__main__":
    sys.exit(main())
