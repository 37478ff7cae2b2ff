"""Run the installed `source-usage` command as Airbyte does and read what it wrote with the CDK's EntrypointOutput.

Each run is its own process that gets the command line Airbyte would give it, its inputs written to files, so a
test can kill it with SIGKILL after any message, or move its clock (adjusted.py); under pytest it is forked from a
process that has imported the connector once (warm_start.py), saving the ~2.4 s of CPU of each start. `Run` is the CDK's
`EntrypointOutput` of the process's stdout (its typed messages: `errors`, `state_messages`, `most_recent_state`,
...), with how the process ended and the messages as the JSON they were (`messages`, `of_type`, `record_data`).
"""

from __future__ import annotations

import copy
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput

from integration_tests import discovered
from integration_tests.warm_start import WarmProcess

SCRIPT = Path(sys.executable).with_name("source-usage")
ADJUSTED = Path(__file__).with_name("adjusted.py")
DEFAULT_TIMEOUT_SECONDS = 120.0
KillWhen = Callable[[int, dict[str, Any]], bool]


class Run(EntrypointOutput):
    """What one `source-usage` process wrote, as the CDK reads it, and how the process ended."""

    def __init__(
        self,
        args: list[str],
        stdout: str,
        stderr: str,
        exit_code: int | None,
        *,
        seconds: float = 0.0,
        killed: bool = False,
        hung: bool = False,
    ) -> None:
        lines = [line for line in stdout.splitlines() if line.strip()]
        super().__init__(messages=lines, command=["source-usage", *args], stderr=stderr)
        self.args, self.stdout, self.exit_code = args, stdout, exit_code
        self.seconds, self.killed, self.hung = seconds, killed, hung
        # the JSON as written: the CDK's reading turns integers beyond 64 bits into floats
        self.messages: list[dict[str, Any]] = [message for line in lines if (message := _parse(line)) is not None]

    @property
    def text(self) -> str:
        return self.stdout + (self.stderr or "")

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0 and not self.killed and not self.hung and not self.errors

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.messages if message.get("type") == kind]

    def record_data(self) -> dict[str, list[dict[str, Any]]]:
        """Record data per stream, in the order emitted."""
        found: dict[str, list[dict[str, Any]]] = {}
        for message in self.of_type("RECORD"):
            found.setdefault(message["record"]["stream"], []).append(message["record"]["data"])
        return found

    def states(self) -> list[dict[str, Any]]:
        """The STATE messages' `state` objects, in order."""
        return [message["state"] for message in self.of_type("STATE")]

    def last_states(self) -> dict[str, dict[str, Any]]:
        """Each stream's last `state`: what Airbyte passes to the next sync with --state."""
        return {state["stream"]["stream_descriptor"]["name"]: state for state in self.states()}

    @property
    def final_states(self) -> list[dict[str, Any]]:
        return list(self.last_states().values())

    def trace_errors(self) -> list[dict[str, Any]]:
        """The `error` objects of TRACE ERROR messages."""
        return [m["trace"]["error"] for m in self.of_type("TRACE") if m["trace"].get("type") == "ERROR"]

    def error_messages(self) -> list[str]:
        return [error.get("message") or "" for error in self.trace_errors()]

    def statuses(self) -> dict[str, list[str]]:
        """Each stream's STREAM_STATUS values, in order."""
        found: dict[str, list[str]] = {}
        for message in self.of_type("TRACE"):
            status = message["trace"].get("stream_status")
            if message["trace"].get("type") == "STREAM_STATUS" and status:
                found.setdefault(status["stream_descriptor"]["name"], []).append(status["status"])
        return found

    def completed_streams(self) -> set[str]:
        return {name for name, statuses in self.statuses().items() if statuses[-1] == "COMPLETE"}

    def spec(self) -> dict[str, Any]:
        return self.of_type("SPEC")[0]["spec"]

    def discovered_catalog(self) -> dict[str, Any]:
        catalogs = self.of_type("CATALOG")
        assert len(catalogs) == 1, f"expected one CATALOG, got {len(catalogs)}: {self.describe()}"
        return catalogs[0]["catalog"]

    def connection_status(self) -> dict[str, Any]:
        statuses = self.of_type("CONNECTION_STATUS")
        assert len(statuses) == 1, f"expected one CONNECTION_STATUS, got {statuses}: {self.describe()}"
        return statuses[0]["connectionStatus"]

    def describe(self) -> str:
        """A short account of the run for assertion messages."""
        tail = "\n".join(self.text.splitlines()[-15:])
        return (
            f"source-usage {' '.join(self.args[:1])}: exit {self.exit_code}, killed={self.killed}, "
            f"hung={self.hung}, {self.seconds:.1f} s, errors={self.error_messages()}\n{tail}"
        )


# Catalogs


def configured_catalog(
    catalog: Mapping[str, Any], streams: Iterable[str] | None = None, *, incremental: bool = True
) -> dict[str, Any]:
    """A configured catalog of the discovered `streams` (all when None): incremental where supported."""
    by_name = {stream["name"]: stream for stream in catalog["streams"]}
    names = list(streams) if streams is not None else list(by_name)
    unknown = set(names) - set(by_name)
    assert not unknown, f"discover does not report {sorted(unknown)}"
    configured = []
    for name in names:
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


def catalog(streams: Iterable[str], full_refresh: bool = False) -> dict[str, Any]:
    """A configured catalog of the streams as the connector discovers them: incremental where it can be."""
    found = {"streams": copy.deepcopy(list(discovered.streams().values()))}  # a test may change its copy
    return configured_catalog(found, streams, incremental=not full_refresh)


def discover_catalog(
    config: Mapping[str, Any], streams: Iterable[str] | None = None, clock: str | None = None
) -> dict[str, Any]:
    """Run `discover` with the config (the connector's clock at `clock`, when given) and configure its `streams`
    (all when None), incremental where supported."""
    found = run_connector("discover", config=config, clock=clock)
    assert found.exit_code == 0 and not found.errors, found.describe()
    return configured_catalog(found.discovered_catalog(), streams)


def streams_of(*vendors: str) -> list[str]:
    """The streams of the vendors (of all vendors when none are named)."""
    return [stream for vendor in vendors or discovered.VENDOR_STREAMS for stream in discovered.VENDOR_STREAMS[vendor]]


def cursors(state: Mapping[str, Any]) -> dict[str, Any]:
    """A STREAM state's cursor values: one per partition (by its keys), or "" for a stream-wide cursor."""
    blob = state["stream"].get("stream_state") or {}
    if "states" not in blob:
        return {"": blob}
    found = {"": blob["state"]} if blob.get("state") else {}
    for entry in blob["states"]:
        partition = {name: value for name, value in entry["partition"].items() if name != "parent_slice"}
        found[json.dumps(partition, sort_keys=True)] = entry["cursor"]
    return found


# Runs


def read(
    config: Mapping[str, Any],
    streams: Iterable[str] | None = None,
    state: Iterable[Mapping[str, Any]] | None = None,
    **options: Any,
) -> Run:
    """`source-usage read` of the streams (every stream of the configured vendors when None)."""
    configured = [vendor for vendor in discovered.VENDOR_STREAMS if config.get(vendor)]
    names = list(streams) if streams is not None else streams_of(*configured)
    return run_connector("read", config=config, catalog=catalog(names), state=list(state or []), **options)


def run_connector(
    command: str,
    config: Any = None,
    catalog: Any = None,
    state: Any = None,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    kill_when: KillWhen | None = None,
    raw_files: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    clock: str | None = None,
    instant_waits: bool = False,
) -> Run:
    """`source-usage COMMAND` with the given inputs written to files (raw_files: text written as is).

    The process is killed (and the run marked `hung`) after `timeout` seconds; `kill_when(index, message)` is
    asked after each message and a True kills the process with SIGKILL, the messages it had already written
    still being read. `clock` (an ISO moment, UTC) starts the connector's clock there and `instant_waits` makes
    its backoff return at once (adjusted.py).
    """
    with tempfile.TemporaryDirectory(prefix="source-usage-run-") as directory:
        folder = Path(directory)
        args = [command]
        for name, value in {"config": config, "catalog": catalog, "state": state}.items():
            if raw_files and name in raw_files:
                (folder / f"{name}.json").write_text(raw_files[name])
            elif value is None:
                continue
            else:
                (folder / f"{name}.json").write_text(json.dumps(value))
            args += [f"--{name}", str(folder / f"{name}.json")]
        err_path = folder / "stderr.txt"
        err_path.touch()
        started = time.monotonic()
        process = _start(args, err_path, env, clock, instant_waits)
        return _read(process, args, err_path, started, timeout, kill_when)


def _start(
    args: list[str], err_path: Path, env: Mapping[str, str] | None, clock: str | None, instant_waits: bool = False
) -> Any:
    """The console script (or adjusted.py, when the clock is moved or the backoff skipped) as a new process; with
    CONNECTOR_RUNS_WARM=1 (the tests' conftest sets it), a run in this process's own environment is a child forked
    from a process that has imported the connector once (warm_start.py), adjusted there."""
    if env is None and os.environ.get("CONNECTOR_RUNS_WARM") == "1":
        return WarmProcess(args, err_path, clock, instant_waits)
    program = [str(SCRIPT)]
    if clock or instant_waits:
        program = [sys.executable, str(ADJUSTED), *(["--clock", clock] if clock else [])]
        program += ["--instant-waits"] if instant_waits else []
    with err_path.open("wb") as err:
        return subprocess.Popen(
            program + args, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
        )  # fmt: skip


def _read(
    process: Any, args: list[str], err_path: Path, started: float, timeout: float, kill_when: KillWhen | None
) -> Run:
    """Reads the process's stdout until it ends, killing it when `kill_when` says so or at the deadline."""
    deadline = started + timeout
    assert process.stdout is not None
    chunks: list[bytes] = []
    pending, count, killed, hung = b"", 0, False, False
    with process.stdout as stdout:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                hung = True
                break
            ready, _, _ = select.select([stdout], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(stdout.fileno(), 65536)
            if not chunk:
                break
            chunks.append(chunk)
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines if kill_when is not None and not killed else ():
                message = _parse(line)
                if message is None:
                    continue
                if kill_when(count, message):
                    killed = True
                    process.kill()
                    break
                count += 1
    if hung:
        process.kill()
    try:
        exit_code: int | None = process.wait(max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:  # it closed its stdout but does not end
        hung = True
        process.kill()
        process.wait()
    if hung:
        exit_code = None
    if killed and exit_code == -signal.SIGKILL:
        exit_code = None
    stdout_text = b"".join(chunks).decode("utf-8", errors="replace")
    stderr_text = err_path.read_text(errors="replace")
    seconds = time.monotonic() - started
    return Run(args, stdout_text, stderr_text, exit_code, seconds=seconds, killed=killed, hung=hung)


def _parse(line: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) and "type" in message else None
