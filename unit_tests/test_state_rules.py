"""The state rules: a state this version did not write is refused in one sentence, word for word, before any request."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteStateMessageSerializer, ConfiguredAirbyteCatalog, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from connector import config

from source_usage.config_rules import ConfigProblem, check_catalog, check_state
from source_usage.run import run
from source_usage.source import SourceUsage

TODAY = date(2026, 12, 1)
RESET = "reset the stream in Airbyte (or run without --state) to start it over"


def saved(name: str, state: Any) -> list[dict[str, Any]]:
    return [{"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": state}}]


def partitions(*cursors: Any, **extra: Any) -> dict[str, Any]:
    return {"states": [{"partition": {"contract_id": "c1"}, "cursor": cursor} for cursor in cursors], **extra}


REFUSED = [
    pytest.param({"daily_usage": {}}, f"The state file must hold a list of STREAM state messages; {RESET}.", id="dict"),
    pytest.param(
        [{"type": "LEGACY", "data": {}}],
        f"The state holds a LEGACY message, but this connector writes one STREAM message per stream; {RESET}.",
        id="legacy",
    ),
    pytest.param(
        ["x"],
        f"The state holds a malformed message, but this connector writes one STREAM message per stream; {RESET}.",
        id="malformed",
    ),
    pytest.param(
        [{"type": "STREAM", "stream": {}}],
        f"The state holds a STREAM message without a stream name; {RESET}.",
        id="no-name",
    ),
    pytest.param(
        saved("daily_usage", "2026-11-01"),
        f"The saved state of stream 'daily_usage' is not an object; {RESET}.",
        id="not-an-object",
    ),
    pytest.param(
        saved("daily_usage", {"day": "2026-11-01"}),
        f"The saved state of stream 'daily_usage' has no 'date' cursor; {RESET}.",
        id="no-cursor",
    ),
    pytest.param(
        saved("daily_usage", {"date": "2026-11-01", "extra": 1, "more": 2}),
        f"The saved state of stream 'daily_usage' has keys this version does not write (extra, more); {RESET}.",
        id="extra-keys",
    ),
    pytest.param(
        saved("daily_usage", {"date": "yesterday"}),
        f"The saved state of stream 'daily_usage' has date 'yesterday', which is not a date; {RESET}.",
        id="not-a-date",
    ),
    pytest.param(
        saved("daily_usage", {"date": "2026-12-03"}),
        f"The saved state of stream 'daily_usage' has date 2026-12-03 in the future, so nothing would be "
        f"read; {RESET}.",
        id="future-day",
    ),
    pytest.param(
        saved("api_usage", {"period": "2027-02"}),
        f"The saved state of stream 'api_usage' has period 2027-02 in the future, so nothing would be read; {RESET}.",
        id="future-month",
    ),
    pytest.param(
        saved("api_transactions", {"date": "2028"}),
        f"The saved state of stream 'api_transactions' has date 2028 in the future, so nothing would be read; {RESET}.",
        id="future-year",
    ),
    pytest.param(
        saved("daily_consumption", partitions({"date": "2026-11-01"}, version=3)),
        f"The saved state of stream 'daily_consumption' has a shape this version does not know; {RESET}.",
        id="partition-shape",
    ),
    pytest.param(
        saved("daily_consumption", {"states": [{"cursor": {"date": "2026-11-01"}}]}),
        f"The saved state of stream 'daily_consumption' has a partition without keys; {RESET}.",
        id="partition-without-keys",
    ),
    pytest.param(
        saved("daily_consumption", partitions({"date": "2026-11-01"}, state={"date": "2026-12-05"})),
        f"The saved state of stream 'daily_consumption' has date 2026-12-05 in the future, so nothing would "
        f"be read; {RESET}.",
        id="global-cursor-future",
    ),
]


@pytest.mark.parametrize(("raw", "sentence"), REFUSED)
def test_a_state_this_version_did_not_write_is_refused_in_one_sentence(raw: Any, sentence: str) -> None:
    with pytest.raises(ConfigProblem) as refused:
        check_state(raw, today=TODAY)
    assert refused.value.message == sentence


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {},
        saved("daily_usage", {"date": "2026-12-02"}),  # the day after today: a sync up to today writes it
        saved("api_usage", {"period": "2027-01"}),
        saved("api_transactions", {"date": "2027"}),
        saved("api_transactions", {"date": "2026-11"}),  # a month cursor left by the month variant of the stream
        saved("daily_consumption", partitions({"date": "2026-11-01"}, state={"date": "2026-11-01"}, lookback_window=3)),
        saved("credits", {"anything": 1}),  # a full-refresh stream's state is not read
        saved("daily_usage", {}),
    ],
)
def test_a_state_this_version_writes_passes(raw: Any) -> None:
    check_state(raw, today=TODAY)


def test_read_refuses_a_parsed_state_before_any_request() -> None:
    state = [AirbyteStateMessageSerializer.load(message) for message in saved("daily_usage", {"date": "2999-01-01"})]
    source = SourceUsage(config=config(whitepages=True), state=state)
    with pytest.raises(ConfigProblem) as refused:
        next(source.read(source.logger, config(whitepages=True), ConfiguredAirbyteCatalog(streams=[]), state))
    assert refused.value.message.startswith("The saved state of stream 'daily_usage' has date 2999-01-01 in the future")


def test_a_catalog_stream_the_config_does_not_provide_is_refused() -> None:
    catalog = CatalogBuilder().with_stream("credits", SyncMode.full_refresh).build()
    with pytest.raises(ConfigProblem) as refused:
        check_catalog(catalog, {"daily_usage"})
    assert refused.value.message == (
        "The catalog asks for stream 'credits', which this config does not provide; configure its vendor or run "
        "discover again."
    )


def _read_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, content: bytes | None
) -> tuple[int, dict[str, Any], Path]:
    """`read` with good config, catalog and state files, but `content` in the `kind` one (None: no file at all);
    its exit code, its one TRACE error and that file."""
    files = {name: tmp_path / f"{name}.json" for name in ("config", "catalog", "state")}
    files["config"].write_text(json.dumps(config(whitepages=True)))
    files["catalog"].write_text(json.dumps({"streams": []}))
    files["state"].write_text("[]")
    files[kind].unlink()
    if content is not None:
        files[kind].write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        run(["read", *(arg for name, path in files.items() for arg in (f"--{name}", str(path)))])
    [line] = [line for line in capsys.readouterr().out.splitlines() if '"TRACE"' in line]
    return exited.value.code, json.loads(line)["trace"]["error"], files[kind]


@pytest.mark.parametrize("kind", ["config", "catalog", "state"])
def test_an_unreadable_input_file_is_one_trace_naming_the_file(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, error, path = _read_with(tmp_path, capsys, kind, b"{not json")
    assert code == 1 and error["failure_type"] == "config_error" and not error.get("stack_trace")
    assert error["message"] == (
        f"The {kind} file {path} is not JSON at line 1, column 2; pass the JSON {kind} Airbyte wrote or a copy of it."
    )


FILE_FAULTS = [
    pytest.param("config", None, "cannot be read (No such file or directory)", id="missing"),
    pytest.param("config", b"\xff\xfe{}", "cannot be read (it is not UTF-8 text)", id="not-utf-8"),
    pytest.param("state", b" \n", "is empty", id="empty"),
    pytest.param("config", b"1" * 5000, "is not JSON", id="number-beyond-json-limit"),
    pytest.param("config", b"[1, 2]", "is JSON but not a JSON object of settings", id="config-a-list"),
    pytest.param(
        "catalog",
        b'{"streams": "daily_usage"}',
        'is JSON but not an Airbyte configured catalog (streams: "daily_usage" is not of type "list")',
        id="catalog-wrong-shape",
    ),
]


@pytest.mark.parametrize(("kind", "content", "fault"), FILE_FAULTS)
def test_each_fault_of_an_input_file_is_named(
    kind: str, content: bytes | None, fault: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, error, path = _read_with(tmp_path, capsys, kind, content)
    assert code == 1 and error["failure_type"] == "config_error"
    assert error["message"] == f"The {kind} file {path} {fault}; pass the JSON {kind} Airbyte wrote or a copy of it."
