"""The connector as its own process (this venv's `source-usage`): its messages, its log, its failure."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "source-usage"
RECORD_PREFIX = b'{"type":"RECORD"'
STOP_SECONDS = 10.0


class ConnectorFailed(Exception):
    """The connector stopped with an error; the message is its own sentence and names its log."""


def executable() -> Path:
    """`source-usage` beside the running Python, so the connector is the one installed in this venv."""
    path = Path(sys.executable).parent / NAME
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; install the project first (make install).")
    return path


def run_connector(args: list[str], log_path: Path) -> Iterator[dict[str, Any]]:
    """Every message of `source-usage ARGS` but LOG and error TRACE, parsed (RECORDs too)."""
    for kind, message in messages(args, log_path):
        yield json.loads(message) if kind == "RECORD" else message  # type: ignore[arg-type]


def messages(args: list[str], log_path: Path) -> Iterator[tuple[str, bytes | dict[str, Any]]]:
    """`("RECORD", raw line)` for records, unparsed, and `(type, message)` for STATE, TRACE, CATALOG, ...

    LOG messages and anything that is not a message go to `log_path` (with the connector's stderr). Raises
    ConnectorFailed after the last message when the connector exited non-zero or reported an error.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(executable()), *args], stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:
                if line.startswith(RECORD_PREFIX):
                    yield "RECORD", line
                    continue
                message = _parse(line)
                kind = message.get("type") if message else None
                if kind == "RECORD":
                    yield "RECORD", line
                elif kind is None or kind == "LOG":
                    log.write(line)
                elif kind == "TRACE" and message["trace"].get("type") == "ERROR":  # type: ignore[index]
                    log.write(line)
                    errors.append(message["trace"]["error"].get("message") or "no message")  # type: ignore[index]
                else:
                    yield kind, message  # type: ignore[misc]
            code = process.wait()
        finally:
            _stop(process)
    if code != 0 or errors:
        said = " ".join(dict.fromkeys(errors)) or f"the connector exited with code {code}."
        raise ConnectorFailed(f"{said} (log: {log_path})")


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
