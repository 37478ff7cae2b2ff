"""One sandbox database for the answers' tests: `python -m local_sync` (what make sync runs) twice, a week apart,
so credit_balances holds two snapshots per pool. Made once per test session: the three answers modules may run
on both xdist workers, which share it through a file lock in the session's temporary root."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
START, FIRST_DAY, SECOND_DAY = "2026-10-15", "2026-11-13", "2026-11-20"
RUN_TIMEOUT_SECONDS = 300
# a horizon no sandbox pool reaches, and one the InsideView pool (no reset day, ~150 credits a day of ~48,000) does
FAR, NEAR = 0, 400


@dataclass(frozen=True)
class AnswersSync:
    db: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]


def local_sync(workdir: Path, db: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m local_sync --db db ...` run in `workdir`, with the repository importable."""
    command = [sys.executable, "-m", "local_sync", "--db", str(db), "--airbyte-dir", str(workdir / ".airbyte")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [*command, *arguments], cwd=workdir, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS
    )


def _make(workdir: Path) -> dict[str, list[str | int]]:
    db = workdir / "usage.duckdb"
    first = local_sync(workdir, db, "--today", FIRST_DAY, "--start-date", START, "--fail-within", str(FAR))
    assert first.returncode == 0, f"{first.stdout[-3000:]}\n{first.stderr[-3000:]}"
    second = local_sync(workdir, db, "--today", SECOND_DAY, "--fail-within", str(NEAR))
    assert second.returncode in (0, 3), f"{second.stdout[-3000:]}\n{second.stderr[-3000:]}"
    return {name: [run.returncode, run.stdout, run.stderr] for name, run in (("first", first), ("second", second))}


@pytest.fixture(scope="session")
def answers_sync(tmp_path_factory: pytest.TempPathFactory) -> AnswersSync:
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    workdir, done = root / "answers-sync", root / "answers-sync.json"
    with FileLock(str(root / "answers-sync.lock")):
        if not done.exists():
            workdir.mkdir(exist_ok=True)
            done.write_text(json.dumps(_make(workdir)))
    runs = json.loads(done.read_text())
    first, second = (subprocess.CompletedProcess([], *runs[name]) for name in ("first", "second"))
    return AnswersSync(workdir / "usage.duckdb", first, second)
