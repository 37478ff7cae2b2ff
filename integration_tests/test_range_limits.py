"""A vendor whose longest range is shorter than the sandbox's rules costs a few refused requests per stream,
never the sync: full syncs of all four vendors under three sets of shorter limits (the sandbox's range switch)
end exact against the truth, a sync killed in the middle of a split resumes exact, a refused single day fails
with one sentence, and the default limits cost no request more than the widest windows need.

Only Whitepages publishes its limit (90 days); the connector knows none of the shorter ones below. Every
refused request is the whole price of a split: after it, each window is read in the step that worked, as a
sync that knew the limit would read it. `daily_consumption` asks for one day a request, so it has no range to
shorten, and is left out (its thousands of one-day requests would only slow these syncs down).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from benchmarks.bounds import lower_bounds, made
from integration_tests.connector_runs import Run, read, streams_of
from integration_tests.kills import kept
from integration_tests.truth_compare import assert_same_records, merge
from usage_sandbox.connector_config import VENDORS

RANGED = ("api_usage", "api_transactions", "daily_usage", "contract_consumption", "leaf_user_consumption")
# the sandbox's endpoint behind each ranged stream (its /_sandbox/stats names)
ENDPOINTS = {
    "api_usage": ("leadfeeder", "usage"),
    "api_transactions": ("insideview", "usage"),
    "daily_usage": ("whitepages", "usage"),
    "contract_consumption": ("leaf", "consumption_api_owner"),
    "leaf_user_consumption": ("leaf", "consumption_leaf_user"),
}


@dataclass(frozen=True)
class Limits:
    """Shorter limits, a first sync's start date (the sandbox's today is 2026-11-20), and what the split costs:
    the refused requests per ranged stream, each the first window's halvings down to a step that fits."""

    ranges: dict[str, Any]
    start_date: str
    refused: dict[str, int]
    insideview_period: str = "day"
    streams: list[str] = field(default_factory=lambda: [s for s in streams_of() if s != "daily_consumption"])


SCENARIOS = {
    # the example: Leadfeeder 9 months → 5; InsideView 92 days → 46 → 23 → 12 → 6; Whitepages 90 → 45 → 23;
    # Leaf 265 days → 133 → 67 → 34
    "short": Limits(
        {"leadfeeder": 5, "insideview": {"day": 7}, "whitepages": 30, "leaf": 45},
        "2026-03-01",
        {
            "api_usage": 1,
            "api_transactions": 4,
            "daily_usage": 2,
            "contract_consumption": 3,
            "leaf_user_consumption": 3,
        },
    ),
    # InsideView by month: Leadfeeder 23 months → 12 → 6 → 3 → 2; InsideView 23 months → 12 → 6 → 3; Whitepages
    # 90 → 45; Leaf 366 → 183 (or its last window, 323 → 162)
    "monthly": Limits(
        {"leadfeeder": 2, "insideview": {"month": 5}, "whitepages": 60, "leaf": 200},
        "2025-01-01",
        {
            "api_usage": 4,
            "api_transactions": 3,
            "daily_usage": 1,
            "contract_consumption": 1,
            "leaf_user_consumption": 1,
        },
        insideview_period="month",
    ),
    # one unit less than ours, and InsideView by year: Leadfeeder 24 → 12; InsideView 3 years → 2; Whitepages
    # 90 → 45; Leaf 366 → 183
    "just_short": Limits(
        {"leadfeeder": 23, "insideview": {"year": 2}, "whitepages": 89, "leaf": 365},
        "2024-01-01",
        {
            "api_usage": 1,
            "api_transactions": 1,
            "daily_usage": 1,
            "contract_consumption": 1,
            "leaf_user_consumption": 1,
        },
        insideview_period="year",
    ),
}
# Each stream's refusals do not depend on which of its windows is read first: a stream's windows are equally
# long, or its last, shorter one fits the limit, or halves down to the same step (Leaf's in "monthly").


def _statuses(sandbox: Any) -> dict[str, dict[str, int]]:
    served = sandbox.stats()["vendors"]
    return {stream: served.get(vendor, {}).get(endpoint, {}) for stream, (vendor, endpoint) in ENDPOINTS.items()}


@pytest.mark.parametrize("name", SCENARIOS)
def test_shorter_range_limits_cost_a_few_refusals_per_stream_and_the_sync_ends_exact(
    fresh_sandbox: Any, name: str
) -> None:
    limits = SCENARIOS[name]
    fresh_sandbox.set_ranges(limits.ranges)
    config = fresh_sandbox.config(start_date=limits.start_date, insideview={"period": limits.insideview_period})

    run = read(config, limits.streams)

    assert run.exit_code == 0 and not run.errors, run.describe()
    truth = fresh_sandbox.truth(limits.start_date, insideview_period=limits.insideview_period)
    records = run.record_data()
    for stream in limits.streams:
        assert_same_records(stream, records.get(stream, []), truth[stream])
    statuses = _statuses(fresh_sandbox)
    assert {stream: statuses[stream].get("400", 0) for stream in RANGED} == limits.refused
    assert all(set(counts) == {"200", "400"} for counts in statuses.values()), statuses


def test_a_window_split_across_february_29_ends_exact(fresh_sandbox: Any) -> None:
    """Whitepages and Leaf at 7 days on 2028-03-10: 20 days from Feb 20 are read in pieces of 5, one of them
    ending on Feb 29 and the next starting on Mar 1."""
    fresh_sandbox.set_today("2028-03-10")
    fresh_sandbox.set_ranges({"whitepages": 7, "leaf": 7})
    start = "2028-02-20"
    config = fresh_sandbox.config("whitepages", "leaf", start_date=start)
    streams = ["daily_usage", "contracts", "contract_consumption"]

    run = read(config, streams, clock="2028-03-10T12:00:00")  # the connector's own clock on that day

    assert run.exit_code == 0 and not run.errors, run.describe()
    truth = fresh_sandbox.truth(start)
    for stream in streams:
        assert_same_records(stream, run.record_data().get(stream, []), truth[stream])
    assert any(row["date"] == "2028-02-29" for row in truth["daily_usage"] + truth["contract_consumption"])
    statuses = _statuses(fresh_sandbox)
    assert statuses["daily_usage"] == {"200": 4, "400": 2}  # 20 days → 10 → 5: four pieces


def test_a_sync_killed_in_the_middle_of_a_split_resumes_exact(fresh_sandbox: Any) -> None:
    """Whitepages at 30 days: the first 90-day window is read in 23-day pieces; the sync is killed after the
    first piece's records, before the window's STATE, and a sync from the states it left ends exact."""
    fresh_sandbox.set_ranges({"whitepages": 30})
    fresh_sandbox.set_latency(200)  # every piece takes a while, so the kill comes while the windows are read
    start = "2026-01-01"
    config = fresh_sandbox.config("whitepages", start_date=start)
    seen: list[str] = []

    def after_the_first_piece(_: int, message: dict[str, Any]) -> bool:
        if message.get("type") == "RECORD":
            seen.append(message["record"]["data"]["date"])
        return bool(seen) and seen[-1] > "2026-01-23"  # the second 23-day piece has begun

    killed = read(config, ["daily_usage"], kill_when=after_the_first_piece)

    assert killed.killed and not killed.last_states(), killed.describe()  # no window had completed
    assert "400" in _statuses(fresh_sandbox)["daily_usage"]
    resumed = read(config, ["daily_usage"], state=killed.last_states().values())
    assert resumed.exit_code == 0 and not resumed.errors, resumed.describe()
    got = merge(kept(killed), resumed.record_data())
    expected = fresh_sandbox.truth(start)["daily_usage"]
    assert_same_records("daily_usage", list(got["daily_usage"].values()), expected)


def test_a_sync_killed_after_a_split_window_resumes_from_its_state_exact(fresh_sandbox: Any) -> None:
    """Leaf at 45 days: killed once the first split window's STATE is out, the next sync starts after it."""
    fresh_sandbox.set_ranges({"leaf": 45})
    fresh_sandbox.set_latency(100)
    start = "2025-06-01"
    config = fresh_sandbox.config("leaf", start_date=start)

    def after_the_first_state(_: int, message: dict[str, Any]) -> bool:
        state = message.get("state", {}).get("stream", {})
        return message.get("type") == "STATE" and state["stream_descriptor"]["name"] == "contract_consumption"

    killed = read(config, ["contracts", "contract_consumption"], kill_when=after_the_first_state)
    assert killed.killed and killed.last_states().get("contract_consumption"), killed.describe()
    resumed = read(config, ["contracts", "contract_consumption"], state=killed.last_states().values())
    assert resumed.exit_code == 0 and not resumed.errors, resumed.describe()
    got = merge(kept(killed), resumed.record_data())
    expected = fresh_sandbox.truth(start)["contract_consumption"]
    assert_same_records("contract_consumption", list(got["contract_consumption"].values()), expected)


@pytest.mark.parametrize(
    ("vendor", "stream", "unit", "single", "quoted"),
    [
        ("leadfeeder", "api_usage", "month", "2026-10", "(invalid_parameter: The period between start_period"),
        ("insideview", "api_transactions", "day", "2026-11-01", "(400-705: At most 0 days can be requested"),
        ("whitepages", "daily_usage", "day", "2026-11-01", "(Maximum date range allowed is 0 days.)"),
        ("leaf", "contract_consumption", "day", "2026-11-01", "(The range can cover at most 0 days)"),
    ],
)
def test_a_refused_single_unit_fails_with_one_sentence_naming_vendor_stream_range_and_the_vendors_text(
    fresh_sandbox: Any, vendor: str, stream: str, unit: str, single: str, quoted: str
) -> None:
    """A vendor that refuses even one unit (the switch at 0) cannot be met by splitting: the stream fails once,
    with the vendor's own words, after halving its first window down to a single unit."""
    fresh_sandbox.set_ranges({vendor: 0} if vendor != "insideview" else {vendor: {"day": 0}})
    config = fresh_sandbox.config(vendor, start_date="2026-10-01" if vendor == "leadfeeder" else "2026-11-01")

    run: Run = read(config, [*(["contracts"] if vendor == "leaf" else []), stream])

    assert run.exit_code != 0
    errors = [error for error in run.trace_errors() if (error.get("stream_descriptor") or {}).get("name") == stream]
    assert errors, run.describe()
    name = {"leadfeeder": "Leadfeeder", "insideview": "InsideView", "whitepages": "Whitepages", "leaf": "Leaf"}[vendor]
    for error in errors:  # one per partition (Leaf: per contract, whose path it names)
        message = error["message"]
        assert error["failure_type"] == "system_error"
        assert message.startswith(f"{name} refused the request of stream {stream} at http://127.0.0.1:"), message
        assert quoted in message
        assert message.endswith(
            f" for {single}, a single {unit} that cannot be split any further; check start_date, or ask the vendor"
            " which ranges it accepts."
        )


def test_with_the_default_limits_a_full_sync_asks_for_the_widest_windows_and_nothing_more(fresh_sandbox: Any) -> None:
    """The defaults cost nothing: every endpoint gets exactly the requests of the widest windows, none refused."""
    start = "2024-01-01"
    config = fresh_sandbox.config(start_date=start)
    streams = [stream for stream in streams_of() if stream != "daily_consumption"]

    run = read(config, streams)

    assert run.exit_code == 0 and not run.errors, run.describe()
    today = date.fromisoformat(fresh_sandbox.today)
    widest = {
        (bound.vendor, bound.endpoint): bound.requests
        for bound in lower_bounds(fresh_sandbox.seed, fresh_sandbox.size, today, date.fromisoformat(start), VENDORS)
        if (bound.vendor, bound.endpoint) != ("leaf", "consumption")  # daily_consumption's endpoint, not read here
    }
    served = made(fresh_sandbox.stats())
    assert {key: sum(statuses.values()) for key, statuses in served.items()} == widest
    assert all(set(statuses) == {"200"} for statuses in served.values()), served
