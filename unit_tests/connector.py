"""Runs SourceUsage the way the platform does (read, check, discover) for tests against mocked HTTP.

`run_read` drives a SourceUsage through the CDK's entrypoint_wrapper; `run_check` and `run_discover` run the
shipped `source-usage` command (`source_usage.run.run`, which applies the config rules before the spec's JSON
Schema and reports a bad config as one TRACE without a stack trace) in this process, capturing what it prints.

`config(leadfeeder=True)` gives a config with that vendor's default block (long unique secrets, the vendor's
real https host, which HttpMocker intercepts); a dict instead of True is merged over the default block, and a
None value drops a field.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence
from unittest import mock

from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import AirbyteStateMessage, ConfiguredAirbyteCatalog, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_usage import run
from source_usage.declared import STREAMS
from source_usage.source import SourceUsage

START_DATE = "2026-06-01"
END_DATE = "2026-11-20"

LEADFEEDER_KEY = "lf-unit-key-6c1d9a0e5b7f4e2a8d3c"
INSIDEVIEW_CLIENT_ID = "iv-unit-client-3f8e2b7d1a9c4e60"
INSIDEVIEW_CLIENT_SECRET = "iv-unit-secret-9a4c7e1f3b8d2a56"
WHITEPAGES_KEY = "wp-unit-key-2e7b9d4f1c6a8e30"
LEAF_USERNAME = "leaf-unit-user-5d2a8c6e"
LEAF_PASSWORD = "leaf-unit-password-7b1e4f9a3c"

LEADFEEDER_URL = "https://api.leadfeeder.com"
INSIDEVIEW_URL = "https://api.insideview.com"
INSIDEVIEW_TOKEN_URL = "https://login.insideview.com/Auth/login/v1/token.json"
WHITEPAGES_URL = "https://api.whitepages.com"
LEAF_URL = "https://api.withleaf.io"

FULL_REFRESH_ONLY = frozenset(name for name, stream in STREAMS.items() if stream.cursor is None)

VENDOR_BLOCKS: Mapping[str, Mapping[str, Any]] = {
    "leadfeeder": {"api_key": LEADFEEDER_KEY, "base_url": LEADFEEDER_URL},
    "insideview": {
        "client_id": INSIDEVIEW_CLIENT_ID,
        "client_secret": INSIDEVIEW_CLIENT_SECRET,
        "period": "day",
        "base_url": INSIDEVIEW_URL,
        "token_url": INSIDEVIEW_TOKEN_URL,
    },
    "whitepages": {"api_key": WHITEPAGES_KEY, "base_url": WHITEPAGES_URL},
    "leaf": {"username": LEAF_USERNAME, "password": LEAF_PASSWORD, "base_url": LEAF_URL},
}


def config(**vendors_and_fields: Any) -> dict[str, Any]:
    """A config with start_date START_DATE, end_date END_DATE and lookback_days 3, changed by the arguments.

    A vendor argument is True (its default block) or a dict merged over the default block; any other
    argument sets that top-level field, and None removes it.
    """
    result: dict[str, Any] = {"start_date": START_DATE, "end_date": END_DATE, "lookback_days": 3}
    for name, value in vendors_and_fields.items():
        if name in VENDOR_BLOCKS and (value is True or isinstance(value, dict)):
            block = {**VENDOR_BLOCKS[name], **(value if isinstance(value, dict) else {})}
            result[name] = {key: item for key, item in block.items() if item is not None}
        elif value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def catalog(*streams: str, sync_mode: Optional[SyncMode] = None) -> ConfiguredAirbyteCatalog:
    """A configured catalog of these streams, each in sync_mode or else in its widest mode."""
    builder = CatalogBuilder()
    for stream in streams:
        builder.with_stream(
            stream,
            sync_mode or (SyncMode.full_refresh if stream in FULL_REFRESH_ONLY else SyncMode.incremental),
        )
    return builder.build()


def state(**cursors: Mapping[str, Any]) -> List[AirbyteStateMessage]:
    """Per-stream state messages, e.g. state(daily_usage={"date": "2026-11-21"})."""
    builder = StateBuilder()
    for stream, value in cursors.items():
        builder.with_stream_state(stream, value)
    return builder.build()


def source(
    config: Mapping[str, Any],
    catalog: Optional[ConfiguredAirbyteCatalog] = None,
    state: Optional[List[AirbyteStateMessage]] = None,
) -> SourceUsage:
    return SourceUsage(catalog=catalog, config=config, state=state)


def run_read(
    config: Mapping[str, Any],
    catalog: ConfiguredAirbyteCatalog,
    state: Optional[List[AirbyteStateMessage]] = None,
) -> EntrypointOutput:
    return read(source(config, catalog, state), config, catalog, state)


def run_check(config: Mapping[str, Any]) -> EntrypointOutput:
    return launch("check", config)


def run_discover(config: Mapping[str, Any]) -> EntrypointOutput:
    return launch("discover", config)


def launch(command: str, config: Mapping[str, Any]) -> EntrypointOutput:
    """`source-usage <command> --config <file>`: its messages and logs, and whatever exception escaped it.

    The CDK's print buffer writes to the real stdout, so it is bypassed to capture what the command prints;
    the exit of a failed command (a clean config error) is kept, as the platform would see it: its messages in the
    output, and its exit status as `output.exit_code`.
    """
    printed, logged = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(logged)
    handler.setLevel(logging.INFO)
    handler.setFormatter(AirbyteLogFormatter())
    root = logging.getLogger("")
    root.addHandler(handler)
    escaped: Optional[BaseException] = None
    exit_code: Any = 0
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "config.json"
            path.write_text(json.dumps(config))
            with mock.patch.object(run, "PRINT_BUFFER", contextlib.nullcontext()), contextlib.redirect_stdout(printed):
                try:
                    run.run([command, "--config", str(path)])
                except SystemExit as exit:
                    exit_code = exit.code
                except Exception as error:  # noqa: BLE001 - the test decides whether an escape is expected
                    escaped = error
    finally:
        root.removeHandler(handler)
    lines = [line for line in (printed.getvalue() + logged.getvalue()).splitlines() if line.strip()]
    output = EntrypointOutput(messages=lines, uncaught_exception=escaped)
    output.exit_code = exit_code  # type: ignore[attr-defined]  # what the process would have exited with
    return output


def records(output: EntrypointOutput, stream: Optional[str] = None) -> List[dict[str, Any]]:
    """The records' data (of one stream when named), without None values as the serializer drops them."""
    return [
        {key: value for key, value in message.record.data.items() if value is not None}
        for message in output.records
        if stream is None or message.record.stream == stream
    ]


def states(output: EntrypointOutput, stream: str) -> List[Any]:
    """Every state the stream emitted, in order, as plain dicts."""
    return [
        message.state.stream.stream_state.__dict__
        for message in output.state_messages
        if message.state.stream.stream_descriptor.name == stream
    ]


def first_error(output: EntrypointOutput) -> Any:
    assert output.errors, "the sync was expected to fail"
    return output.errors[0].trace.error


def assert_succeeded(output: EntrypointOutput) -> None:
    assert [error.trace.error.message for error in output.errors] == []


def assert_each_sent_once(http_mocker: HttpMocker, requests: Sequence[HttpRequest]) -> None:
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)
