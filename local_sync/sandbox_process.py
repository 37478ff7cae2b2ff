"""The sandbox as a child process for one sync: started on a free port, its request counts, stopped."""

import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import requests

START_TIMEOUT_SECONDS = 60.0


class SandboxStartError(Exception):
    """The sandbox did not come up; the message names its log."""


class SandboxProcess:
    """`with SandboxProcess(seed, size, today, log) as sandbox:` serves the four vendors at `sandbox.url`."""

    def __init__(self, seed: int, size: str, today: str, log_path: Path) -> None:
        self.seed, self.size, self.today, self.log_path = seed, size, today, log_path
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> "SandboxProcess":
        command = [
            sys.executable, "-m", "usage_sandbox", "serve", "--port", "0",
            "--seed", str(self.seed), "--size", self.size, "--today", self.today,
        ]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a") as log:
            self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            self.url = self._first_line_url()
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def stats(self) -> dict[str, Any]:
        """`{"vendors": {vendor: {endpoint: {status: count}}}, "total": n}` since the sandbox started."""
        response = requests.get(f"{self.url}/_sandbox/stats", timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _first_line_url(self) -> str:
        """The sandbox prints `usage-sandbox listening on <url>` first; later output is drained."""
        process = self._process
        assert process is not None and process.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_SECONDS)
        line = lines[0] if lines else ""
        if "http://" not in line:
            raise SandboxStartError(f"the sandbox did not start (see {self.log_path}): {line.strip()!r}")
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        return line.strip().rsplit(" ", 1)[-1]

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if requests.get(f"{self.url}/_sandbox/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise SandboxStartError(f"the sandbox at {self.url} is not healthy (see {self.log_path})")
            time.sleep(0.05)


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass
