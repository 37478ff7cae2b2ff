"""The config rules: each bad config gets one sentence naming the field and the fix, before any request.

Every rule is held three ways: by `check_config` itself, by `check` (FAILED with the sentence) and by
`discover` (one config-error TRACE with the sentence), the last two through the shipped command.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Dict, Iterator

import pytest
import requests_mock
import time_machine
from airbyte_cdk.models import FailureType, Status
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from connector import config, run_check, run_discover

from source_usage.config_rules import ConfigProblem, check_config

NOW = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)  # the connector's clock in every test here: a month's last second
TODAY = NOW.date()
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


# one row per rule: (id, config, the sentence)
RULES = [
    pytest.param(
        config(whitepages=True, start_date=TOMORROW.isoformat()),
        f"start_date {TOMORROW.isoformat()} lies in the future; use a day up to {TODAY.isoformat()}.",
        id="future-start-date",
    ),
    pytest.param(
        config(whitepages=True, start_date="2026/01/01"),
        "start_date '2026/01/01' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
        id="malformed-start-date",
    ),
    pytest.param(
        config(whitepages=True, start_date="2026-02-01", end_date="2026-01-31"),
        "end_date 2026-01-31 is before start_date 2026-02-01; swap or fix them.",
        id="end-before-start",
    ),
    pytest.param(
        config(whitepages=True, lookback_days=-1),
        "lookback_days must be between 0 and 366, not -1.",
        id="negative-lookback",
    ),
    pytest.param(
        config(whitepages={"base_url": "http://api.whitepages.com"}),
        "whitepages.base_url uses plain http to api.whitepages.com; use https, since only loopback hosts may use http.",
        id="http-to-public-host",
    ),
    pytest.param(
        config(),
        "No vendor is configured; add at least one of the leadfeeder, insideview, whitepages or leaf blocks.",
        id="no-vendor",
    ),
    pytest.param(
        config(leadfeeder={"api_key": ""}),
        "leadfeeder.api_key is empty; copy the Leadfeeder API key into it.",
        id="empty-key",
    ),
    pytest.param(
        config(whitepages=True, api_key="wp-unit-key-misplaced-0000"),
        "The config has an unknown field 'api_key'; the vendor blocks are leadfeeder, insideview, whitepages and leaf.",
        id="unknown-field",
    ),
    pytest.param(
        config(insideview={"period": "week"}),
        "insideview.period 'week' is unknown; use day, month or year.",
        id="unknown-period",
    ),
    pytest.param(
        config(leadfeeder={"account_ids": "123456"}),
        "leadfeeder.account_ids must be a list of account IDs such as [\"123456\"], not '123456'.",
        id="account-ids-not-a-list",
    ),
]

# further shapes of the same rules, held by check_config alone
VARIANTS = [
    pytest.param(
        config(whitepages=True, end_date="2026-02-30"),
        "end_date '2026-02-30' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
        id="impossible-end-date",
    ),
    pytest.param(
        config(whitepages={"apikey": "wp-unit-key-misspelt-0000"}),
        "whitepages.apikey is not a Whitepages setting; the settings are api_key, base_url.",
        id="unknown-vendor-field",
    ),
    pytest.param(
        config(whitepages=True, start_date=20260101),
        "start_date must be a day written as text in the form YYYY-MM-DD, e.g. 2024-01-01, not 20260101.",
        id="start-date-a-number",
    ),
    pytest.param(
        config(whitepages=True, start_date=None),
        "start_date is required as a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
        id="start-date-missing",
    ),
    pytest.param(
        config(whitepages=True, start_date="2026-1-5"),
        "start_date '2026-1-5' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
        id="start-date-unpadded",
    ),
    pytest.param(
        config(whitepages=True, start_date="2026-01-01T00:00:00Z"),
        "start_date '2026-01-01T00:00:00Z' is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.",
        id="start-date-a-timestamp",
    ),
    pytest.param(
        config(whitepages=True, end_date=TOMORROW.isoformat()),
        f"end_date {TOMORROW.isoformat()} lies in the future; leave it empty to read up to today.",
        id="future-end-date",
    ),
    pytest.param(
        config(whitepages=True, lookback_days="3"),
        "lookback_days must be a whole number, not '3'.",
        id="lookback-a-string",
    ),
    pytest.param(
        config(leadfeeder={"base_url": "http://10.0.0.5:8080"}),
        "leadfeeder.base_url uses plain http to 10.0.0.5; use https, since only loopback hosts may use http.",
        id="http-to-private-host",
    ),
    pytest.param(
        config(insideview={"token_url": "http://login.insideview.com/Auth/login/v1/token.json"}),
        "insideview.token_url uses plain http to login.insideview.com; use https, since only loopback hosts may use "
        "http.",
        id="http-token-url",
    ),
    pytest.param(
        config(whitepages={"api_key": "   "}),
        "whitepages.api_key is empty; copy the Whitepages API key into it.",
        id="blank-key",
    ),
    pytest.param(
        config(leaf={"password": None}),
        "leaf.password is missing; copy the Leaf password into it.",
        id="missing-secret",
    ),
    pytest.param(
        config(leadfeeder={"account_ids": [123456]}),
        'leadfeeder.account_ids holds 123456, which is not an account ID; list IDs as text such as "123456".',
        id="account-ids-numbers",
    ),
]

# the remaining rules and shapes, each sentence word for word, held by check_config alone
EDGES = [
    pytest.param(
        ["start_date"],
        "The config must be a JSON object; see the README's Config section.",
        id="not-an-object",
    ),
    pytest.param(
        config(whitepages={"api_key": "k\ud800"}),
        "The config field 'whitepages.api_key' holds a character that is not valid text (an unpaired "
        "surrogate, often left by a bad copy and paste); type that value again.",
        id="surrogate-value",
    ),
    pytest.param(
        config(leadfeeder={"account_ids": ["1", "2\udc00"]}),
        "The config field 'leadfeeder.account_ids[1]' holds a character that is not valid text (an "
        "unpaired surrogate, often left by a bad copy and paste); type that value again.",
        id="surrogate-list",
    ),
    pytest.param(
        config(whitepages={"api_key": "k", "x\udc00": 1}),
        "The config field 'whitepages.x\\udc00' holds a character that is not valid text (an unpaired "
        "surrogate, often left by a bad copy and paste); type that value again.",
        id="surrogate-key",
    ),
    pytest.param(
        config(whitepages=True, max_requests_per_second=0),
        "max_requests_per_second must be at least 1, not 0.",
        id="at-least",
    ),
    pytest.param(
        config(whitepages=True, concurrency=33),
        "concurrency must be between 1 and 32, not 33.",
        id="above-max",
    ),
    pytest.param(
        config(whitepages=True, lookback_days=True),
        "lookback_days must be a whole number, not true.",
        id="bool-integer",
    ),
    pytest.param(
        config(whitepages="wp-key"),
        'whitepages must be an object with the Whitepages settings, e.g. {"api_key": "..."}.',
        id="block-not-object",
    ),
    pytest.param(
        config(leadfeeder={"api_key": "abc def"}),
        "leadfeeder.api_key holds a space at position 4 of 7, which cannot be sent in an HTTP header; copy "
        "the Leadfeeder API key again without it.",
        id="header-space",
    ),
    pytest.param(
        config(whitepages={"api_key": "abcdéf"}),
        "whitepages.api_key holds a non-ASCII character at position 5 of 6, which cannot be sent in an "
        "HTTP header; copy the Whitepages API key again without it.",
        id="header-non-ascii",
    ),
    pytest.param(
        config(whitepages={"base_url": "ftp://api.whitepages.com"}),
        "whitepages.base_url is not an http(s) URL with a host; leave it empty for Whitepages' own API.",
        id="not-a-url",
    ),
    pytest.param(
        config(whitepages={"base_url": "https://"}),
        "whitepages.base_url is not an http(s) URL with a host; leave it empty for Whitepages' own API.",
        id="url-without-host",
    ),
    pytest.param(
        config(leaf={"base_url": "https://user:pw@api.withleaf.io"}),
        "leaf.base_url must not carry credentials or a query; put secrets in their own fields.",
        id="url-credentials",
    ),
    pytest.param(
        config(leaf={"base_url": "https://api.withleaf.io/?key=1"}),
        "leaf.base_url must not carry credentials or a query; put secrets in their own fields.",
        id="url-query",
    ),
    pytest.param(
        config(leadfeeder={"account_ids": ["12/34"]}),
        "leadfeeder.account_ids holds '12/34', which is not an account ID; list IDs as text such as \"123456\".",
        id="account-id-slash",
    ),
    pytest.param(
        config(insideview={"period": 7}),
        "insideview.period 7 is unknown; use day, month or year.",
        id="unknown-period-number",
    ),
    pytest.param(
        config(whitepages={"x" * 100: 1}),
        "whitepages.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (100 characters) is not "
        "a Whitepages setting; the settings are api_key, base_url.",
        id="long-unknown-setting",
    ),
]

LOOPBACK_URLS = ["http://127.0.0.1:8765/whitepages", "http://localhost:8765/whitepages", "http://[::1]:8765/whitepages"]


@pytest.fixture
def sent() -> Iterator[requests_mock.Mocker]:
    """Catches every HTTP request, so a test can hold that none was sent."""
    with requests_mock.Mocker() as mocker:
        yield mocker


def assert_no_traceback(output: EntrypointOutput) -> None:
    assert all("Traceback" not in (message.log.message or "") for message in output.logs)
    assert all(not error.trace.error.stack_trace for error in output.errors)


@pytest.mark.parametrize(("cfg", "sentence"), [*RULES, *VARIANTS, *EDGES])
def test_config_rule_gives_its_sentence(cfg: Dict[str, Any], sentence: str) -> None:
    with pytest.raises(ConfigProblem) as problem:
        check_config(cfg, today=TODAY)

    assert str(problem.value) == sentence


@pytest.mark.parametrize(("cfg", "sentence"), RULES)
def test_check_answers_the_rules_sentence_before_any_request(
    sent: requests_mock.Mocker, cfg: Dict[str, Any], sentence: str
) -> None:
    output = run_check(cfg)

    [status] = [message.connectionStatus for message in output.connection_status_messages]
    assert status.status == Status.FAILED
    assert status.message == sentence
    assert sent.call_count == 0
    assert_no_traceback(output)


@pytest.mark.parametrize(("cfg", "sentence"), RULES)
def test_discover_fails_with_the_rules_sentence_before_any_request(
    sent: requests_mock.Mocker, cfg: Dict[str, Any], sentence: str
) -> None:
    output = run_discover(cfg)

    [error] = [message.trace.error for message in output.errors]
    assert error.message == sentence
    assert error.failure_type == FailureType.config_error
    assert sent.call_count == 0
    assert_no_traceback(output)


@pytest.mark.parametrize("base_url", LOOPBACK_URLS)
def test_loopback_http_base_url_is_allowed(base_url: str) -> None:
    check_config(config(whitepages={"base_url": base_url}), today=TODAY)


def test_discover_accepts_a_loopback_http_base_url(sent: requests_mock.Mocker) -> None:
    output = run_discover(config(whitepages={"base_url": LOOPBACK_URLS[0]}))

    assert not output.errors
    assert [stream.name for stream in output.catalog.catalog.streams] == ["daily_usage"]
    assert sent.call_count == 0


def test_a_config_with_every_vendor_passes_the_rules() -> None:
    cfg = config(leadfeeder={"account_ids": ["123456"]}, insideview=True, whitepages=True, leaf=True)

    check_config(cfg, today=TODAY)


def test_a_quoted_value_is_cut_to_a_readable_length_whatever_its_size() -> None:
    with pytest.raises(ConfigProblem) as raised:
        check_config({"start_date": "2" * 20_000, "whitepages": {"api_key": "k"}}, today=TODAY)

    assert len(str(raised.value)) < 200
    assert "(20,000 characters)" in str(raised.value)


@pytest.mark.parametrize(
    ("key", "kind"),
    [("abc\ndef", "line break"), ("abc\x00def", "control character"), ("abc def", "space"), ("abcdéf", "non-ASCII")],
)
def test_a_header_secret_that_cannot_be_sent_is_a_config_error_naming_the_field_not_the_secret(
    key: str, kind: str
) -> None:
    with pytest.raises(ConfigProblem) as raised:
        check_config({"start_date": "2026-01-01", "leadfeeder": {"api_key": key}}, today=TODAY)

    assert str(raised.value).startswith(f"leadfeeder.api_key holds a {kind}")
    assert key not in str(raised.value)


def test_an_unpaired_surrogate_anywhere_is_a_config_error_that_can_be_printed() -> None:
    config = {"start_date": "2026-01-01", "insideview": {"client_id": "id", "client_secret": "se\ud800cret"}}

    with pytest.raises(ConfigProblem) as raised:
        check_config(config, today=TODAY)

    assert "'insideview.client_secret'" in str(raised.value)
    str(raised.value).encode("utf-8")
