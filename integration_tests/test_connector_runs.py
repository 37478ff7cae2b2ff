"""A run forked from the warm process (warm_start.py) says and ends exactly as the console script does."""

from __future__ import annotations

import pytest

from integration_tests.connector_runs import Run, run_connector


def _both(monkeypatch: pytest.MonkeyPatch, command: str, **inputs: object) -> tuple[Run, Run]:
    monkeypatch.setenv("CONNECTOR_RUNS_WARM", "1")
    warm = run_connector(command, **inputs)
    monkeypatch.setenv("CONNECTOR_RUNS_WARM", "0")
    return warm, run_connector(command, **inputs)


def test_a_warm_spec_is_the_console_scripts_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    warm, script = _both(monkeypatch, "spec")
    assert warm.exit_code == script.exit_code == 0, (warm.describe(), script.describe())
    assert warm.spec() == script.spec() and "connectionSpecification" in warm.spec()


def test_a_warm_run_refuses_a_bad_config_as_the_console_script_does(monkeypatch: pytest.MonkeyPatch) -> None:
    warm, script = _both(monkeypatch, "discover", config={"start_date": "2026-13-01", "whitepages": {}})
    assert warm.exit_code == script.exit_code == 1, (warm.describe(), script.describe())
    assert warm.error_messages() == script.error_messages() != [""]
    assert warm.stderr == script.stderr
    assert [m["type"] for m in warm.messages] == [m["type"] for m in script.messages]
