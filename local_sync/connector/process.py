"""The connector as its own process: one process answers `discover`, then `read`s with the catalog the loader
wrote from that answer, so the CDK's start (about 2 s of imports) is paid once per sync instead of twice.

The process is `python -m local_sync.connector.session CONFIG` in this venv: the connector's own commands
(`source_usage.run.run`), the same as `source-usage discover` and `source-usage read`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

RECORD_PREFIX = b'{"type":"RECORD"'
STOP_SECONDS = 10.0

Message = tuple[str, bytes | dict[str, Any]]


class ConnectorFailed(Exception):
    """The connector stopped with an error; the message is its own sentence and names its log."""


class Connector:
    """One connector process: `discover()` first, then `read(args)` once."""

    def __init__(self, config_path: Path, log_path: Path) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - the connector's stderr while it runs, closed by close()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "local_sync.connector.session", str(config_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        self._errors: list[str] = []
        self._messages = self._read_messages()

    def discover(self) -> dict[str, Any]:
        """The catalog the connector's `discover` answers for the config."""
        for kind, message in self._messages:
            if kind == "CATALOG":
                return message["catalog"]  # type: ignore[index]
        raise ConnectorFailed(f"the connector's discover answered no catalog (log: {self.log_path}).")

    def read(self, args: list[str]) -> Generator[Message, None, None]:
        """`("RECORD", raw line)` for records, unparsed, and `(type, message)` for STATE, TRACE, ... of
        `source-usage read ARGS`. LOG messages and anything that is not a message go to the log. Raises
        ConnectorFailed after the last message when the connector exited non-zero or reported an error."""
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(args).encode() + b"\n")
        self._process.stdin.close()
        try:
            yield from self._messages
        finally:
            self._stop()

    def _read_messages(self) -> Generator[Message, None, None]:
        process = self._process
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(RECORD_PREFIX):
                yield "RECORD", line
                continue
            message = _parse(line)
            kind = message.get("type") if message else None
            if kind == "RECORD":
                yield "RECORD", line
            elif kind is None or kind == "LOG":
                self._log.write(line)
            elif kind == "TRACE" and message["trace"].get("type") == "ERROR":  # type: ignore[index]
                self._log.write(line)
                self._errors.append(message["trace"]["error"].get("message") or "no message")  # type: ignore[index]
            else:
                yield kind, message  # type: ignore[misc]
        code = process.wait()
        if code != 0 or self._errors:
            said = " ".join(dict.fromkeys(self._errors)) or f"the connector exited with code {code}."
            raise ConnectorFailed(f"{said} (log: {self.log_path})")

    def _stop(self) -> None:
        process = self._process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        """Stops the process if it still runs and closes its pipes and log; a connector still waiting for
        `read` after its discover is let go by closing its stdin."""
        process = self._process
        if process.stdin is not None and not process.stdin.closed:
            process.stdin.close()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        self._stop()
        if process.stdout is not None:
            process.stdout.close()
        self._log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None
