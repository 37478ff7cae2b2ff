"""Kill points of crash tests, and what a destination keeps of a run that was killed."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from integration_tests.connector_runs import KillWhen, Run
from integration_tests.discovered import CURSORS, PRIMARY_KEYS
from integration_tests.truth_compare import Records


@dataclass
class KillPoint:
    stream: str
    nth: int  # kill right after the nth RECORD or STATE message of the stream


def stream_of(message: Mapping[str, Any]) -> str | None:
    """The stream a RECORD or STATE message belongs to."""
    if message.get("type") == "RECORD":
        return message["record"]["stream"]
    if message.get("type") == "STATE":
        return message["state"]["stream"]["stream_descriptor"]["name"]
    return None


def kept(run: Run) -> Records:
    """What a destination may keep of a run: all of a finished one; of a killed one, each stream's records
    up to that stream's last STATE message (a destination commits records at state messages)."""
    if not run.killed:
        return run.record_data()
    last_state: dict[str, int] = {}
    for index, message in enumerate(run.messages):
        if message["type"] == "STATE":
            last_state[stream_of(message) or ""] = index
    records: Records = {}
    for index, message in enumerate(run.messages):
        stream = stream_of(message)
        if message["type"] == "RECORD" and stream is not None and index < last_state.get(stream, -1):
            records.setdefault(stream, []).append(message["record"]["data"])
    return records


def kill_points(truth: Records, today: str, seed: int, per_stream: int, lookback: int) -> list[KillPoint]:
    """`per_stream` seeded kill points for each stream, in a seeded order, each within what any run of a
    kill-and-resume chain emits of its stream: at least the records of a sync resumed from a finished state
    (the lookback, or everything for a full-refresh stream) and its final STATE."""
    rng = random.Random(seed)
    first_reread = (date.fromisoformat(today) - timedelta(days=lookback)).isoformat()
    points = []
    for stream in PRIMARY_KEYS:
        cursor = CURSORS.get(stream)
        rows = truth.get(stream, [])
        if cursor:
            rows = [row for row in rows if row[cursor] >= first_reread[: len(row[cursor])]]
        points += [KillPoint(stream, rng.randint(1, len(rows) + 1)) for _ in range(per_stream)]
    rng.shuffle(points)
    return points


def killer(point: KillPoint) -> KillWhen:
    """A `kill_when` that fires right after the point's nth message of its stream."""
    seen = [0]

    def kill_when(_: int, message: dict[str, Any]) -> bool:
        if stream_of(message) == point.stream:
            seen[0] += 1
        return seen[0] >= point.nth

    return kill_when
