"""Where a run spends its CPU: py-spy samples of the thread holding the GIL, summed per function.

`py-spy record --format raw` writes one line per distinct stack with its sample count; a function's self
share is the samples where it is the innermost frame, its total share those where it is anywhere on the
stack. py-spy comes from the `bench` extra; without it, pyinstrument profiles the main thread only.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

RATE_HZ = 200


def py_spy() -> str | None:
    found = shutil.which("py-spy") or (Path(sys.executable).parent / "py-spy")
    return str(found) if found and Path(found).exists() else None


def record(command: Sequence[str], raw: Path, stdout: Path) -> bool:
    """Run `command` under py-spy (all threads, subprocesses too); False when py-spy is not there."""
    spy = py_spy()
    if spy is None:
        return False
    with open(stdout, "wb") as out:
        subprocess.run(
            [
                spy,
                "record",
                "--format",
                "raw",
                "--rate",
                str(RATE_HZ),
                "--subprocesses",
                "--gil",
                "--nonblocking",
                "-o",
                str(raw),
                "--",
                *command,
            ],
            stdout=out,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    return raw.exists()


def _frame(text: str) -> str:
    """`function (path/to/module.py:123)` → `function (package/module.py)`."""
    name, _, where = text.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def _package(frame: str) -> str:
    path = frame.split(" (", 1)[1].rstrip(")")
    return path.split("/", 1)[0] if "/" in path else path.removesuffix(".py")


def summarize(raw: Path, top: int = 25) -> dict[str, Any]:
    """Top functions by self and total samples, and the share of samples in each top-level package."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(frame) for frame in stack.split(";") if " (" in frame]
        if not frames:
            continue
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
        packages[_package(frames[-1])] += count

    def shares(counter: Counter[str]) -> list[list[Any]]:
        return [[name, round(100.0 * count / samples, 1)] for name, count in counter.most_common(top)]

    return {
        "samples": samples,
        "rate_hz": RATE_HZ,
        "self_pct": shares(own),
        "total_pct": shares(total),
        "package_self_pct": shares(packages),
    }
