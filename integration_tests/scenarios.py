"""Scenarios a test module computes once, side by side, each in a thread of its own against a sandbox of its own.

They mostly wait (for retries, backoff, stalls, the connector's start), so a module's scenarios together cost
about the longest of them. `make test` distributes the tests by file (`--dist loadfile`), so a module's
scenarios run on one pytest worker only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """The sandbox a scenario imitates in a sandbox of its own: the session sandbox's seed, size and today."""

    seed: int
    size: str
    today: str

    @classmethod
    def of(cls, sandbox: Any) -> Settings:
        return cls(sandbox.seed, sandbox.size, sandbox.default_today)


@contextmanager
def side_by_side(jobs: Mapping[str, Callable[[], T]]) -> Iterator[Callable[[str], T]]:
    """Starts every job in a thread; yields `outcome(name)`, which waits for that job's result (or raises its
    error). On exit, waits for every job."""
    with ThreadPoolExecutor(max_workers=max(1, len(jobs)), thread_name_prefix="scenario") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        yield lambda name: futures[name].result()
