"""The sandbox as a child process: `usage-sandbox serve --port 0` started, waited for until healthy, stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import requests

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


class SandboxStartError(RuntimeError):
    """The sandbox did not come up; the message says why and names its log when it has one."""


class SandboxServer:
    """`with SandboxServer(seed, size, today) as server:` serves the four vendors at `server.url`.

    `log_path` receives the server's stderr (appended; inherited when None), `extra_args` go after the
    `serve` options (`--verbose`, `--latency-ms 5`, ...), and `cwd`, when given, is where the server runs
    and what is put first on its PYTHONPATH (a source checkout that is not installed).
    """

    def __init__(
        self,
        seed: int = 42,
        size: str = "small",
        today: str | None = None,
        *,
        extra_args: Sequence[str] = (),
        log_path: Path | None = None,
        cwd: Path | None = None,
        start_timeout: float = START_TIMEOUT_SECONDS,
    ) -> None:
        self.seed, self.size, self.today = seed, size, today
        self.extra_args, self.log_path, self.cwd = list(extra_args), log_path, cwd
        self.start_timeout = start_timeout
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        """The server's process id, 0 before it started."""
        return self._process.pid if self._process else 0

    @property
    def running(self) -> bool:
        """Whether the server's process is alive."""
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        """The command line that starts the server."""
        command = [sys.executable, "-m", "usage_sandbox", "serve", "--port", "0"]
        command += ["--seed", str(self.seed), "--size", self.size]
        command += ["--today", self.today] if self.today else []
        return command + self.extra_args

    def start(self) -> Self:
        """Starts the server and returns once it answers its health check; stops it again when it does not."""
        env = None
        if self.cwd is not None:
            paths = [str(self.cwd), os.environ.get("PYTHONPATH")]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a") if self.log_path else nullcontext() as log:
            self._process = subprocess.Popen(
                self.command(), cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=log, text=True,
            )  # fmt: skip
        try:
            self.url = self._first_line_url()
            wait_until_healthy(self.url, self.start_timeout, self.log_path)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Terminates the server (killed after 10 s); nothing happens when it is not running."""
        if self._process is None or not self.running:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _first_line_url(self) -> str:
        """The server prints `usage-sandbox listening on <url>` first; everything after is drained."""
        assert self._process is not None and self._process.stdout is not None
        lines: list[str] = []
        ready = threading.Event()
        reader = threading.Thread(target=_read, args=(self._process.stdout, lines, ready), daemon=True)
        reader.start()
        ready.wait(self.start_timeout)
        line = lines[0] if lines else ""
        if "http://" not in line:
            raise SandboxStartError(f"the sandbox did not start{_see(self.log_path)}: {line.strip()!r}")
        return line.strip().rsplit(" ", 1)[-1]


def wait_until_healthy(url: str, timeout: float = START_TIMEOUT_SECONDS, log_path: Path | None = None) -> None:
    """Polls `GET {url}/_sandbox/health` until it answers 200; SandboxStartError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{url}/_sandbox/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise SandboxStartError(f"the sandbox at {url} is not healthy{_see(log_path)}")
        time.sleep(0.05)


def _read(stream: IO[str], lines: list[str], ready: threading.Event) -> None:
    """Hands over the first line, then drains the rest so a server that logs never blocks on a full pipe."""
    with stream:
        lines.append(stream.readline())
        ready.set()
        for _ in stream:
            pass


def _see(log_path: Path | None) -> str:
    """` (see <log>)` for an error message, or nothing when stderr is not logged to a file."""
    return f" (see {log_path})" if log_path else ""
