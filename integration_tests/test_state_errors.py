"""A state the connector cannot resume from is refused before any request, in one sentence.

Each case runs `source-usage read` with a state file that is broken in one way and expects one TRACE
error of type config_error whose message names the stream (or the file, when no stream can be told)
and the problem, no stack trace, no records, and no request to the vendors.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from integration_tests.connector_runs import Run, discover_catalog, run_connector

if TYPE_CHECKING:
    from integration_tests.sandboxes import Sandbox

STREAMS = ["daily_usage", "daily_consumption"]


def _stream_state(name: str, blob: Any) -> str:
    return json.dumps([{"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": blob}}])


def _partition_state(cursor: dict[str, Any], **extra: Any) -> dict[str, Any]:
    partition = {"contract_id": "dec72146-703b-4950-a5df-91674bc1ac4b", "parent_slice": {}}
    return {"states": [{"partition": partition, "cursor": cursor}], "state": cursor, **extra}


@pytest.fixture(scope="session")
def catalog(sandbox: Sandbox) -> dict[str, Any]:
    return discover_catalog(sandbox.config("whitepages", "leaf"), STREAMS)


def _read_with_state(sandbox: Sandbox, catalog: dict[str, Any], raw_state: str) -> tuple[Run, int]:
    """What the read printed, and how many requests the vendors got meanwhile."""
    sandbox.reset()
    output = run_connector("read", sandbox.config("whitepages", "leaf"), catalog, raw_files={"state": raw_state})
    return output, sandbox.stats()["total"]


def _assert_refused_in_one_sentence(read: tuple[Run, int], *named: str) -> None:
    output, requests = read
    assert output.exit_code != 0
    assert not output.of_type("RECORD")
    assert len(output.trace_errors()) == 1, output.trace_errors()
    error = output.trace_errors()[0]
    message = error["message"]
    assert error["failure_type"] == "config_error", error
    assert not error.get("stack_trace"), error["stack_trace"]
    assert "Traceback" not in output.stderr
    assert "\n" not in message and message.endswith(".") and ". " not in message, message
    for fragment in named:
        assert fragment in message, message
    assert requests == 0, "the connector asked the vendors before refusing the state"


@pytest.mark.parametrize(
    ("raw_state", "named"),
    [
        pytest.param("{not json", ["state file", "is not JSON at line 1, column 2"], id="not_json"),
        pytest.param(json.dumps({"daily_usage": {"date": "2026-11-01"}}), ["state file"], id="not_a_list"),
        pytest.param(
            _stream_state("daily_usage", {"date": "yesterday"}),
            ["'daily_usage'", "'yesterday'", "not a date"],
            id="cursor_not_a_date",
        ),
        pytest.param(
            _stream_state("daily_consumption", _partition_state({"date": "2026-13-40"})),
            ["'daily_consumption'", "'2026-13-40'", "not a date"],
            id="partition_cursor_not_a_date",
        ),
        pytest.param(
            _stream_state("daily_consumption", _partition_state({"date": "2026-11-01"}, version=3)),
            ["'daily_consumption'", "shape"],
            id="partition_state_of_another_version",
        ),
        pytest.param(
            json.dumps([{"type": "LEGACY", "data": {"daily_usage": {"date": "2026-11-01"}}}]),
            ["LEGACY", "STREAM"],
            id="legacy_state_message",
        ),
    ],
)
def test_read_refuses_a_broken_state_in_one_sentence(
    sandbox: Sandbox, catalog: dict[str, Any], raw_state: str, named: list[str]
) -> None:
    _assert_refused_in_one_sentence(_read_with_state(sandbox, catalog, raw_state), *named)


def test_read_refuses_a_stream_state_that_is_not_an_object_naming_the_stream(
    sandbox: Sandbox, catalog: dict[str, Any]
) -> None:
    read = _read_with_state(sandbox, catalog, _stream_state("daily_usage", "2026-11-01"))
    _assert_refused_in_one_sentence(read, "'daily_usage'", "not an object")


def test_read_refuses_a_global_state_message_in_one_sentence(sandbox: Sandbox, catalog: dict[str, Any]) -> None:
    state = {
        "type": "GLOBAL",
        "global": {
            "shared_state": {"cursor": "2026-11-01"},
            "stream_states": [{"stream_descriptor": {"name": "daily_usage"}, "stream_state": {"date": "2026-11-01"}}],
        },
    }
    read = _read_with_state(sandbox, catalog, json.dumps([state]))
    _assert_refused_in_one_sentence(read, "GLOBAL", "STREAM")
