"""Bad input: invalid configs, catalogs and states each get one clear sentence, no traceback, no request.

Every case runs `source-usage` as a process against the session's sandbox, whose request counters must stay at
zero. Config cases take turns at check, discover and read, so each command meets about a third of them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from integration_tests.connector_runs import Run, catalog, run_connector

FUTURE = "2099-01-01"


COMMANDS = ("check", "discover", "read")


def _set(path: str, value: Any) -> Any:
    """An edit of the sandbox config: set `a.b` to value (`...` deletes it)."""

    def edit(config: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split(".")
        target = config
        for parent in parents:
            target = target[parent]
        if value is ...:
            target.pop(last, None)
        else:
            target[last] = value
        return config

    return edit


def _without_vendors(config: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value for key, value in config.items() if key not in ("leadfeeder", "insideview", "whitepages", "leaf")
    }


# (case id, edit of a valid config, the sentence, word for word)
CONFIGS: list[tuple[str, Any, str]] = [
    (
        "start_date_missing",
        _set("start_date", ...),
        "start_date is required as a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
    ),
    (
        "start_date_not_a_string",
        _set("start_date", 20240101),
        "start_date must be a day written as text in the form YYYY-MM-DD, e.g. 2024-01-01, not 20240101.",
    ),
    (
        "start_date_empty",
        _set("start_date", ""),
        "start_date is required as a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
    ),
    (
        "start_date_slashes",
        _set("start_date", "2024/01/01"),
        "start_date '2024/01/01' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
    ),
    (
        "start_date_impossible_day",
        _set("start_date", "2026-02-30"),
        "start_date '2026-02-30' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
    ),
    (
        "start_date_with_time",
        _set("start_date", "2024-01-01T00:00:00Z"),
        "start_date '2024-01-01T00:00:00Z' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
    ),
    (
        "start_date_in_the_future",
        _set("start_date", FUTURE),
        "start_date 2099-01-01 lies in the future; use a day up to 2026-11-20.",
    ),
    (
        "end_date_before_start_date",
        _set("end_date", "2020-01-01"),
        "end_date 2020-01-01 is before start_date 2026-10-01; swap or fix them.",
    ),
    (
        "end_date_in_the_future",
        _set("end_date", FUTURE),
        "end_date 2099-01-01 lies in the future; leave it empty to read up to today.",
    ),
    (
        "end_date_a_word",
        _set("end_date", "tomorrow"),
        "end_date 'tomorrow' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
    ),
    ("lookback_days_a_string", _set("lookback_days", "3"), "lookback_days must be a whole number, not '3'."),
    ("lookback_days_negative", _set("lookback_days", -1), "lookback_days must be between 0 and 366, not -1."),
    ("lookback_days_huge", _set("lookback_days", 100000), "lookback_days must be between 0 and 366, not 100000."),
    ("lookback_days_a_boolean", _set("lookback_days", True), "lookback_days must be a whole number, not true."),
    ("lookback_days_a_fraction", _set("lookback_days", 2.5), "lookback_days must be a whole number, not 2.5."),
    (
        "max_requests_per_second_zero",
        _set("max_requests_per_second", 0),
        "max_requests_per_second must be at least 1, not 0.",
    ),
    ("concurrency_too_high", _set("concurrency", 1000), "concurrency must be between 1 and 32, not 1000."),
    (
        "request_timeout_a_word",
        _set("request_timeout_seconds", "fast"),
        "request_timeout_seconds must be a whole number, not 'fast'.",
    ),
    (
        "unknown_vendor_block",
        _set("salesforce", {"api_key": "x"}),
        "The config has an unknown field 'salesforce'; the vendor blocks are leadfeeder, insideview, whitepages and "
        "leaf.",
    ),
    (
        "no_vendor_at_all",
        _without_vendors,
        "No vendor is configured; add at least one of the leadfeeder, insideview, whitepages or leaf blocks.",
    ),
    (
        "leadfeeder_not_an_object",
        _set("leadfeeder", "lf-key"),
        'leadfeeder must be an object with the Leadfeeder settings, e.g. {"api_key": "..."}.',
    ),
    (
        "leadfeeder_api_key_empty",
        _set("leadfeeder.api_key", ""),
        "leadfeeder.api_key is empty; copy the Leadfeeder API key into it.",
    ),
    (
        "leadfeeder_api_key_a_number",
        _set("leadfeeder.api_key", 12345),
        "leadfeeder.api_key must be text; copy the Leadfeeder API key into it.",
    ),
    (
        "leadfeeder_account_ids_a_string",
        _set("leadfeeder.account_ids", "123456"),
        "leadfeeder.account_ids must be a list of account IDs such as [\"123456\"], not '123456'.",
    ),
    (
        "leadfeeder_account_id_with_a_slash",
        _set("leadfeeder.account_ids", ["../admin"]),
        "leadfeeder.account_ids holds '../admin', which is not an account ID; list IDs as text such as \"123456\".",
    ),
    (
        "leadfeeder_unknown_setting",
        _set("leadfeeder.token", "x"),
        "leadfeeder.token is not a Leadfeeder setting; the settings are account_ids, api_key, base_url.",
    ),
    (
        "insideview_period_unknown",
        _set("insideview.period", "week"),
        "insideview.period 'week' is unknown; use day, month or year.",
    ),
    (
        "insideview_period_a_number",
        _set("insideview.period", 1),
        "insideview.period 1 is unknown; use day, month or year.",
    ),
    (
        "insideview_client_secret_missing",
        _set("insideview.client_secret", ...),
        "insideview.client_secret is missing; copy the InsideView client secret into it.",
    ),
    (
        "insideview_token_url_http_public_host",
        _set("insideview.token_url", "http://login.insideview.com/t"),
        "insideview.token_url uses plain http to login.insideview.com; use https, since only loopback hosts may use "
        "http.",
    ),
    (
        "whitepages_base_url_http_public_host",
        _set("whitepages.base_url", "http://api.whitepages.com"),
        "whitepages.base_url uses plain http to api.whitepages.com; use https, since only loopback hosts may use http.",
    ),
    (
        "whitepages_base_url_not_a_url",
        _set("whitepages.base_url", "api whitepages com"),
        "whitepages.base_url is not an http(s) URL with a host; leave it empty for Whitepages' own API.",
    ),
    (
        "whitepages_base_url_with_credentials",
        _set("whitepages.base_url", "https://me:pw@api.whitepages.com"),
        "whitepages.base_url must not carry credentials or a query; put secrets in their own fields.",
    ),
    (
        "whitepages_base_url_with_a_query",
        _set("whitepages.base_url", "https://api.whitepages.com/?api_key=1"),
        "whitepages.base_url must not carry credentials or a query; put secrets in their own fields.",
    ),
    ("leaf_password_empty", _set("leaf.password", "   "), "leaf.password is empty; copy the Leaf password into it."),
    (
        "leaf_username_a_list",
        _set("leaf.username", ["leaf@sandbox.test"]),
        "leaf.username must be text; copy the Leaf username into it.",
    ),
    (
        "leaf_base_url_ftp",
        _set("leaf.base_url", "ftp://api.withleaf.io"),
        "leaf.base_url is not an http(s) URL with a host; leave it empty for Leaf's own API.",
    ),
    (
        "config_an_array",
        lambda config: [config],
        "The config file {folder}/config.json is JSON but not a JSON object of settings; pass the JSON config "
        "Airbyte wrote or a copy of it.",
    ),
    (
        "start_date_20000_characters",
        _set("start_date", "2" * 20_000),
        "start_date '222222222222222222222222222222222222222222222222222222222222… (20,000 characters)' is not a "
        "day in the form YYYY-MM-DD, e.g. 2024-01-01.",
    ),
    (
        "leadfeeder_api_key_with_a_control_character",
        _set("leadfeeder.api_key", "lf-sandbox\x01key"),
        "leadfeeder.api_key holds a control character at position 11 of 14, which cannot be sent in an HTTP header; "
        "copy the Leadfeeder API key again without it.",
    ),
    (
        "unknown_field_20000_characters",
        _set("x" * 20_000, 1),
        "The config has an unknown field 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (20,000 "
        "characters)'; the vendor blocks are leadfeeder, insideview, whitepages and leaf.",
    ),
    (
        "whitepages_api_key_with_a_line_break",
        _set("whitepages.api_key", "wp-sandbox-key\n"),
        "whitepages.api_key holds a line break at position 15 of 15, which cannot be sent in an HTTP header; copy "
        "the Whitepages API key again without it.",
    ),
    (
        "leaf_password_an_unpaired_surrogate",
        _set("leaf.password", "leaf-\ud800-password"),
        "The config field 'leaf.password' holds a character that is not valid text (an unpaired surrogate, often "
        "left by a bad copy and paste); type that value again.",
    ),
    (
        "leadfeeder_api_key_non_ascii",
        _set("leadfeeder.api_key", "lf-sändbox-key"),
        "leadfeeder.api_key holds a non-ASCII character at position 5 of 14, which cannot be sent in an HTTP "
        "header; copy the Leadfeeder API key again without it.",
    ),
]

# (case id, the config file's text, the command, the sentence)
RAW_CONFIGS = [
    (
        "config_not_json",
        "{start_date: 2024-01-01",
        "check",
        "The config file {folder}/config.json is not JSON at line 1, column 2; pass the JSON config Airbyte wrote or a "
        "copy of it.",
    ),
    (
        "config_empty_file",
        "",
        "read",
        "The config file {folder}/config.json is empty; pass the JSON config Airbyte wrote or a copy of it.",
    ),
]
# the connector's clock in every case (a future start_date is judged against it)
NOW = "2026-11-20T12:00:00"


def _one_sentence(text: str) -> bool:
    return (
        bool(text)
        and "\n" not in text
        and text.rstrip().endswith(".")
        and not re.search(r"\.\s+[A-Z]", text)
        and "Traceback" not in text
        and len(text) < 300
    )


def _assert_refused_cleanly(run: Run, command: str, sandbox: Any, sentence: str) -> None:
    assert not run.hung, run.describe()
    assert run.stderr.strip() == "", f"stderr: {run.stderr}"
    assert "Traceback" not in run.stdout, run.describe()
    assert all(line.startswith("{") for line in run.stdout.splitlines() if line.strip()), run.stdout
    assert [m for m in run.messages if m["type"] == "LOG" and m["log"]["level"] in ("ERROR", "FATAL")] == []
    if command == "check" and run.of_type("CONNECTION_STATUS"):
        status = run.connection_status()
        assert status["status"] == "FAILED", status
        assert run.exit_code == 0, run.describe()  # the protocol: check is answered, with FAILED
        messages = [status["message"]]
    else:
        assert run.exit_code not in (0, None), run.describe()
        errors = run.trace_errors()
        assert [error.get("failure_type") for error in errors] == ["config_error"], run.describe()
        messages = [errors[0]["message"]]
    assert run.of_type("RECORD") == [] and run.of_type("CATALOG") == [] and run.of_type("STATE") == []
    assert len(messages) == 1 and _one_sentence(messages[0]), messages
    assert re.sub(r"\S*source-usage-run-[^/\s]+/", "{folder}/", messages[0]) == sentence
    assert sandbox.stats()["total"] == 0, f"a request was sent: {sandbox.stats()}"


@pytest.mark.parametrize(("case", "edit", "sentence"), CONFIGS, ids=[case[0] for case in CONFIGS])
def test_an_invalid_config_gets_one_sentence_naming_the_field_and_no_request(
    fresh_sandbox: Any, case: str, edit: Any, sentence: str
) -> None:
    command = COMMANDS[[c[0] for c in CONFIGS].index(case) % len(COMMANDS)]
    config = edit(fresh_sandbox.config())
    run = run_connector(
        command, config=config, catalog=catalog(["daily_usage"]) if command == "read" else None, clock=NOW
    )
    _assert_refused_cleanly(run, command, fresh_sandbox, sentence)


@pytest.mark.parametrize(("case", "text", "command", "sentence"), RAW_CONFIGS, ids=[case[0] for case in RAW_CONFIGS])
def test_an_unreadable_config_file_gets_one_sentence_and_no_request(
    fresh_sandbox: Any, case: str, text: str, command: str, sentence: str
) -> None:
    configured = catalog(["daily_usage"]) if command == "read" else None
    run = run_connector(command, config={}, catalog=configured, raw_files={"config": text}, clock=NOW)
    _assert_refused_cleanly(run, command, fresh_sandbox, sentence)


def _stream_state(name: str, value: Any) -> list[dict[str, Any]]:
    return [{"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": value}}]


def _catalog_with(stream: str = "daily_usage", name: str | None = None, **changes: Any) -> dict[str, Any]:
    configured = catalog([stream])
    configured["streams"][0].update(changes)
    if name:
        configured["streams"][0]["stream"]["name"] = name
    return configured


# (case id, catalog, state, raw files, the sentence, word for word; {folder} is the run's own)
READS: list[tuple[str, Any, Any, dict[str, str], str]] = [
    (
        "catalog_unknown_stream",
        _catalog_with(name="invoices"),
        None,
        {},
        "The catalog asks for stream 'invoices', which this config does not provide; configure its vendor or run "
        "discover again.",
    ),
    (
        "catalog_stream_of_an_unconfigured_vendor",
        catalog(["accounts"]),
        None,
        {},
        "The catalog asks for stream 'accounts', which this config does not provide; configure its vendor or run "
        "discover again.",
    ),
    (
        "catalog_stream_without_a_name",
        {"streams": [{"stream": {"json_schema": {}}, "sync_mode": "full_refresh"}]},
        None,
        {},
        "The catalog file {folder}/catalog.json is JSON but not an Airbyte configured catalog "
        '(streams/0/stream/name: "name" is a required property); pass the JSON catalog Airbyte wrote or a copy of '
        "it.",
    ),
    (
        "catalog_not_json",
        None,
        None,
        {"catalog": "streams: [daily_usage]"},
        "The catalog file {folder}/catalog.json is not JSON at line 1, column 1; pass the JSON catalog Airbyte "
        "wrote or a copy of it.",
    ),
    (
        "catalog_wrong_shape",
        None,
        None,
        {"catalog": '{"streams": "daily_usage"}'},
        "The catalog file {folder}/catalog.json is JSON but not an Airbyte configured catalog (streams: "
        '"daily_usage" is not of type "list"); pass the JSON catalog Airbyte wrote or a copy of it.',
    ),
    (
        "catalog_unknown_sync_mode",
        _catalog_with(sync_mode="sometimes"),
        None,
        {},
        "The catalog file {folder}/catalog.json is JSON but not an Airbyte configured catalog (streams/0/sync_mode: "
        '"sometimes" is not one of ["full_refresh", "incremental"]); pass the JSON catalog Airbyte wrote or a '
        "copy of it.",
    ),
    (
        "state_not_json",
        catalog(["daily_usage"]),
        None,
        {"state": "[{date: 2026-11-01}]"},
        "The state file {folder}/state.json is not JSON at line 1, column 3; pass the JSON state Airbyte wrote or a "
        "copy of it.",
    ),
    (
        "state_date_in_the_future",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"date": FUTURE}),
        {},
        "The saved state of stream 'daily_usage' has date 2099-01-01 in the future, so nothing would be read; reset "
        "the stream in Airbyte (or run without --state) to start it over.",
    ),
    (
        "state_date_not_a_date",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"date": "yesterday"}),
        {},
        "The saved state of stream 'daily_usage' has date 'yesterday', which is not a date; reset the stream in "
        "Airbyte (or run without --state) to start it over.",
    ),
    (
        "state_date_a_number",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"date": 20261101}),
        {},
        "The saved state of stream 'daily_usage' has date 20261101, which is not a date; reset the stream in "
        "Airbyte (or run without --state) to start it over.",
    ),
    (
        "state_wrong_cursor_field",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"day": "2026-11-01"}),
        {},
        "The saved state of stream 'daily_usage' has no 'date' cursor; reset the stream in Airbyte (or run without "
        "--state) to start it over.",
    ),
    (
        "state_not_an_object",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", ["2026-11-01"]),
        {},
        "The saved state of stream 'daily_usage' is not an object; reset the stream in Airbyte (or run without "
        "--state) to start it over.",
    ),
    (
        "state_partitions_not_a_list",
        catalog(["contract_consumption"]),
        _stream_state("contract_consumption", {"states": {"a": "2026-11-01"}}),
        {},
        "The saved state of stream 'contract_consumption' has a shape this version does not know; reset the stream "
        "in Airbyte (or run without --state) to start it over.",
    ),
    (
        "state_global_message",
        catalog(["daily_usage"]),
        [{"type": "GLOBAL", "global": {"shared_state": {}, "stream_states": []}}],
        {},
        "The state holds a GLOBAL message, but this connector writes one STREAM message per stream; reset the "
        "stream in Airbyte (or run without --state) to start it over.",
    ),
    (
        "state_legacy_object",
        catalog(["daily_usage"]),
        {"daily_usage": {"date": "2026-11-01"}},
        {},
        "The state file must hold a list of STREAM state messages; reset the stream in Airbyte (or run without "
        "--state) to start it over.",
    ),
]


@pytest.mark.parametrize(("case", "configured", "state", "raw", "sentence"), READS, ids=[case[0] for case in READS])
def test_a_bad_catalog_or_state_gets_one_sentence_and_no_request(
    fresh_sandbox: Any, case: str, configured: Any, state: Any, raw: dict[str, str], sentence: str
) -> None:
    config = fresh_sandbox.config("whitepages", "leaf")
    run = run_connector(
        "read",
        config=config,
        catalog=configured if configured is not None else {},
        state=state,
        raw_files=raw,
        clock=NOW,
    )
    _assert_refused_cleanly(run, "read", fresh_sandbox, sentence)
