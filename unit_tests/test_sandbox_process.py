"""usage_sandbox.process: the sandbox started as a child process, waited for, and stopped."""

from pathlib import Path

import pytest
import requests

from usage_sandbox.process import SandboxServer, SandboxStartError


def test_sandbox_server_answers_health_while_running_and_stops_on_exit(tmp_path: Path) -> None:
    with SandboxServer(7, "small", "2026-11-20", log_path=tmp_path / "sandbox.log") as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.pid > 0 and server.running
        assert requests.get(f"{server.url}/_sandbox/health", timeout=5).ok
    assert not server.running
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/_sandbox/health", timeout=5)


def test_sandbox_server_that_cannot_start_raises_an_error_naming_its_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "sandbox.log"
    server = SandboxServer(extra_args=["--no-such-option"], log_path=log, start_timeout=10)
    with pytest.raises(SandboxStartError, match=f"did not start \\(see {log}\\)"):
        server.start()
    assert "--no-such-option" in log.read_text()
    assert server.pid > 0 and not server.running
