"""Runs an Airbyte source as a child process (ours, or the bare-CDK baseline) and reads what it wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from benchmarks.measure import Measurement, run_measured

OURS = (sys.executable, "-m", "source_usage.run")


@dataclass
class ReadResult:
    measurement: Measurement
    records: Counter[str] = field(default_factory=Counter)
    state: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def configured_catalog(
    command: Sequence[str], config: dict[str, Any], workdir: Path, streams: Optional[Iterable[str]] = None
) -> dict[str, Any]:
    """`discover`, then every stream (or those named) incremental where it can be, else full refresh."""
    config_path = _write(workdir / "config.json", config)
    output = subprocess.run(
        [*command, "discover", "--config", str(config_path)], capture_output=True, text=True, check=True
    ).stdout
    wanted = set(streams) if streams else None
    configured = []
    for line in output.splitlines():
        message = json.loads(line) if line.startswith("{") else {}
        for stream in (message.get("catalog") or {}).get("streams", []):
            if wanted is not None and stream["name"] not in wanted:
                continue
            incremental = "incremental" in stream.get("supported_sync_modes", [])
            configured.append(
                {
                    "stream": stream,
                    "sync_mode": "incremental" if incremental else "full_refresh",
                    "destination_sync_mode": "append",
                    "cursor_field": stream.get("default_cursor_field") or [],
                    "primary_key": stream.get("source_defined_primary_key") or [],
                }
            )
    if not configured:
        raise RuntimeError(f"discover found no streams to read: {output[-2000:]}")
    return {"streams": configured}


def read(
    command: Sequence[str],
    config: dict[str, Any],
    catalog: dict[str, Any],
    workdir: Path,
    state: Optional[list[dict[str, Any]]] = None,
    name: str = "read",
) -> ReadResult:
    """`read` measured; the output is parsed afterwards, outside the measurement."""
    arguments = [
        *command,
        "read",
        "--config",
        str(_write(workdir / f"{name}.config.json", config)),
        "--catalog",
        str(_write(workdir / f"{name}.catalog.json", catalog)),
    ]
    if state is not None:
        arguments += ["--state", str(_write(workdir / f"{name}.state.json", state))]
    output = workdir / f"{name}.out.jsonl"
    result = ReadResult(run_measured(arguments, output))
    streams_state: dict[str, dict[str, Any]] = {}
    with open(output, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith('{"type":"RECORD"') or line.startswith('{"type": "RECORD"'):
                result.records[json.loads(line)["record"]["stream"]] += 1
            elif '"type":"STATE"' in line or '"type": "STATE"' in line:
                message = json.loads(line)["state"]
                if message.get("type") == "STREAM":
                    streams_state[message["stream"]["stream_descriptor"]["name"]] = {
                        "type": "STREAM",
                        "stream": {
                            "stream_descriptor": message["stream"]["stream_descriptor"],
                            "stream_state": message["stream"]["stream_state"],
                        },
                    }
            elif '"type":"TRACE"' in line and '"error"' in line:
                result.errors.append(json.loads(line)["trace"]["error"].get("message", ""))
    result.state = list(streams_state.values())
    if result.measurement.returncode != 0 and not result.errors:
        result.errors.append(f"exit code {result.measurement.returncode}")
    return result
