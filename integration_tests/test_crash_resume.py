"""Crash and resume: `source-usage read` killed with SIGKILL at 20 seeded points, resumed each time from the
last STATE it emitted, ends with exactly the ground truth once merged by primary key.

The kills form one chain: each run starts from the state the previous (killed) run left and is itself killed,
so every run is both the resumption of one kill point and the next kill point. A kill point is "right after
the k-th RECORD or STATE of stream S": two per stream, k seeded within what any run of the chain emits of S.
Only what a destination may keep counts: of a killed run, a stream's records up to its last STATE message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from integration_tests.connector_runs import Run, read
from integration_tests.discovered import PRIMARY_KEYS
from integration_tests.kills import KillPoint, kept, kill_points, killer
from integration_tests.sandboxes import own_sandbox
from integration_tests.truth_compare import Records, differences, duplicated_keys, leaks, merge, schema_violations

SEED = 20261120
START = "2026-11-12"
STREAMS = list(PRIMARY_KEYS)
KILLS_PER_STREAM = 2
LOOKBACK_DAYS = 3


@dataclass
class Leg:
    point: KillPoint | None
    run: Run


@pytest.fixture(scope="module")
def chain(sandbox: Any) -> tuple[list[Leg], Records]:
    """Kill, resume from the last states, kill again ... then one run to the end."""
    with own_sandbox(sandbox.seed, sandbox.size, sandbox.default_today) as box:
        box.set_limits({"enabled": False})  # the vendors' rate limits have their own tests
        config = box.config(start_date=START, lookback_days=LOOKBACK_DAYS)
        truth = box.truth(START)
        state: dict[str, dict[str, Any]] = {}
        legs: list[Leg] = []
        points = kill_points(truth, box.today, SEED, KILLS_PER_STREAM, LOOKBACK_DAYS)
        for point in [*points, None]:
            run = read(config, state=state.values(), kill_when=killer(point) if point else None)
            legs.append(Leg(point, run))
            state.update(run.last_states())
        return legs, truth


def test_twenty_kill_points_cover_every_stream_twice(chain: tuple[list[Leg], Records]) -> None:
    legs, _ = chain
    killed = [leg for leg in legs if leg.run.killed]
    assert len(killed) >= 20, [(leg.point, leg.run.describe()) for leg in legs if not leg.run.killed]
    by_stream: dict[str, int] = {}
    for leg in killed:
        assert leg.point is not None
        by_stream[leg.point.stream] = by_stream.get(leg.point.stream, 0) + 1
    assert by_stream == {stream: KILLS_PER_STREAM for stream in STREAMS}


def test_resuming_after_every_kill_loses_nothing_in_any_stream(chain: tuple[list[Leg], Records]) -> None:
    legs, truth = chain
    last = legs[-1].run
    assert last.succeeded, last.describe()
    for leg in legs:
        assert not leg.run.hung, leg.run.describe()
        assert leg.run.killed or leg.run.succeeded, leg.run.describe()
    merged = merge(*(kept(leg.run) for leg in legs))
    assert differences(merged, truth, STREAMS) == {}


def test_no_run_of_the_chain_emits_a_key_twice_a_record_outside_its_schema_or_a_secret(
    chain: tuple[list[Leg], Records],
) -> None:
    legs, _ = chain
    for leg in legs:
        assert duplicated_keys(leg.run.record_data()) == {}, leg.point
        assert schema_violations(leg.run.record_data()) == [], leg.point
        assert leaks(leg.run.text) == [], leg.point
