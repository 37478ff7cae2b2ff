"""Run `source-usage` as a child process against the sandbox, read what it says, compare it with the truth.

Every run is a separate process that gets the command line `source-usage` would get and writes the Airbyte
protocol to its own stdout, so a test can kill it with SIGKILL at any message. By default the process is
forked from a server that has already imported the connector (the import costs ~3 s of CPU, the small syncs
of these tests far less); `SYNCING_EXEC=1` (or `exec_=True`) runs the installed console script instead.
The child ends the way the interpreter ends a script: uncaught exceptions go through `sys.excepthook`,
then non-daemon threads are joined and atexit handlers run. `protocol.py` runs the console script too,
but whole and without kills; its `comparable` is reused here.

Also here: comparing records with the ground truth, the kill points of crash tests, sandboxes of a test's
own, and scenarios computed once per test session in background threads (pytest-xdist's loadgroup does not
keep a module's tests on one worker here, so module fixtures would run once per worker).
"""

from __future__ import annotations

import json
import os
import pickle
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
from protocol import comparable

from usage_sandbox import credentials

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCHEMAS = ROOT / "schemas"
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "accounts": ("id",),
    "api_usage": ("account_id", "period", "endpoint_path", "http_method"),
    "credits": ("account_id",),
    "api_transactions": ("account_id", "period_type", "date", "api"),
    "daily_usage": ("date",),
    "contracts": ("id",),
    "contract_consumption": ("contract_id", "date"),
    "daily_consumption": ("contract_id", "date"),
    "leaf_users": ("id",),
    "leaf_user_consumption": ("contract_id", "leaf_user_id", "date"),
}
CURSORS = {
    "api_usage": "period",
    "api_transactions": "date",
    "daily_usage": "date",
    "contract_consumption": "date",
    "daily_consumption": "date",
    "leaf_user_consumption": "date",
}
VENDOR_STREAMS = {
    "leadfeeder": ("accounts", "api_usage"),
    "insideview": ("credits", "api_transactions"),
    "whitepages": ("daily_usage",),
    "leaf": ("contracts", "contract_consumption", "daily_consumption", "leaf_users", "leaf_user_consumption"),
}
# The sandbox's secrets: what `airbyte_secret` marks in the spec, in the config the `sandbox` fixture builds.
SANDBOX_SECRETS = (
    credentials.LEADFEEDER_API_KEY,
    credentials.INSIDEVIEW_CLIENT_SECRET,
    credentials.WHITEPAGES_API_KEY,
    credentials.LEAF_PASSWORD,
)
DEFAULT_TIMEOUT_SECONDS = 120.0
SANDBOX_START_SECONDS = 90.0

Records = dict[str, list[dict[str, Any]]]
Keyed = dict[str, dict[tuple[Any, ...], dict[str, Any]]]
KillWhen = Callable[[int, dict[str, Any]], bool]


# What a run wrote, and what a destination keeps of it


@dataclass
class Run:
    """What one `source-usage` process wrote, and how it ended."""

    args: list[str]
    messages: list[dict[str, Any]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    seconds: float = 0.0
    killed: bool = False
    hung: bool = False

    @property
    def text(self) -> str:
        return self.stdout + self.stderr

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0 and not self.killed and not self.hung and not self.errors()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.messages if message.get("type") == kind]

    def records(self) -> Records:
        """Records per stream, in the order emitted."""
        found: Records = {}
        for message in self.of_type("RECORD"):
            record = message["record"]
            found.setdefault(record["stream"], []).append(record["data"])
        return found

    def states(self) -> list[dict[str, Any]]:
        """The STATE messages' `state` objects, in order."""
        return [message["state"] for message in self.of_type("STATE")]

    def last_states(self) -> dict[str, dict[str, Any]]:
        """The last state of each stream, as a STREAM state message to pass back with --state."""
        last: dict[str, dict[str, Any]] = {}
        for state in self.states():
            stream = state["stream"]
            last[stream["stream_descriptor"]["name"]] = {"type": "STREAM", "stream": stream}
        return last

    def errors(self) -> list[dict[str, Any]]:
        """The `error` objects of TRACE ERROR messages."""
        return [m["trace"]["error"] for m in self.of_type("TRACE") if m["trace"].get("type") == "ERROR"]

    def error_messages(self) -> list[str]:
        return [error.get("message") or "" for error in self.errors()]

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

    def catalog(self) -> dict[str, Any]:
        return self.of_type("CATALOG")[0]["catalog"]

    def connection_status(self) -> dict[str, Any]:
        return self.of_type("CONNECTION_STATUS")[0]["connectionStatus"]

    def describe(self) -> str:
        """A short account of the run for assertion messages."""
        tail = "\n".join(self.text.splitlines()[-15:])
        return (
            f"source-usage {' '.join(self.args[:1])}: exit {self.exit_code}, killed={self.killed}, "
            f"hung={self.hung}, {self.seconds:.1f} s, errors={self.error_messages()}\n{tail}"
        )


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
        return run.records()
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


# Kill points


@dataclass
class KillPoint:
    stream: str
    nth: int  # kill right after the nth RECORD or STATE message of the stream


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


# Comparing with the ground truth


def key_of(stream: str, record: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(record.get(name) for name in PRIMARY_KEYS[stream])


def merge(*record_sets: Records) -> Keyed:
    """Records merged by primary key as a deduplicating destination does: the later record wins."""
    merged: Keyed = {}
    for records in record_sets:
        for stream, rows in records.items():
            target = merged.setdefault(stream, {})
            for row in rows:
                target[key_of(stream, row)] = comparable(stream, row)
    return merged


def duplicated_keys(records: Records) -> dict[str, list[tuple[Any, ...]]]:
    """Primary keys that one run emitted more than once, per stream."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for stream, rows in records.items():
        seen: set[tuple[Any, ...]] = set()
        for row in rows:
            key = key_of(stream, row)
            if key in seen:
                found.setdefault(stream, []).append(key)
            seen.add(key)
    return found


def differences(got: Keyed, truth: Records, streams: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per stream, the keys missing, the keys that should not be there and the records that differ."""
    found: dict[str, dict[str, Any]] = {}
    for stream in streams:
        expected = {key_of(stream, row): comparable(stream, row) for row in truth.get(stream, [])}
        actual = got.get(stream, {})
        missing = sorted(set(expected) - set(actual), key=repr)
        extra = sorted(set(actual) - set(expected), key=repr)
        changed = [
            (key, expected[key], actual[key])
            for key in expected
            if key in actual and expected[key] != actual[key]
        ]
        if missing or extra or changed:
            found[stream] = {
                "missing": missing[:5],
                "extra": extra[:5],
                "changed": changed[:3],
                "counts": (len(missing), len(extra), len(changed)),
            }
    return found


def schema_violations(records: Records) -> list[str]:
    """One line per record that breaks its stream's JSON Schema."""
    found = []
    for stream, rows in records.items():
        validator = _validator(stream)
        for row in rows:
            for error in validator.iter_errors(row):
                found.append(f"{stream}: {error.message} in {json.dumps(row)[:200]}")
    return found


_VALIDATORS: dict[str, jsonschema.protocols.Validator] = {}


def _validator(stream: str) -> jsonschema.protocols.Validator:
    if stream not in _VALIDATORS:
        schema = json.loads((SCHEMAS / f"{stream}.json").read_text())
        cls = jsonschema.validators.validator_for(schema)
        _VALIDATORS[stream] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return _VALIDATORS[stream]


def leaks(text: str, secrets: Iterable[str] = SANDBOX_SECRETS) -> list[str]:
    """The secrets that appear in the text."""
    return [secret for secret in secrets if secret and secret in text]


# Catalogs and runs


def catalog(streams: Iterable[str], full_refresh: bool = False) -> dict[str, Any]:
    """A configured catalog of the streams: incremental where a stream has a cursor, unless full_refresh."""
    configured = []
    for name in streams:
        cursor = CURSORS.get(name)
        modes = ["full_refresh", "incremental"] if cursor else ["full_refresh"]
        incremental = bool(cursor) and not full_refresh
        stream: dict[str, Any] = {
            "name": name,
            "json_schema": json.loads((SCHEMAS / f"{name}.json").read_text()),
            "supported_sync_modes": modes,
            "source_defined_primary_key": [[key] for key in PRIMARY_KEYS[name]],
        }
        if cursor:
            stream.update(source_defined_cursor=True, default_cursor_field=[cursor])
        configured.append(
            {
                "stream": stream,
                "sync_mode": "incremental" if incremental else "full_refresh",
                "destination_sync_mode": "append_dedup" if incremental else "overwrite",
                "primary_key": [[key] for key in PRIMARY_KEYS[name]],
                **({"cursor_field": [cursor]} if incremental else {}),
            }
        )
    return {"streams": configured}


def streams_of(*vendors: str) -> list[str]:
    return [stream for vendor in vendors or VENDOR_STREAMS for stream in VENDOR_STREAMS[vendor]]


def read(
    config: Mapping[str, Any],
    streams: Iterable[str] | None = None,
    state: Iterable[Mapping[str, Any]] | None = None,
    **options: Any,
) -> Run:
    """`source-usage read` of the streams (every stream of the configured vendors when None)."""
    names = (
        list(streams) if streams is not None else streams_of(*[v for v in VENDOR_STREAMS if config.get(v)])
    )
    return run_connector("read", config=config, catalog=catalog(names), state=list(state or []), **options)


def run_connector(
    command: str,
    config: Any = None,
    catalog: Any = None,
    state: Any = None,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    kill_when: KillWhen | None = None,
    exec_: bool = False,
    raw_files: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Run:
    """Run `source-usage COMMAND` with the given inputs written to files (raw_files: text written as is).

    The process is killed (and the run marked `hung`) after `timeout` seconds; `kill_when(index, message)`
    is asked after each message and a True kills the process with SIGKILL, the messages it had already
    written still being read.
    """
    folder = Path(tempfile.mkdtemp(prefix="source-usage-run-"))
    try:
        args = [command]
        inputs = {"config": config, "catalog": catalog, "state": state}
        for name, value in inputs.items():
            if raw_files and name in raw_files:
                (folder / f"{name}.json").write_text(raw_files[name])
            elif value is None:
                continue
            else:
                (folder / f"{name}.json").write_text(json.dumps(value))
            args += [f"--{name}", str(folder / f"{name}.json")]
        use_exec = exec_ or os.environ.get("SYNCING_EXEC") == "1" or env is not None
        return _run(args, folder, timeout, kill_when, use_exec, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(
    args: list[str],
    folder: Path,
    timeout: float,
    kill_when: KillWhen | None,
    use_exec: bool,
    env: Mapping[str, str] | None,
) -> Run:
    err_path = folder / "stderr.txt"
    started = time.monotonic()
    process = _Exec(args, err_path, env) if use_exec else _Fork(args, err_path)
    run = Run(args=args)
    pending = b""
    chunks: list[bytes] = []
    deadline = started + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.hung = True
                process.kill()
                break
            ready, _, _ = select.select([process.fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(process.fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                message = _parse(line)
                if message is None:
                    continue
                run.messages.append(message)
                if not run.killed and kill_when is not None and kill_when(len(run.messages) - 1, message):
                    run.killed = True
                    process.kill()
        if pending.strip() and (message := _parse(pending)) is not None:
            run.messages.append(message)
        run.exit_code = process.wait(max(1.0, deadline - time.monotonic()))
        if run.exit_code is None:
            run.hung = True
    finally:
        process.close()
    run.seconds = time.monotonic() - started
    run.stdout = b"".join(chunks).decode("utf-8", errors="replace")
    run.stderr = err_path.read_text(errors="replace") if err_path.exists() else ""
    if run.killed and run.exit_code == -signal.SIGKILL:
        run.exit_code = None
    return run


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) and "type" in message else None


# Sandboxes of a test's own


@contextmanager
def private_sandbox(seed: int, size: str, today: str, access_log: Path | None = None) -> Iterator[Any]:
    """A sandbox of its own (the conftest's `Sandbox` API), for a test that runs scenarios side by side;
    with `access_log`, every request line it serves is logged to that file."""
    from conftest import Sandbox

    command = [sys.executable, "-m", "usage_sandbox", "serve", "--port", "0", "--seed", str(seed)]
    command += ["--size", size, "--today", today] + (["--verbose"] if access_log else [])
    env = {**os.environ, "PYTHONPATH": _path_with(ROOT)}
    log = access_log.open("wb") if access_log else subprocess.DEVNULL
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], SANDBOX_START_SECONDS)
        line = process.stdout.readline().decode() if ready else ""
        if "http://" not in line:
            raise RuntimeError(f"usage-sandbox did not start: {line!r}")
        yield Sandbox(line.strip().rsplit(" ", 1)[-1], seed, size, today)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        if access_log:
            log.close()


@contextmanager
def logged_sandbox(seed: int, size: str, today: str) -> Iterator[tuple[Any, Path]]:
    """A private sandbox and the file its access log goes to, one line per request, removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="usage-sandbox-log-"))
    try:
        with private_sandbox(seed, size, today, access_log=folder / "access.log") as box:
            yield box, folder / "access.log"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Scenarios computed once per test session


@dataclass(frozen=True)
class Settings:
    """The sandbox a scenario imitates in a sandbox of its own: the session sandbox's seed, size and today."""

    seed: int
    size: str
    today: str

    @classmethod
    def of(cls, sandbox: Any) -> Settings:
        return cls(sandbox.seed, sandbox.size, sandbox.default_today)


Job = Callable[[Settings], Any]
_JOBS: dict[str, tuple[str, Job]] = {}
_THREADS: list[threading.Thread] = []
RESULT_TIMEOUT_SECONDS = 900.0


def register(name: str, job: Job, module: str) -> None:
    """A scenario to compute once per test session for the tests of `module`, which registers it."""
    _JOBS[name] = (module, job)


def shared_folder(tmp_path_factory: Any) -> Path:
    """A folder every pytest-xdist worker of this session sees (the session's own temp folder alone)."""
    base = Path(tmp_path_factory.getbasetemp())
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "scenarios"
    folder.mkdir(exist_ok=True)
    return folder


def start_all(folder: Path, settings: Settings, session: Any) -> None:
    """Starts, in background threads, every registered scenario that a selected test of the pytest session
    needs and no worker has claimed yet.

    The scenarios mostly wait (for retries, backoff, stalls), so running them all side by side costs about
    the longest one, whichever test needs them first, while the worker goes on with other tests.
    """
    selected = {getattr(getattr(item, "module", None), "__name__", None) for item in session.items}
    for name, (module, job) in _JOBS.items():
        if module not in selected:
            continue
        try:
            os.close(os.open(folder / f"{name}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        thread = threading.Thread(target=_compute, args=(folder, name, job, settings), name=name)
        thread.start()
        _THREADS.append(thread)


@contextmanager
def scenarios_started(sandbox: Any, tmp_path_factory: Any, session: Any) -> Iterator[Path]:
    """The shared folder with every scenario the session needs started (`start_all`); on leaving, waits for
    the scenarios this worker computes (`join_all`). For session fixtures: `with ... as folder: yield ...`."""
    folder = shared_folder(tmp_path_factory)
    start_all(folder, Settings.of(sandbox), session)
    yield folder
    join_all()


def _compute(folder: Path, name: str, job: Job, settings: Settings) -> None:
    try:
        outcome: tuple[bool, Any] = (True, job(settings))
    except BaseException:  # noqa: BLE001 - handed to the test that asks for the result
        outcome = (False, traceback.format_exc())
    partial = folder / f"{name}.pickle.partial"
    partial.write_bytes(pickle.dumps(outcome))
    partial.rename(folder / f"{name}.pickle")


def result(folder: Path, name: str, timeout: float = RESULT_TIMEOUT_SECONDS) -> Any:
    """The scenario's result, once whichever worker claimed it has computed it."""
    path = folder / f"{name}.pickle"
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"scenario {name} has no result after {timeout} s")
        time.sleep(0.2)
    ok, value = pickle.loads(path.read_bytes())
    if not ok:
        raise RuntimeError(f"scenario {name} failed:\n{value}")
    return value


def join_all() -> None:
    """Waits for the scenarios this worker computes, so it outlives them (other workers read them)."""
    for thread in _THREADS:
        thread.join()


# The processes


def _path_with(folder: Path) -> str:
    return os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))


class _Exec:
    """The installed console script."""

    def __init__(self, args: list[str], err_path: Path, env: Mapping[str, str] | None) -> None:
        script = Path(sys.executable).with_name("source-usage")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "source_usage.run"]
        self._err = err_path.open("wb")
        self._process = subprocess.Popen(
            command + args,
            stdout=subprocess.PIPE,
            stderr=self._err,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
        )
        assert self._process.stdout is not None
        self.fd = self._process.stdout.fileno()

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)

    def wait(self, timeout: float) -> int | None:
        try:
            return self._process.wait(timeout)
        except Exception:  # noqa: BLE001 - a process that will not end is killed and reported as hung
            self.kill()
            self._process.wait()
            return None

    def close(self) -> None:
        self.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._err.close()


class _Zygote:
    """A process that imported the connector once and forks a child per run (`python -m syncing` runs one)."""

    _lock = threading.Lock()
    _instance: _Zygote | None = None

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": _path_with(HERE)}
        self._process = subprocess.Popen([sys.executable, "-m", "syncing"], stdin=theirs, env=env, cwd=ROOT)
        theirs.close()
        self._socket = ours
        self._replies = ours.makefile("rb")

    @classmethod
    def shared(cls) -> _Zygote:
        with cls._lock:
            if cls._instance is None or cls._instance._process.poll() is not None:
                cls._instance = cls()
            return cls._instance

    def fork(self, args: list[str], fds: list[int]) -> int:
        """Starts `source-usage ARGS` with fds as its stdout, stderr and exit-code pipe; returns its pid."""
        with self._lock:
            socket.send_fds(self._socket, [json.dumps(args).encode() + b"\n"], fds)
            reply = self._replies.readline()
        if not reply:
            raise RuntimeError("the syncing zygote died; run with SYNCING_EXEC=1 to see why")
        return int(reply)


class _Fork:
    """A child forked from the zygote; its exit code arrives on a pipe, nothing arrives if it was killed."""

    def __init__(self, args: list[str], err_path: Path) -> None:
        out_r, out_w = os.pipe()
        code_r, code_w = os.pipe()
        err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            self.pid = _Zygote.shared().fork(args, [out_w, err, code_w])
        finally:
            for fd in (out_w, err, code_w):
                os.close(fd)
        self.fd, self._code = out_r, code_r
        self._exit: int | None = None

    def kill(self) -> None:
        if self._exit is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float) -> int | None:
        ready, _, _ = select.select([self._code], [], [], timeout)
        if not ready:
            self.kill()
            return None
        text = os.read(self._code, 64).decode().strip()
        self._exit = int(text) if text else -signal.SIGKILL
        return self._exit

    def close(self) -> None:
        if self._exit is None:
            self.kill()
        os.close(self.fd)
        os.close(self._code)


def _serve() -> None:
    """The zygote: import the connector, then fork one child per job read from the socket on stdin."""
    import source_usage.run  # noqa: F401 - imported once here, inherited by every child

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    jobs = socket.socket(fileno=0)
    while True:
        message, fds, _, _ = socket.recv_fds(jobs, 65536, 3)
        if not message:
            return
        pid = os.fork()
        if pid == 0:
            jobs.close()
            _child(json.loads(message), *fds)
        for fd in fds:
            os.close(fd)
        jobs.sendall(f"{pid}\n".encode())


def _child(args: list[str], out: int, err: int, code_pipe: int) -> None:
    """`source-usage ARGS` in this forked process, ending as the interpreter ends a script."""
    import atexit

    from source_usage.run import run

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((devnull, 0), (out, 1), (err, 2)):
        os.dup2(source, target)
        os.close(source)
    sys.argv = ["source-usage", *args]
    code = 0
    try:
        run(args)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        sys.excepthook(*sys.exc_info())
        code = 1
    threading._shutdown()  # type: ignore[attr-defined] - the interpreter's own wait for non-daemon threads
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(code_pipe, f"{code}\n".encode())
    os._exit(code)


if __name__ == "__main__":
    _serve()
