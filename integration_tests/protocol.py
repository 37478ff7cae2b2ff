"""Run the real `source-usage` command in a subprocess and read its Airbyte protocol output.

The config, catalog and state are written to temporary files, as Airbyte does, and every JSON line
on stdout is sorted by message type. Configured catalogs are built from what `discover` reports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COMMAND = shutil.which("source-usage", path=str(Path(sys.executable).parent)) or "source-usage"
CLOCK = Path(__file__).with_name("clock.py")
TIMEOUT_SECONDS = 120.0


@dataclass
class Output:
    """What one run of the connector printed, by message type."""

    returncode: int
    stderr: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.messages if message.get("type") == kind]

    @property
    def records(self) -> dict[str, list[dict[str, Any]]]:
        """Record data per stream, in the order they came."""
        by_stream: dict[str, list[dict[str, Any]]] = {}
        for message in self.of_type("RECORD"):
            by_stream.setdefault(message["record"]["stream"], []).append(message["record"]["data"])
        return by_stream

    @property
    def states(self) -> list[dict[str, Any]]:
        """The `state` objects of every STATE message, in order."""
        return [message["state"] for message in self.of_type("STATE")]

    @property
    def final_states(self) -> list[dict[str, Any]]:
        """The last STATE message of each stream: what Airbyte would pass to the next sync."""
        last: dict[str, dict[str, Any]] = {}
        for state in self.states:
            last[state["stream"]["stream_descriptor"]["name"]] = state
        return list(last.values())

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The `error` of every TRACE message of type ERROR."""
        return [
            message["trace"]["error"]
            for message in self.of_type("TRACE")
            if message["trace"].get("type") == "ERROR"
        ]

    @property
    def connection_status(self) -> dict[str, Any]:
        statuses = self.of_type("CONNECTION_STATUS")
        assert len(statuses) == 1, f"expected one CONNECTION_STATUS, got {statuses}; stderr: {self.stderr}"
        return statuses[0]["connectionStatus"]

    @property
    def catalog(self) -> dict[str, Any]:
        catalogs = self.of_type("CATALOG")
        assert len(catalogs) == 1, f"expected one CATALOG, got {len(catalogs)}; errors: {self.errors}"
        return catalogs[0]["catalog"]

    @property
    def log_lines(self) -> list[str]:
        return [message["log"]["message"] for message in self.of_type("LOG")]


def run(
    command: str,
    config: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    state: Any = None,
    *,
    raw_state: str | None = None,
    clock: str | None = None,
) -> Output:
    """`source-usage <command>` with the given inputs; `raw_state` is written to the state file as is; `clock`
    (an ISO moment, UTC) moves the connector's own clock there first (clock.py)."""
    with tempfile.TemporaryDirectory(prefix="source-usage-") as directory:
        args = [sys.executable, str(CLOCK), clock, command] if clock else [COMMAND, command]
        inputs = {"config": config, "catalog": catalog}
        if state is not None:
            inputs["state"] = state
        for name, value in inputs.items():
            if value is not None:
                args += [f"--{name}", _write(Path(directory) / f"{name}.json", json.dumps(value))]
        if raw_state is not None:
            args += ["--state", _write(Path(directory) / "state.json", raw_state)]
        completed = subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            check=False,
        )
    return parsed(completed.returncode, completed.stdout, completed.stderr)


def parsed(returncode: int, stdout: str, stderr: str) -> Output:
    """The Output of a run that exited with `returncode` and printed `stdout` and `stderr`."""
    output = Output(returncode=returncode, stderr=stderr)
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            output.unparsed.append(line)
            continue
        if isinstance(message, dict):
            output.messages.append(message)
        else:
            output.unparsed.append(line)
    return output


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def configured_catalog(
    catalog: dict[str, Any], streams: list[str] | None = None, *, incremental: bool = True
) -> dict[str, Any]:
    """A configured catalog of the discovered `streams` (all when None): incremental where supported."""
    by_name = {stream["name"]: stream for stream in catalog["streams"]}
    unknown = set(streams or []) - set(by_name)
    assert not unknown, f"discover does not report {sorted(unknown)}"
    configured = []
    for name in streams or list(by_name):
        stream = by_name[name]
        is_incremental = incremental and "incremental" in stream["supported_sync_modes"]
        configured.append(
            {
                "stream": stream,
                "sync_mode": "incremental" if is_incremental else "full_refresh",
                "destination_sync_mode": "append_dedup" if is_incremental else "overwrite",
                "cursor_field": stream.get("default_cursor_field", []) if is_incremental else [],
                "primary_key": stream.get("source_defined_primary_key", []),
            }
        )
    return {"streams": configured}


def discover_catalog(config: dict[str, Any], streams: list[str] | None = None) -> dict[str, Any]:
    """Run `discover` and configure its `streams` (all when None) incrementally where supported."""
    discovered = run("discover", config)
    assert discovered.returncode == 0 and not discovered.errors, discovered.errors or discovered.stderr
    return configured_catalog(discovered.catalog, streams)


# Comparing records with the sandbox's ground truth

# Fields a sync adds that the ground truth cannot know: the time of the snapshot.
SYNC_TIME_FIELDS = {"credits": {"observed_at"}}


def comparable(stream: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record as the ground truth states it: no None values (the CDK omits them), no sync time."""
    omitted = SYNC_TIME_FIELDS.get(stream, set())
    return {name: value for name, value in record.items() if value is not None and name not in omitted}


def primary_keys(catalog: dict[str, Any]) -> dict[str, list[str]]:
    """Each configured stream's primary key fields."""
    return {
        configured["stream"]["name"]: [path[0] for path in configured["primary_key"]]
        for configured in catalog["streams"]
    }


def keyed(
    stream: str, records: list[dict[str, Any]], key: list[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Comparable records by primary key; a later record replaces an earlier one with the same key."""
    return {tuple(record.get(field) for field in key): comparable(stream, record) for record in records}


def assert_same_records(
    stream: str, got: list[dict[str, Any]], expected: list[dict[str, Any]], key: list[str]
) -> None:
    """`got` holds each primary key once, and exactly the records `expected` holds."""
    got_by_key, expected_by_key = keyed(stream, got, key), keyed(stream, expected, key)
    duplicated = len(got) - len(got_by_key)
    missing = sorted(set(expected_by_key) - set(got_by_key), key=str)
    extra = sorted(set(got_by_key) - set(expected_by_key), key=str)
    differing = [k for k in expected_by_key if k in got_by_key and got_by_key[k] != expected_by_key[k]]
    assert not (duplicated or missing or extra or differing), (
        f"{stream}: {duplicated} duplicated, {len(missing)} missing (first {missing[:3]}), "
        f"{len(extra)} extra (first {extra[:3]}), {len(differing)} differing"
        + (
            f"; first got {got_by_key[differing[0]]}, expected {expected_by_key[differing[0]]}"
            if differing
            else ""
        )
    )


def cursors(state: dict[str, Any]) -> dict[str, Any]:
    """A STREAM state's cursor values: one per partition (by its keys), or "" for a stream-wide cursor."""
    blob = state["stream"].get("stream_state") or {}
    if "states" not in blob:
        return {"": blob}
    found = {"": blob["state"]} if blob.get("state") else {}
    for entry in blob["states"]:
        partition = {name: value for name, value in entry["partition"].items() if name != "parent_slice"}
        found[json.dumps(partition, sort_keys=True)] = entry["cursor"]
    return found
