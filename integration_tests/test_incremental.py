"""An incremental sync the next day, from the first sync's final states, re-reads only the lookback days.

The sandbox moves its `today` one day on between the two syncs: the last three days' figures grow and
one new day appears. The second sync must return exactly the records of its windows, ask only for them,
and together with the first sync hold the ground truth of the new day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from integration_tests.connector_runs import Run, cursors, discover_catalog, run_connector
from integration_tests.discovered import CURSORS
from integration_tests.truth_compare import assert_same_records, keyed
from usage_sandbox.truth import STREAMS

if TYPE_CHECKING:
    from integration_tests.sandboxes import Sandbox

# The two syncs run once for the module (`make test` keeps a module on one worker: --dist loadfile) and move
# the worker's sandbox to the next day only while they run.

START_DATE = "2026-11-01"
LOOKBACK_DAYS = 3
INCREMENTAL = tuple(stream for stream in STREAMS if stream in CURSORS)
FULL_REFRESH = tuple(stream for stream in STREAMS if stream not in CURSORS)


@dataclass
class TwoSyncs:
    catalog: dict[str, Any]
    first: Run
    second: Run
    second_requests: dict[str, dict[str, dict[str, int]]]
    next_day: date

    def truth(self, sandbox: Sandbox) -> dict[str, list[dict[str, Any]]]:
        return sandbox.truth(START_DATE, today=self.next_day.isoformat())

    def first_reread_day(self) -> date:
        """The second sync starts lookback + 1 days before the first's state, which is the new day."""
        return self.next_day - timedelta(days=LOOKBACK_DAYS + 1)


@pytest.fixture(scope="module")
def two_syncs(sandbox: Sandbox) -> TwoSyncs:
    sandbox.restore()
    next_day = date.fromisoformat(sandbox.today) + timedelta(days=1)
    try:
        config = sandbox.config(start_date=START_DATE, lookback_days=LOOKBACK_DAYS)
        catalog = discover_catalog(config)
        first = run_connector("read", config, catalog)
        assert first.exit_code == 0 and not first.errors, first.errors or first.stderr[-2000:]
        sandbox.set_today(next_day.isoformat())
        sandbox.reset()
        second = run_connector("read", {**config, "end_date": next_day.isoformat()}, catalog, first.final_states)
        assert second.exit_code == 0 and not second.errors, second.errors or second.stderr[-2000:]
        requests = sandbox.stats()["vendors"]
    finally:
        sandbox.restore()
    return TwoSyncs(catalog, first, second, requests, next_day)


@pytest.mark.parametrize("stream", STREAMS)
def test_incremental_sync_merged_with_the_first_equals_the_truth_of_the_next_day(
    two_syncs: TwoSyncs, sandbox: Sandbox, stream: str
) -> None:
    merged = two_syncs.first.record_data().get(stream, []) + two_syncs.second.record_data().get(stream, [])
    expected = keyed(stream, two_syncs.truth(sandbox)[stream])
    assert keyed(stream, merged) == expected


@pytest.mark.parametrize("stream", FULL_REFRESH)
def test_the_second_sync_reads_each_full_refresh_stream_whole_on_its_own(
    two_syncs: TwoSyncs, sandbox: Sandbox, stream: str
) -> None:
    """Merged with the first sync, a second that skipped contracts or leaf_users would pass the test above."""
    assert two_syncs.second.record_data().get(stream), f"the second sync read no {stream}"
    assert keyed(stream, two_syncs.second.record_data()[stream]) == keyed(stream, two_syncs.truth(sandbox)[stream])


@pytest.mark.parametrize("stream", INCREMENTAL)
def test_incremental_sync_returns_exactly_the_lookback_days_and_the_new_day(
    two_syncs: TwoSyncs, sandbox: Sandbox, stream: str
) -> None:
    first_day = two_syncs.first_reread_day()
    field, since = ("period", first_day.strftime("%Y-%m")) if stream == "api_usage" else ("date", first_day.isoformat())
    expected = [record for record in two_syncs.truth(sandbox)[stream] if record[field] >= since]
    assert_same_records(stream, two_syncs.second.record_data().get(stream, []), expected)


@pytest.mark.parametrize("stream", INCREMENTAL)
def test_incremental_sync_returns_revised_figures_of_recent_days(two_syncs: TwoSyncs, stream: str) -> None:
    before = keyed(stream, two_syncs.first.record_data()[stream])
    after = keyed(stream, two_syncs.second.record_data()[stream])
    assert [k for k in after if k in before and after[k] != before[k]], f"no {stream} record was revised"


def test_incremental_sync_asks_only_for_the_lookback_windows(two_syncs: TwoSyncs) -> None:
    requests = {
        (vendor, endpoint): sum(statuses.values())
        for vendor, endpoints in two_syncs.second_requests.items()
        for endpoint, statuses in endpoints.items()
    }
    records = two_syncs.first.record_data()
    contracts, users = len(records["contracts"]), len(records["leaf_users"])
    days = LOOKBACK_DAYS + 2  # state - (lookback + 1) days up to the new day
    assert requests[("whitepages", "usage")] == 1
    assert requests[("insideview", "usage")] == 2  # credits, and one api_transactions window
    assert requests[("leadfeeder", "usage")] == len(records["accounts"])  # one month window each
    assert requests[("leaf", "consumption")] == contracts * days
    assert requests[("leaf", "consumption_api_owner")] == contracts
    assert requests[("leaf", "consumption_leaf_user")] == contracts * users
    assert all(
        status == "200"
        for endpoints in two_syncs.second_requests.values()
        for statuses in endpoints.values()
        for status in statuses
    )


@pytest.mark.parametrize("stream", INCREMENTAL)
def test_incremental_sync_never_moves_a_cursor_backwards(two_syncs: TwoSyncs, stream: str) -> None:
    first = cursors(_final_state(two_syncs.first, stream))
    second = cursors(_final_state(two_syncs.second, stream))
    assert set(first) <= set(second), f"{stream} lost partitions {sorted(set(first) - set(second))}"
    moved_back = {
        partition: (first[partition], second[partition])
        for partition in first
        if _cursor_value(second[partition]) < _cursor_value(first[partition])
    }
    assert not moved_back, f"{stream} cursors moved backwards: {moved_back}"
    first_unread = (
        (two_syncs.next_day.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
        if stream == "api_usage"
        else (two_syncs.next_day + timedelta(days=1)).isoformat()
    )
    assert {_cursor_value(cursor) for cursor in second.values()} == {first_unread}


def _final_state(output: Run, stream: str) -> dict[str, Any]:
    states = [state for state in output.final_states if state["stream"]["stream_descriptor"]["name"] == stream]
    assert len(states) == 1, f"no final state for {stream}"
    return states[0]


def _cursor_value(cursor: dict[str, Any]) -> str:
    (value,) = cursor.values()
    return str(value)
