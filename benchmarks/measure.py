"""Run a command as a child process and measure it: wall seconds, CPU seconds, peak RSS of its tree."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

import psutil

POLL_SECONDS = 0.05


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    user_s: float
    system_s: float
    peak_rss_mb: float
    returncode: int


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def _children_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def run_measured(
    command: Sequence[str],
    stdout: Path,
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[Path] = None,
    stdin: Optional[Path] = None,
    timeout_s: float = 1800.0,
) -> Measurement:
    """Run `command` to completion, its stdout to a file; peak RSS summed over the tree, polled every 50 ms.

    CPU is the change in RUSAGE_CHILDREN across the run, so it counts the command and every descendant it
    waited for (user + system), and nothing the harness does itself.
    """
    peak = [0]
    done = threading.Event()
    cpu_before = _children_cpu()
    started = time.perf_counter()
    with open(stdout, "wb") as out, open(stdin or os.devnull, "rb") as source:
        process = subprocess.Popen(list(command), stdout=out, stdin=source, env=dict(env) if env else None, cwd=cwd)

        def poll() -> None:
            try:
                root = psutil.Process(process.pid)
            except psutil.Error:
                return
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(root))
                done.wait(POLL_SECONDS)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            returncode = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
        finally:
            done.set()
            poller.join()
    wall = time.perf_counter() - started
    user, system = (after - before for after, before in zip(_children_cpu(), cpu_before, strict=True))
    return Measurement(wall, user + system, user, system, peak[0] / 2**20, returncode)
