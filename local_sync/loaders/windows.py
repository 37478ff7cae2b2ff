"""The read loop shared by the loaders: the connector's records spooled unparsed, cut into windows at STATE
messages; a loader commits each window (its records up to a STATE, and that STATE) as one unit.

A crash or Ctrl-C keeps every committed window; records after the last STATE are read again next time.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_sync.connector.process import ConnectorFailed, Message
from local_sync.connector.progress import Progress
from local_sync.loaders import state_table

FLUSH_BYTES = 64 * 2**20
FLUSH_ENV = "LOCAL_SYNC_FLUSH_SECONDS"  # overrides a loader's flush_seconds (the tests commit often with it)
STREAM_PREFIX = b'{"type":"RECORD","record":{"stream":"'


class LoadFailed(Exception):
    """A record could not be stored as its stream's schema says; the message names the vendor and field."""


@dataclass
class Window:
    """The records and STATE messages received since the last hand-off; `spool` is the records' file."""

    spool: Path
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    complete_bytes: int = 0  # the spool up to the last STATE: what may be committed with `states`
    streams: set[str] = field(default_factory=set)  # the streams of the spool's records

    def __post_init__(self) -> None:
        self.file = open(self.spool, "wb")  # noqa: SIM115 - kept open while the window fills, closed by close()

    def close(self) -> None:
        """The spool cut at the last STATE, closed; None when it holds no complete record."""
        self.file.flush()
        self.file.truncate(self.complete_bytes)
        self.file.close()


class Committer:
    """Commits one window at a time in one thread of its own, so the connector's output is drained while the
    database works (one thread for every commit: a new thread per window grew the allocator's memory)."""

    def __init__(self, commit: Callable[[Path | None, dict[str, dict[str, Any]], set[str]], None]) -> None:
        self._commit = commit
        self._work: queue.Queue[tuple[Path | None, dict[str, dict[str, Any]], set[str]] | None] = queue.Queue()
        self._busy = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self.windows = 0

    @property
    def idle(self) -> bool:
        return not self._busy.is_set()

    def start(self, window: Window) -> None:
        """Hands `window` over (after the one being committed, if any); raises what an earlier commit raised."""
        self.wait()
        window.close()
        self._busy.set()
        self._work.put((window.spool if window.complete_bytes else None, window.states, window.streams))

    def _serve(self) -> None:
        while (job := self._work.get()) is not None:
            try:
                self._commit(*job)
                self.windows += 1
            except BaseException as error:  # noqa: BLE001 - raised again in the reading thread by wait()
                self._error = error
            finally:
                self._busy.clear()
                self._work.task_done()

    def wait(self) -> None:
        """Until the window handed over is committed; raises what its commit raised."""
        self._work.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def stop(self) -> None:
        self._work.put(None)
        self._thread.join()


class WindowedLoad(ABC):
    """One `source-usage read`, committed window by window: a window is handed to the committer at a STATE
    once `flush_seconds` passed since the last hand-off and the committer is idle."""

    flush_seconds = 1.0

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        if override := os.environ.get(FLUSH_ENV):
            try:
                self.flush_seconds = float(override)
            except ValueError:
                raise LoadFailed(f"{FLUSH_ENV} must be a number of seconds, not {override[:40]!r}.") from None

    @abstractmethod
    def commit(self, spool: Path | None, states: dict[str, dict[str, Any]], streams: set[str]) -> None:
        """Stores the records of `spool` (None when there are none; of `streams`) and `states` atomically."""

    def run(self, reader: Generator[Message, None, None], spool: Path) -> int:
        """Reads the connector's `read` until it ends; returns how many windows were committed. Raises on
        failure, after committing the records up to the last STATE received."""
        spools = [spool, spool.with_suffix(".next" + spool.suffix)]
        window = Window(spools[0])
        committer = Committer(self.commit)
        last = time.monotonic()
        try:
            for kind, message in reader:
                if kind == "RECORD":
                    window.file.write(message)  # type: ignore[arg-type]
                    name = _stream_name(message)  # type: ignore[arg-type]
                    window.streams.add(name)
                    self.progress.record(name)
                elif kind == "STATE":
                    state = message["state"]  # type: ignore[index]
                    window.states[state_table.stream_of(state)] = state
                    window.complete_bytes = window.file.tell()
                    due = time.monotonic() - last >= self.flush_seconds or window.complete_bytes >= FLUSH_BYTES
                    if due and committer.idle:
                        committer.start(window)
                        spools.reverse()
                        window, last = Window(spools[0]), time.monotonic()
                elif kind == "TRACE" and message["trace"].get("type") == "STREAM_STATUS":  # type: ignore[index]
                    status = message["trace"]["stream_status"]  # type: ignore[index]
                    self.progress.status(status["stream_descriptor"]["name"], status["status"])
            window.complete_bytes = window.file.tell()
            committer.start(window)
            committer.wait()
        except (ConnectorFailed, KeyboardInterrupt):
            reader.close()
            committer.wait()
            if window.states and not window.file.closed:
                committer.start(window)
                committer.wait()
            raise
        finally:
            reader.close()
            if not window.file.closed:
                window.file.close()
            committer.stop()
        return committer.windows


def _stream_name(line: bytes) -> str:
    if line.startswith(STREAM_PREFIX):
        end = line.find(b'"', len(STREAM_PREFIX))
        return line[len(STREAM_PREFIX) : end].decode()
    return json.loads(line)["record"]["stream"]
