"""`python -m benchmarks.first_sync [--reps N]`: a newcomer's first answer, as issue 38 measures it. Each run clones
this repository afresh into a temporary folder and runs `make sync` there: the installer made ready, the venv created
and the `[local]` extra installed (the package caches as the machine has them, warm after the first run), the
sandbox started and synced into a new usage.duckdb. Two paths, a run of each in turn: `uv`, the committed HEAD
(uv.lock, .ci/uv), and `pip`, the last commit that installed with pip and constraints.txt (the parent of the
commit that removed it). Medians of N runs each, the sync's own seconds (its "Synced ... in N s." line) beside the
whole; written to benchmarks/results/<time>-first-sync.json.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
from dataclasses import asdict
from pathlib import Path

from benchmarks.focus_export import ROOT, medians_of, write_result
from benchmarks.measure import Measurement, run_measured

SYNCED = re.compile(r"^Synced .* in (\d+) s\.$", re.MULTILINE)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def _paths() -> dict[str, str]:
    """Each path's commit: HEAD for uv, and the parent of the commit that removed constraints.txt for pip."""
    removed = _git("rev-list", "-1", "HEAD", "--", "constraints.txt")
    return {"uv": _git("rev-parse", "--short", "HEAD"), "pip": _git("rev-parse", "--short", f"{removed}^")}


def _first_sync(folder: Path, commit: str) -> tuple[Measurement, float]:
    """One fresh clone's `make sync` at `commit`: its measurement and the sync's own seconds."""
    clone = folder / "source-usage"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=clone, check=True)
    out = folder / "make-sync.out"
    measured = run_measured(["make", "sync"], out, cwd=clone, timeout_s=900)
    text = out.read_text(errors="replace")
    if measured.returncode != 0:
        raise SystemExit(f"make sync failed in a fresh clone (exit {measured.returncode}):\n{text[-3000:]}")
    synced = SYNCED.search(text)
    if synced is None:
        raise SystemExit(f"make sync printed no 'Synced ... in N s.' line:\n{text[-3000:]}")
    return measured, float(synced.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.first_sync", description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="fresh clones to time per path (default 3)")
    args = parser.parse_args()
    commits = _paths()
    runs: dict[str, list[Measurement]] = {path: [] for path in commits}
    sync_seconds: dict[str, list[float]] = {path: [] for path in commits}
    for _ in range(args.reps):
        for path, commit in commits.items():
            with tempfile.TemporaryDirectory(prefix="source-usage-first-sync-") as folder:
                measured, synced = _first_sync(Path(folder), commit)
            runs[path].append(measured)
            sync_seconds[path].append(synced)
            print(f"{path} ({commit}): make sync from a fresh clone {measured.wall_s:.1f} s, the sync {synced:.0f} s")
    result = {
        "what": "a fresh clone's first `make sync` (installer, venv, [local] extra, sandbox sync), uv and pip",
        "commits": commits,
        "runs": {path: [asdict(run) for run in measured] for path, measured in runs.items()},
        "sync_s": sync_seconds,
        "medians": medians_of(runs),
        "median_sync_s": {path: statistics.median(seconds) for path, seconds in sync_seconds.items()},
    }
    write_result("first-sync", result)


if __name__ == "__main__":
    main()
