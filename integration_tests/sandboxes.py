"""The sandbox as the tests use it: a control client of a running sandbox, and sandboxes of a test's own.

Both start `usage-sandbox serve` through usage_sandbox.process.SandboxServer.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from usage_sandbox.client import SandboxClient
from usage_sandbox.connector_config import connector_config
from usage_sandbox.process import SandboxServer
from usage_sandbox.truth import truth
from usage_sandbox.vendors.leaf import DAILY_SUMMARY_READINGS

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 90.0


class Sandbox(SandboxClient):
    """A running sandbox: its URL and today, connector configs pointing at it, and its control API."""

    def __init__(self, url: str, seed: int, size: str, today: str) -> None:
        super().__init__(url)
        self.seed, self.size = seed, size
        self.today = self.default_today = today
        self.leaf_daily_summary = DAILY_SUMMARY_READINGS[0]

    def config(self, *vendors: str, start_date: str | None = None, **overrides: Any) -> dict[str, Any]:
        """A complete connector config for the given vendors (all four when none are named)."""
        fields = {"end_date": self.today, "lookback_days": 3, **overrides}
        return connector_config(self.url, start_date or self.default_start_date(), *vendors, **fields)

    def default_start_date(self) -> str:
        first_of_month = date.fromisoformat(self.today).replace(day=1)
        return (first_of_month - timedelta(days=1)).replace(day=1).isoformat()

    def set_today(self, today: str) -> None:
        super().set_today(today)
        self.today = today

    def set_leaf_daily_summary(self, reading: str) -> None:
        super().set_leaf_daily_summary(reading)
        self.leaf_daily_summary = reading

    def restore(self) -> None:
        """Back to how the session started: no faults, the default today, limits, ranges and pages, counters
        cleared."""
        self.set_faults("none")
        self.set_page_cap(None)
        self.set_today(self.default_today)
        self.set_leaf_daily_summary(DAILY_SUMMARY_READINGS[0])
        self.default_limits()
        self.default_ranges()
        self.reset()

    def truth(self, start_date: str, **kw: Any) -> dict[str, list[dict[str, Any]]]:
        """The truth of a sync from `start_date`, as this sandbox serves it now (its today, its Leaf reading)."""
        kw.setdefault("leaf_daily_summary", self.leaf_daily_summary)
        return truth(self.seed, self.size, kw.pop("today", self.today), start_date, **kw)


@contextmanager
def own_sandbox(
    seed: int, size: str, today: str, log: Path | None = None, extra_args: Sequence[str] = ()
) -> Iterator[Sandbox]:
    """A sandbox of its own, stopped on exit; with `log`, every request line it serves goes to that file;
    `extra_args` are more `usage-sandbox serve` options (`--page-cap 7`)."""
    extra = [*extra_args, *(["--verbose"] if log else [])]
    with SandboxServer(
        seed, size, today, extra_args=extra, log_path=log, cwd=ROOT, start_timeout=START_TIMEOUT_SECONDS
    ) as server:
        yield Sandbox(server.url, seed, size, today)


@contextmanager
def logged_sandbox(seed: int, size: str, today: str) -> Iterator[tuple[Sandbox, Path]]:
    """A sandbox of its own and the file its access log goes to, one line per request, removed on exit."""
    with tempfile.TemporaryDirectory(prefix="usage-sandbox-log-") as folder:
        log = Path(folder) / "access.log"
        with own_sandbox(seed, size, today, log) as box:
            yield box, log
