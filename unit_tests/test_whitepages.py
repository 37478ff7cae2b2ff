"""daily_usage (Whitepages) against mocked HTTP: the requests of each sync, its state, its records, its errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import time_machine
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from connector import (
    WHITEPAGES_KEY,
    WHITEPAGES_URL,
    assert_each_sent_once,
    catalog,
    config,
    first_error,
    records,
    run_discover,
    run_read,
    state,
    states,
)

pytestmark = pytest.mark.usefixtures("waits")

USAGE_URL = f"{WHITEPAGES_URL}/v1/account/usage/"
RESPONSES = Path(__file__).parent / "responses" / "whitepages"


def template(name: str) -> Dict[str, Any]:
    return json.loads((RESPONSES / f"{name}.json").read_text())


def usage(*days: str) -> HttpResponse:
    """An answer with one day of usage per given day, request_count sent as a string as the vendor may."""
    body = template("usage")
    body["usage_data"] = [{"date": day, "request_count": str(10 + index)} for index, day in enumerate(days)]
    body["total_requests_in_timeperiod"] = sum(10 + index for index in range(len(days)))
    return HttpResponse(json.dumps(body))


def answer(name: str, status: int, headers: Optional[Dict[str, str]] = None) -> HttpResponse:
    return HttpResponse(json.dumps(template(name)), status, headers or {})


def window(start: str, end: str) -> HttpRequest:
    return HttpRequest(
        USAGE_URL, query_params={"start_date": start, "end_date": end}, headers={"X-Api-Key": WHITEPAGES_KEY}
    )


def read_daily_usage(cfg: Dict[str, Any], **stream_state: Any) -> EntrypointOutput:
    return run_read(cfg, catalog("daily_usage"), state(daily_usage=stream_state) if stream_state else None)


def expect(http_mocker: HttpMocker, windows: List[tuple[str, str]], *days: str) -> List[HttpRequest]:
    """Mocks one request per window, each answering the given days that fall inside it."""
    requests = []
    for start, end in windows:
        request = window(start, end)
        http_mocker.get(request, usage(*(day for day in days if start <= day <= end)))
        requests.append(request)
    return requests


def test_whitepages_first_sync_reads_90_day_windows_from_start_date(http_mocker: HttpMocker) -> None:
    requests = expect(
        http_mocker, [("2026-06-01", "2026-08-29"), ("2026-08-30", "2026-11-20")], "2026-06-01", "2026-11-20"
    )

    output = read_daily_usage(config(whitepages=True, start_date="2026-06-01", end_date="2026-11-20"))

    assert not output.errors
    assert_each_sent_once(http_mocker, requests)
    assert sorted(record["date"] for record in records(output)) == ["2026-06-01", "2026-11-20"]
    assert states(output, "daily_usage")[-1] == {"date": "2026-11-21"}


@pytest.mark.parametrize(
    ("start_date", "windows"),
    [
        pytest.param("2026-08-23", [("2026-08-23", "2026-11-20")], id="90-days-one-request"),
        pytest.param("2026-08-22", [("2026-08-22", "2026-11-19"), ("2026-11-20", "2026-11-20")], id="91-days-two"),
    ],
)
def test_whitepages_splits_ranges_at_90_days(
    http_mocker: HttpMocker, start_date: str, windows: List[tuple[str, str]]
) -> None:
    requests = expect(http_mocker, windows)

    output = read_daily_usage(config(whitepages=True, start_date=start_date, end_date="2026-11-20"))

    assert not output.errors
    assert_each_sent_once(http_mocker, requests)


def test_whitepages_records_are_days_with_integer_counts(http_mocker: HttpMocker) -> None:
    http_mocker.get(window("2026-09-01", "2026-11-20"), HttpResponse(json.dumps(template("usage"))))

    output = read_daily_usage(config(whitepages=True, start_date="2026-09-01", end_date="2026-11-20"))

    assert not output.errors
    assert sorted(records(output), key=lambda record: record["date"]) == [
        {"date": "2026-09-01", "request_count": 42},
        {"date": "2026-11-20", "request_count": 7},
    ]


@pytest.mark.parametrize(
    ("lookback_days", "cursor", "first_day"),
    [
        pytest.param(3, "2026-11-21", "2026-11-17", id="default-lookback"),
        pytest.param(0, "2026-11-21", "2026-11-20", id="no-lookback-rereads-last-day"),
        pytest.param(10, "2026-11-01", "2026-10-21", id="older-state"),
    ],
)
def test_whitepages_incremental_sync_starts_lookback_plus_one_days_before_state(
    http_mocker: HttpMocker, lookback_days: int, cursor: str, first_day: str
) -> None:
    requests = expect(http_mocker, [(first_day, "2026-11-20")], first_day, "2026-11-20")

    output = read_daily_usage(
        config(whitepages=True, start_date="2026-01-01", end_date="2026-11-20", lookback_days=lookback_days),
        date=cursor,
    )

    assert not output.errors
    assert_each_sent_once(http_mocker, requests)
    assert sorted(record["date"] for record in records(output)) == [first_day, "2026-11-20"]
    assert states(output, "daily_usage")[-1] == {"date": "2026-11-21"}


@time_machine.travel(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), tick=False)  # a year's last second
def test_whitepages_rereads_the_current_day(http_mocker: HttpMocker) -> None:
    today = datetime.now(UTC).date()
    requests = expect(http_mocker, [(today.isoformat(), today.isoformat())], today.isoformat())

    output = read_daily_usage(
        config(whitepages=True, start_date="2026-01-01", end_date=None, lookback_days=0),
        date=(today + timedelta(days=1)).isoformat(),
    )

    assert not output.errors
    assert_each_sent_once(http_mocker, requests)
    assert [record["date"] for record in records(output)] == [today.isoformat()]
    assert states(output, "daily_usage")[-1] == {"date": (today + timedelta(days=1)).isoformat()}


def test_whitepages_empty_window_still_advances_the_state(http_mocker: HttpMocker) -> None:
    expect(http_mocker, [("2026-09-01", "2026-11-20")])

    output = read_daily_usage(config(whitepages=True, start_date="2026-09-01", end_date="2026-11-20"))

    assert not output.errors
    assert records(output) == []
    assert states(output, "daily_usage")[-1] == {"date": "2026-11-21"}


def test_whitepages_state_after_each_window_is_the_first_day_not_read(http_mocker: HttpMocker) -> None:
    expect(http_mocker, [("2026-06-01", "2026-08-29"), ("2026-08-30", "2026-11-20")])

    output = read_daily_usage(config(whitepages=True, start_date="2026-06-01", end_date="2026-11-20", concurrency=1))

    assert not output.errors
    assert states(output, "daily_usage")[:2] == [{"date": "2026-08-30"}, {"date": "2026-11-21"}]


def test_whitepages_interrupted_sync_keeps_the_state_of_the_completed_empty_window(http_mocker: HttpMocker) -> None:
    expect(http_mocker, [("2026-06-01", "2026-08-29")])
    http_mocker.get(window("2026-08-30", "2026-11-20"), answer("bad_request", 400))

    output = read_daily_usage(config(whitepages=True, start_date="2026-06-01", end_date="2026-11-20", concurrency=1))

    assert output.errors
    assert records(output) == []
    assert states(output, "daily_usage")[-1] == {"date": "2026-08-30"}


def test_whitepages_stream_is_discovered_only_when_configured() -> None:
    with_whitepages = run_discover(config(whitepages=True))
    without_whitepages = run_discover(config(leadfeeder=True))

    assert [stream.name for stream in with_whitepages.catalog.catalog.streams] == ["daily_usage"]
    assert "daily_usage" not in [stream.name for stream in without_whitepages.catalog.catalog.streams]


def test_whitepages_invalid_key_is_a_config_error_naming_the_field(http_mocker: HttpMocker) -> None:
    request = window("2026-09-01", "2026-11-20")
    http_mocker.get(request, answer("forbidden", 403))

    output = read_daily_usage(config(whitepages=True, start_date="2026-09-01", end_date="2026-11-20"))

    error = first_error(output)
    assert error.failure_type == FailureType.config_error
    assert error.message == (
        "Whitepages rejected the API key at https://api.whitepages.com/v1/account/usage/ (Forbidden); "
        "check whitepages.api_key."
    )
    http_mocker.assert_number_of_calls(request, 1)
    assert records(output) == []


@pytest.mark.parametrize("status_code", [429, 403])
def test_whitepages_limit_exceeded_is_reported_as_quota_not_key(
    http_mocker: HttpMocker, waits: List[float], status_code: int
) -> None:
    request = window("2026-09-01", "2026-11-20")
    http_mocker.get(request, answer("limit_exceeded", status_code))

    output = read_daily_usage(config(whitepages=True, start_date="2026-09-01", end_date="2026-11-20"))

    error = first_error(output)
    assert error.message.startswith("Whitepages says the request quota of this API key is used up")
    assert "check whitepages.api_key" not in error.message
    assert error.failure_type != FailureType.config_error
    assert waits == []
    http_mocker.assert_number_of_calls(request, 1)


def test_whitepages_unreadable_200_forever_fails_naming_the_vendor(http_mocker: HttpMocker) -> None:
    request = window("2026-09-01", "2026-11-20")
    http_mocker.get(request, [HttpResponse("<html>maintenance</html>", 200)] * 6)

    output = read_daily_usage(config(whitepages=True, start_date="2026-09-01", end_date="2026-11-20"))

    error = first_error(output)
    assert error.message and "Whitepages" in error.message
    assert records(output) == []
    http_mocker.assert_number_of_calls(request, 6)


def test_whitepages_halves_a_refused_window_and_reads_the_rest_in_the_step_that_worked(
    http_mocker: HttpMocker,
) -> None:
    """A plan's limit shorter than 90 days: the first window is refused once, halved to 45 days, and the later
    windows are asked in 45 days at once, never refused again (an unmocked request would fail the sync)."""
    refused = window("2026-03-01", "2026-05-29")
    http_mocker.get(refused, answer("bad_request", 400))
    pieces = [
        ("2026-03-01", "2026-04-14"),
        ("2026-04-15", "2026-05-29"),
        ("2026-05-30", "2026-07-13"),
        ("2026-07-14", "2026-08-27"),
        ("2026-08-28", "2026-10-11"),
        ("2026-10-12", "2026-11-20"),
    ]
    days = ["2026-03-01", "2026-04-15", "2026-05-29", "2026-05-30", "2026-08-27", "2026-08-28", "2026-11-20"]
    requests = expect(http_mocker, pieces, *days)

    output = read_daily_usage(config(whitepages=True, start_date="2026-03-01", end_date="2026-11-20"))

    assert not output.errors
    assert_each_sent_once(http_mocker, [refused, *requests])
    assert sorted(record["date"] for record in records(output)) == days
    assert states(output, "daily_usage")[-1] == {"date": "2026-11-21"}


def test_whitepages_state_moves_only_past_whole_windows_while_they_are_split(http_mocker: HttpMocker) -> None:
    """The second 45-day piece of the first window fails: no state moves, though the first piece was read."""
    http_mocker.get(window("2026-06-01", "2026-08-29"), answer("bad_request", 400))
    http_mocker.get(window("2026-06-01", "2026-07-15"), usage("2026-06-01"))
    http_mocker.get(window("2026-07-16", "2026-08-29"), answer("forbidden", 403))
    http_mocker.get(window("2026-08-30", "2026-10-13"), usage("2026-08-30"))
    http_mocker.get(window("2026-10-14", "2026-11-20"), usage("2026-11-20"))

    output = read_daily_usage(config(whitepages=True, start_date="2026-06-01", end_date="2026-11-20"))

    assert output.errors
    assert states(output, "daily_usage")[-1] == {"date": "2026-06-01"}
