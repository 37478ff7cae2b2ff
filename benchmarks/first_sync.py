"""`python -m benchmarks.first_sync [--reps N]`: a newcomer's first answer, as issue 38 measures it. Each run clones
this repository afresh (its committed HEAD) into a temporary folder and runs `make sync` there: the venv created
and the `[local]` extra installed (the package cache as the machine has it, warm after the first run), the sandbox
started and synced into a new usage.duckdb. Medians of N runs, the sync's own seconds (its "Synced ... in N s."
line) beside the whole; written to benchmarks/results/<time>-first-sync.json. Today's path is pip's
(constraints.txt); issue 38 puts uv's beside it.
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


def _first_sync(folder: Path) -> tuple[Measurement, float]:
    """One fresh clone's `make sync`: its measurement and the sync's own seconds."""
    clone = folder / "source-usage"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
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
    parser.add_argument("--reps", type=int, default=3, help="fresh clones to time (default 3)")
    args = parser.parse_args()
    runs, sync_seconds = [], []
    for _ in range(args.reps):
        with tempfile.TemporaryDirectory(prefix="source-usage-first-sync-") as folder:
            measured, synced = _first_sync(Path(folder))
        runs.append(measured)
        sync_seconds.append(synced)
        print(f"make sync from a fresh clone: {measured.wall_s:.1f} s, of which the sync {synced:.0f} s")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    result = {
        "what": "a fresh clone's first `make sync` (venv, [local] extra, sandbox sync), pip with constraints.txt",
        "commit": commit.stdout.strip(),
        "runs": {"pip": [asdict(run) for run in runs]},
        "sync_s": {"pip": sync_seconds},
        "medians": medians_of({"pip": runs}),
        "median_sync_s": {"pip": statistics.median(sync_seconds)},
    }
    write_result("first-sync", result)


if __name__ == "__main__":
    main()
