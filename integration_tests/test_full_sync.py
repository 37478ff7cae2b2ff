"""A first sync of all ten streams with `source-usage read` gives exactly the sandbox's ground truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from integration_tests.connector_runs import Run, cursors, discover_catalog, run_connector
from integration_tests.truth_compare import assert_same_records
from usage_sandbox.truth import STREAMS

if TYPE_CHECKING:
    from integration_tests.sandboxes import Sandbox

START_DATE = "2026-10-01"


@dataclass
class FullSync:
    catalog: dict[str, Any]
    output: Run


@pytest.fixture(scope="module")
def full_sync(sandbox: Sandbox) -> FullSync:
    sandbox.restore()
    config = sandbox.config(start_date=START_DATE)
    catalog = discover_catalog(config)
    output = run_connector("read", config, catalog)
    assert output.exit_code == 0 and not output.errors, output.errors or output.stderr[-2000:]
    return FullSync(catalog, output)


def test_full_sync_configures_all_ten_streams_incrementally_where_they_can(full_sync: FullSync) -> None:
    modes = {configured["stream"]["name"]: configured["sync_mode"] for configured in full_sync.catalog["streams"]}
    assert sorted(modes) == sorted(STREAMS)
    assert {name for name, mode in modes.items() if mode == "incremental"} == {
        "api_usage",
        "api_transactions",
        "daily_usage",
        "contract_consumption",
        "daily_consumption",
        "leaf_user_consumption",
    }


@pytest.mark.parametrize("stream", STREAMS)
def test_full_sync_returns_exactly_the_ground_truth(full_sync: FullSync, sandbox: Sandbox, stream: str) -> None:
    expected = sandbox.truth(START_DATE)[stream]
    assert expected, f"the sandbox has no {stream} records from {START_DATE}: pick another start date"
    assert_same_records(stream, full_sync.output.record_data().get(stream, []), expected)


def test_full_sync_ends_every_cursor_at_the_first_unread_day_or_month(full_sync: FullSync, sandbox: Sandbox) -> None:
    """After a sync up to 2026-11-20 the next one starts at 2026-11-21 (Leadfeeder: month 2026-12)."""
    states = {state["stream"]["stream_descriptor"]["name"]: state for state in full_sync.output.final_states}
    records = full_sync.output.record_data()
    account_ids = {record["id"] for record in records["accounts"]}
    contract_ids = {record["contract_id"] for record in records["daily_consumption"]}
    user_ids = {record["id"] for record in records["leaf_users"]}
    by_account = {_partition(account_id=account) for account in account_ids}
    by_contract = {_partition(contract_id=contract) for contract in contract_ids}
    expected_partitions = {
        "api_usage": by_account,
        "api_transactions": set(),
        "daily_usage": set(),
        "contract_consumption": by_contract,
        "daily_consumption": by_contract,
        "leaf_user_consumption": {
            _partition(contract_id=contract, leaf_user_id=user) for contract in contract_ids for user in user_ids
        },
    }
    for stream, partitions in expected_partitions.items():
        found = cursors(states[stream])
        assert set(found) - {""} == partitions, stream
        first_unread = (
            {"period": _first_unread(sandbox.today, "month")}
            if stream == "api_usage"
            else {"date": _first_unread(sandbox.today, "day")}
        )
        assert all(cursor == first_unread for cursor in found.values()), (stream, found)


@pytest.mark.parametrize(("period", "start_date"), [("month", "2023-06-01"), ("year", "2016-06-01")])
def test_insideview_period_config_returns_the_truth_of_that_period(
    full_sync: FullSync, sandbox: Sandbox, period: str, start_date: str
) -> None:
    """42 months and 11 years: each takes two windows of the widest kind (36 months, 10 years)."""
    streams = ("credits", "api_transactions")
    catalog = {"streams": [s for s in full_sync.catalog["streams"] if s["stream"]["name"] in streams]}
    config = sandbox.config("insideview", start_date=start_date, insideview={"period": period})
    sandbox.reset()
    output = run_connector("read", config, catalog)
    assert output.exit_code == 0 and not output.errors, output.errors or output.stderr[-2000:]
    expected = sandbox.truth(start_date, insideview_period=period)
    for stream in streams:
        assert_same_records(stream, output.record_data().get(stream, []), expected[stream])
    assert {record["period_type"] for record in output.record_data()["api_transactions"]} == {period}
    assert sandbox.stats()["vendors"]["insideview"]["usage"] == {"200": 3}  # credits and two windows
    (state,) = [s for s in output.final_states if s["stream"]["stream_descriptor"]["name"] == "api_transactions"]
    assert cursors(state) == {"": {"date": _first_unread(sandbox.today, period)}}


def _partition(**keys: str) -> str:
    """A partition as connector_runs.cursors names it."""
    return json.dumps(keys, sort_keys=True)


def _first_unread(today: str, unit: str) -> str:
    """The day, month or year after today's, as a cursor of that unit states it."""
    day = date.fromisoformat(today)
    if unit == "year":
        return str(day.year + 1)
    if unit == "month":
        return (day.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    return (day + timedelta(days=1)).isoformat()
