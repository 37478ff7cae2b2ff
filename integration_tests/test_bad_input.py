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
        key: value
        for key, value in config.items()
        if key not in ("leadfeeder", "insideview", "whitepages", "leaf")
    }


# (case id, edit of a valid config, a word the sentence must contain)
CONFIGS: list[tuple[str, Any, str]] = [
    ("start_date_missing", _set("start_date", ...), "start_date"),
    ("start_date_not_a_string", _set("start_date", 20240101), "start_date"),
    ("start_date_empty", _set("start_date", ""), "start_date"),
    ("start_date_slashes", _set("start_date", "2024/01/01"), "start_date"),
    ("start_date_impossible_day", _set("start_date", "2026-02-30"), "start_date"),
    ("start_date_with_time", _set("start_date", "2024-01-01T00:00:00Z"), "start_date"),
    ("start_date_in_the_future", _set("start_date", FUTURE), "start_date"),
    ("end_date_before_start_date", _set("end_date", "2020-01-01"), "end_date"),
    ("end_date_in_the_future", _set("end_date", FUTURE), "end_date"),
    ("end_date_a_word", _set("end_date", "tomorrow"), "end_date"),
    ("lookback_days_a_string", _set("lookback_days", "3"), "lookback_days"),
    ("lookback_days_negative", _set("lookback_days", -1), "lookback_days"),
    ("lookback_days_huge", _set("lookback_days", 100000), "lookback_days"),
    ("lookback_days_a_boolean", _set("lookback_days", True), "lookback_days"),
    ("lookback_days_a_fraction", _set("lookback_days", 2.5), "lookback_days"),
    ("max_requests_per_second_zero", _set("max_requests_per_second", 0), "max_requests_per_second"),
    ("concurrency_too_high", _set("concurrency", 1000), "concurrency"),
    ("request_timeout_a_word", _set("request_timeout_seconds", "fast"), "request_timeout_seconds"),
    ("unknown_vendor_block", _set("salesforce", {"api_key": "x"}), "salesforce"),
    ("no_vendor_at_all", _without_vendors, "vendor"),
    ("leadfeeder_not_an_object", _set("leadfeeder", "lf-key"), "leadfeeder"),
    ("leadfeeder_api_key_empty", _set("leadfeeder.api_key", ""), "leadfeeder.api_key"),
    ("leadfeeder_api_key_a_number", _set("leadfeeder.api_key", 12345), "leadfeeder.api_key"),
    ("leadfeeder_account_ids_a_string", _set("leadfeeder.account_ids", "123456"), "leadfeeder.account_ids"),
    (
        "leadfeeder_account_id_with_a_slash",
        _set("leadfeeder.account_ids", ["../admin"]),
        "leadfeeder.account_ids",
    ),
    ("leadfeeder_unknown_setting", _set("leadfeeder.token", "x"), "leadfeeder.token"),
    ("insideview_period_unknown", _set("insideview.period", "week"), "insideview.period"),
    ("insideview_period_a_number", _set("insideview.period", 1), "insideview.period"),
    ("insideview_client_secret_missing", _set("insideview.client_secret", ...), "insideview.client_secret"),
    (
        "insideview_token_url_http_public_host",
        _set("insideview.token_url", "http://login.insideview.com/t"),
        "insideview.token_url",
    ),
    (
        "whitepages_base_url_http_public_host",
        _set("whitepages.base_url", "http://api.whitepages.com"),
        "whitepages.base_url",
    ),
    (
        "whitepages_base_url_not_a_url",
        _set("whitepages.base_url", "api whitepages com"),
        "whitepages.base_url",
    ),
    (
        "whitepages_base_url_with_credentials",
        _set("whitepages.base_url", "https://me:pw@api.whitepages.com"),
        "whitepages.base_url",
    ),
    (
        "whitepages_base_url_with_a_query",
        _set("whitepages.base_url", "https://api.whitepages.com/?api_key=1"),
        "whitepages.base_url",
    ),
    ("leaf_password_empty", _set("leaf.password", "   "), "leaf.password"),
    ("leaf_username_a_list", _set("leaf.username", ["leaf@sandbox.test"]), "leaf.username"),
    ("leaf_base_url_ftp", _set("leaf.base_url", "ftp://api.withleaf.io"), "leaf.base_url"),
    ("config_an_array", lambda config: [config], "config"),
    # values of any length are quoted cut short; secrets that no request can carry are named, never quoted
    ("start_date_20000_characters", _set("start_date", "2" * 20_000), "start_date"),
    ("leadfeeder_api_key_with_a_control_character", _set("leadfeeder.api_key", "lf-sandbox\x01key"), "api_key"),
    ("unknown_field_20000_characters", _set("x" * 20_000, 1), "unknown field"),
    ("whitepages_api_key_with_a_line_break", _set("whitepages.api_key", "wp-sandbox-key\n"), "whitepages.api_key"),
    ("leaf_password_an_unpaired_surrogate", _set("leaf.password", "leaf-\ud800-password"), "leaf.password"),
    ("leadfeeder_api_key_non_ascii", _set("leadfeeder.api_key", "lf-sändbox-key"), "leadfeeder.api_key"),
]

# (case id, the config file's text, the command)
RAW_CONFIGS = [("config_not_json", "{start_date: 2024-01-01", "check"), ("config_empty_file", "", "read")]


def _one_sentence(text: str) -> bool:
    return (
        bool(text)
        and "\n" not in text
        and text.rstrip().endswith(".")
        and not re.search(r"\.\s+[A-Z]", text)
        and "Traceback" not in text
        and len(text) < 300
    )


def _assert_refused_cleanly(run: Run, command: str, sandbox: Any, needle: str) -> None:
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
    assert needle.lower() in messages[0].lower(), f"{needle!r} is not named in {messages[0]!r}"
    assert sandbox.stats()["total"] == 0, f"a request was sent: {sandbox.stats()}"


@pytest.mark.parametrize(("case", "edit", "needle"), CONFIGS, ids=[case[0] for case in CONFIGS])
def test_an_invalid_config_gets_one_sentence_naming_the_field_and_no_request(
    fresh_sandbox: Any, case: str, edit: Any, needle: str
) -> None:
    command = COMMANDS[[c[0] for c in CONFIGS].index(case) % len(COMMANDS)]
    config = edit(fresh_sandbox.config())
    run = run_connector(
        command, config=config, catalog=catalog(["daily_usage"]) if command == "read" else None
    )
    _assert_refused_cleanly(run, command, fresh_sandbox, needle)


@pytest.mark.parametrize(("case", "text", "command"), RAW_CONFIGS, ids=[case[0] for case in RAW_CONFIGS])
def test_an_unreadable_config_file_gets_one_sentence_and_no_request(
    fresh_sandbox: Any, case: str, text: str, command: str
) -> None:
    configured = catalog(["daily_usage"]) if command == "read" else None
    run = run_connector(command, config={}, catalog=configured, raw_files={"config": text})
    _assert_refused_cleanly(run, command, fresh_sandbox, "config")


def _stream_state(name: str, value: Any) -> list[dict[str, Any]]:
    return [{"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": value}}]


def _catalog_with(stream: str = "daily_usage", name: str | None = None, **changes: Any) -> dict[str, Any]:
    configured = catalog([stream])
    configured["streams"][0].update(changes)
    if name:
        configured["streams"][0]["stream"]["name"] = name
    return configured


# (case id, catalog, state, raw files, a word the sentence must contain)
READS: list[tuple[str, Any, Any, dict[str, str], str]] = [
    ("catalog_unknown_stream", _catalog_with(name="invoices"), None, {}, "invoices"),
    ("catalog_stream_of_an_unconfigured_vendor", catalog(["accounts"]), None, {}, "accounts"),
    (
        "catalog_stream_without_a_name",
        {"streams": [{"stream": {"json_schema": {}}, "sync_mode": "full_refresh"}]},
        None,
        {},
        "catalog",
    ),
    ("catalog_not_json", None, None, {"catalog": "streams: [daily_usage]"}, "catalog"),
    ("catalog_wrong_shape", None, None, {"catalog": '{"streams": "daily_usage"}'}, "catalog"),
    ("catalog_unknown_sync_mode", _catalog_with(sync_mode="sometimes"), None, {}, "catalog"),
    ("state_not_json", catalog(["daily_usage"]), None, {"state": "[{date: 2026-11-01}]"}, "state"),
    (
        "state_date_in_the_future",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"date": FUTURE}),
        {},
        "daily_usage",
    ),
    (
        "state_date_not_a_date",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"date": "yesterday"}),
        {},
        "daily_usage",
    ),
    (
        "state_date_a_number",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"date": 20261101}),
        {},
        "daily_usage",
    ),
    (
        "state_wrong_cursor_field",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", {"day": "2026-11-01"}),
        {},
        "daily_usage",
    ),
    (
        "state_not_an_object",
        catalog(["daily_usage"]),
        _stream_state("daily_usage", ["2026-11-01"]),
        {},
        "daily_usage",
    ),
    (
        "state_partitions_not_a_list",
        catalog(["contract_consumption"]),
        _stream_state("contract_consumption", {"states": {"a": "2026-11-01"}}),
        {},
        "contract_consumption",
    ),
    (
        "state_global_message",
        catalog(["daily_usage"]),
        [{"type": "GLOBAL", "global": {"shared_state": {}, "stream_states": []}}],
        {},
        "state",
    ),
    ("state_legacy_object", catalog(["daily_usage"]), {"daily_usage": {"date": "2026-11-01"}}, {}, "state"),
]


@pytest.mark.parametrize(
    ("case", "configured", "state", "raw", "needle"), READS, ids=[case[0] for case in READS]
)
def test_a_bad_catalog_or_state_gets_one_sentence_and_no_request(
    fresh_sandbox: Any, case: str, configured: Any, state: Any, raw: dict[str, str], needle: str
) -> None:
    config = fresh_sandbox.config("whitepages", "leaf")
    run = run_connector(
        "read",
        config=config,
        catalog=configured if configured is not None else {},
        state=state,
        raw_files=raw,
    )
    _assert_refused_cleanly(run, "read", fresh_sandbox, needle)
