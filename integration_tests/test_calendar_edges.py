"""Consecutive daily syncs across month and year edges stay exact, with the connector's own clock on those days.

On the last day of a month, the 1st and the 2nd (and on Dec 31, Jan 1 and Jan 2; Feb 28, Feb 29 and Mar 1 of a
leap year) the sandbox moves its `today`
and the connector runs with its clock moved to the same day (adjusted.py), with no end_date: it reads up to what it
believes is today, from the state the sync before it left. The vendors revise the last days before today
(providers.md, last section), so after every sync the records merged by primary key must equal the sandbox's
truth of that day for every incremental stream: a lookback that stops at the 1st of a month or of a year leaves
the revised last days of the month (year) before wrong for ever. Every InsideView period is run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from integration_tests.connector_runs import discover_catalog, run_connector
from integration_tests.discovered import CURSORS
from integration_tests.sandboxes import Sandbox, own_sandbox
from integration_tests.truth_compare import differences, merge
from usage_sandbox.connector_config import connector_config

SEED = int(os.environ.get("USAGE_SANDBOX_SEED", "42"))
LOOKBACK_DAYS = 3
EDGES = {
    "month-end": ("2026-11-30", "2026-12-01", "2026-12-02"),
    "year-end": ("2026-12-31", "2027-01-01", "2027-01-02"),
    "leap-day": ("2028-02-28", "2028-02-29", "2028-03-01"),
}
# the vendors each run reads, and the InsideView period; the first reads all four, so every incremental stream
RUNS: dict[str, tuple[tuple[str, ...], str]] = {
    "every-vendor-insideview-day": ((), "day"),
    "insideview-month": (("insideview",), "month"),
    "insideview-year": (("insideview",), "year"),
}
INCREMENTAL = set(CURSORS)


@pytest.fixture(scope="module")
def edge_sandbox() -> Iterator[Sandbox]:
    """A sandbox of this module's own, so that moving its `today` cannot reach another module's syncs."""
    first_day = EDGES["month-end"][0]
    with own_sandbox(SEED, "small", first_day) as box:
        yield box


def start_date(first_day: str) -> str:
    """The 1st of the month before: two month edges, several Leadfeeder months, 60-odd days."""
    first_of_month = date.fromisoformat(first_day).replace(day=1)
    return (first_of_month - timedelta(days=1)).replace(day=1).isoformat()


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("edge", EDGES)
def test_daily_syncs_across_the_edge_equal_each_days_truth(edge_sandbox: Sandbox, edge: str, run: str) -> None:
    vendors, period = RUNS[run]
    days = EDGES[edge]
    start = start_date(days[0])
    overrides: dict[str, Any] = {"lookback_days": LOOKBACK_DAYS, "insideview": {"period": period}}
    config = connector_config(edge_sandbox.url, start, *vendors, **overrides)
    catalog = discover_catalog(config, clock=f"{days[0]}T12:00:00")
    streams = INCREMENTAL & {configured["stream"]["name"] for configured in catalog["streams"]}
    merged: dict[str, list[dict[str, Any]]] = {}
    state: Any = None
    try:
        for day in days:
            edge_sandbox.set_today(day)
            output = run_connector("read", config, catalog, state, clock=f"{day}T12:00:00")
            assert output.exit_code == 0 and not output.errors, output.errors or output.stderr[-2000:]
            for stream, rows in output.record_data().items():
                merged.setdefault(stream, []).extend(rows)
            state = output.final_states
            truth = edge_sandbox.truth(start, today=day, insideview_period=period)
            wrong = differences(merge(merged), truth, sorted(streams))
            assert not wrong, f"after the sync of {day} ({run}): {wrong}"
    finally:
        edge_sandbox.set_today(days[0])
    assert streams, "the run read no incremental stream"
