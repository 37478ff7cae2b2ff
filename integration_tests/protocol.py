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
) -> Output:
    """`source-usage <command>` with the given inputs; `raw_state` is written to the state file as is."""
    with tempfile.TemporaryDirectory(prefix="source-usage-") as directory:
        args = [COMMAND, command]
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
    output = Output(returncode=completed.returncode, stderr=completed.stderr)
    for line in completed.stdout.splitlines():
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
