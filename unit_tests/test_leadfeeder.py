"""accounts and api_usage (Leadfeeder) against mocked HTTP: the requests of each sync, state, records, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest
import requests
import time_machine
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.models.declarative_component_schema import HTTPAPIBudget
from airbyte_cdk.sources.declarative.parsers.model_to_component_factory import ModelToComponentFactory
from airbyte_cdk.sources.streams.call_rate import CallRateLimitHit
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from connector import (
    LEADFEEDER_KEY,
    LEADFEEDER_URL,
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

from source_usage.declared import manifest

pytestmark = pytest.mark.usefixtures("waits")

RESPONSES = Path(__file__).parent / "responses" / "leadfeeder"
HEADERS = {"X-Api-Key": LEADFEEDER_KEY}


def template(name: str) -> Dict[str, Any]:
    return json.loads((RESPONSES / f"{name}.json").read_text())


def answer(name: str, status: int = 200, headers: Optional[Dict[str, str]] = None) -> HttpResponse:
    return HttpResponse(json.dumps(template(name)), status, headers or {})


def account_list(*ids: Any, next_page: Optional[str] = None) -> HttpResponse:
    body = template("accounts")
    summary = body["data"][0]
    body["data"] = [
        {**summary, "id": account_id, "attributes": {"name": f"Account {account_id}"}} for account_id in ids
    ]
    if next_page:
        body["links"] = {"next": next_page}
    return HttpResponse(json.dumps(body))


def account(account_id: Any) -> HttpResponse:
    """The answer to /v1/accounts?account_id=: a list holding that one account, with its credits."""
    body = template("account")
    body["data"][0]["id"] = int(account_id)
    body["data"][0]["attributes"]["name"] = f"Account {account_id}"
    return HttpResponse(json.dumps(body))


def usage(*periods: str) -> HttpResponse:
    """One usage row per month, the counts partly sent as strings as the vendor may."""
    body = template("usage")
    row = body["data"][0]
    body["data"] = [
        {**row, "id": f"{period}_companies/search_POST", "attributes": {**row["attributes"], "period": period}}
        for period in periods
    ]
    body["meta"]["total_records"] = len(periods)
    return HttpResponse(json.dumps(body))


def list_request(query: Optional[Dict[str, str]] = None) -> HttpRequest:
    return HttpRequest(f"{LEADFEEDER_URL}/v1/accounts", query_params=query, headers=HEADERS)


def account_request(account_id: str) -> HttpRequest:
    return list_request({"account_id": account_id})


def usage_request(account_id: str, start: str, end: str) -> HttpRequest:
    return HttpRequest(
        f"{LEADFEEDER_URL}/v1/usage",
        query_params={"account_id": account_id, "start_period": start, "end_period": end},
        headers=HEADERS,
    )


def expect_usage(
    http_mocker: HttpMocker, account_id: str, windows: Sequence[tuple[str, str]], *periods: str
) -> List[HttpRequest]:
    requests = []
    for start, end in windows:
        request = usage_request(account_id, start, end)
        http_mocker.get(request, usage(*(period for period in periods if start <= period <= end)))
        requests.append(request)
    return requests


def partition_cursors(stream_state: Dict[str, Any]) -> Dict[str, Any]:
    return {str(entry["partition"]["account_id"]): entry["cursor"] for entry in stream_state["states"]}


def listed(*account_ids: str, **fields: Any) -> Dict[str, Any]:
    """A config reading only these accounts, start 2026-01-01 and end 2026-11-20 unless given."""
    return config(
        leadfeeder={"account_ids": list(account_ids)},
        **{"start_date": "2026-01-01", "end_date": "2026-11-20", **fields},
    )


def test_leadfeeder_accounts_lists_the_accounts_then_reads_each(http_mocker: HttpMocker) -> None:
    listing = list_request()
    http_mocker.get(listing, account_list("111111", "222222"))
    details = [account_request(account_id) for account_id in ("111111", "222222")]
    http_mocker.get(details[0], account("111111"))
    http_mocker.get(details[1], account("222222"))

    output = run_read(config(leadfeeder=True), catalog("accounts"))

    assert not output.errors
    assert_each_sent_once(http_mocker, [listing, *details])
    assert sorted(record["id"] for record in records(output)) == ["111111", "222222"]


def test_leadfeeder_first_sync_reads_usage_per_account_in_24_month_windows(http_mocker: HttpMocker) -> None:
    listing = list_request()
    http_mocker.get(listing, account_list("111111", "222222"))
    windows = [("2024-01", "2025-12"), ("2026-01", "2026-11")]
    requests = [
        *expect_usage(http_mocker, "111111", windows, "2024-01", "2026-11"),
        *expect_usage(http_mocker, "222222", windows, "2025-06"),
    ]

    output = run_read(config(leadfeeder=True, start_date="2024-01-15", end_date="2026-11-20"), catalog("api_usage"))

    assert not output.errors
    http_mocker.assert_number_of_calls(listing, 1)
    assert_each_sent_once(http_mocker, requests)
    assert sorted((record["account_id"], record["period"]) for record in records(output)) == [
        ("111111", "2024-01"),
        ("111111", "2026-11"),
        ("222222", "2025-06"),
    ]
    assert partition_cursors(states(output, "api_usage")[-1]) == {
        "111111": {"period": "2026-12"},
        "222222": {"period": "2026-12"},
    }


def test_leadfeeder_reads_only_the_listed_account_ids(http_mocker: HttpMocker) -> None:
    detail = account_request("222222")
    http_mocker.get(detail, account("222222"))
    requests = expect_usage(http_mocker, "222222", [("2026-01", "2026-11")], "2026-03")

    output = run_read(listed("222222"), catalog("accounts", "api_usage"))

    assert not output.errors
    assert_each_sent_once(http_mocker, [detail, *requests])
    assert [record["id"] for record in records(output, "accounts")] == ["222222"]
    assert [record["account_id"] for record in records(output, "api_usage")] == ["222222"]


@pytest.mark.parametrize(
    ("start_date", "windows"),
    [
        pytest.param("2024-12-31", [("2024-12", "2026-11")], id="24-months-one-request"),
        pytest.param("2024-11-30", [("2024-11", "2026-10"), ("2026-11", "2026-11")], id="25-months-two"),
    ],
)
def test_leadfeeder_splits_usage_at_24_months(
    http_mocker: HttpMocker, start_date: str, windows: List[tuple[str, str]]
) -> None:
    requests = expect_usage(http_mocker, "111111", windows)

    output = run_read(listed("111111", start_date=start_date), catalog("api_usage"))

    assert not output.errors
    assert_each_sent_once(http_mocker, requests)


@pytest.mark.parametrize(
    ("lookback_days", "first_month"),
    [
        # the state 2026-12 says November was the last month read, on some day of it: the sync goes back
        # lookback_days from November's first day, so the month holding any of them is read again
        pytest.param(3, "2026-10", id="lookback-from-the-1st-reaches-the-previous-month"),
        pytest.param(0, "2026-11", id="no-lookback-still-rereads-the-last-month"),
        pytest.param(40, "2026-09", id="long-lookback-reaches-two-months-back"),
    ],
)
def test_leadfeeder_incremental_sync_rereads_every_month_holding_the_lookback_days_before_each_state(
    http_mocker: HttpMocker, lookback_days: int, first_month: str
) -> None:
    synced = expect_usage(http_mocker, "111111", [(first_month, "2026-11")], "2026-11")
    new = expect_usage(http_mocker, "222222", [("2026-01", "2026-11")], "2026-02")
    cursor = {"states": [{"partition": {"account_id": "111111"}, "cursor": {"period": "2026-12"}}]}

    output = run_read(
        listed("111111", "222222", lookback_days=lookback_days),
        catalog("api_usage"),
        state(api_usage=cursor),
    )

    assert not output.errors
    assert_each_sent_once(http_mocker, [*synced, *new])
    assert partition_cursors(states(output, "api_usage")[-1]) == {
        "111111": {"period": "2026-12"},
        "222222": {"period": "2026-12"},
    }


def test_leadfeeder_next_sync_resumes_from_the_state_the_first_sync_left(http_mocker: HttpMocker) -> None:
    listing = list_request()
    http_mocker.get(listing, account_list("111111"))
    first = expect_usage(http_mocker, "111111", [("2026-01", "2026-11")], "2026-01")
    cfg = config(leadfeeder=True, start_date="2026-01-01", end_date="2026-11-20")
    first_output = run_read(cfg, catalog("api_usage"))
    assert not first_output.errors
    assert_each_sent_once(http_mocker, first)
    http_mocker.clear_all_matchers()
    http_mocker.get(listing, account_list("111111"))
    second = expect_usage(http_mocker, "111111", [("2026-10", "2026-11")], "2026-11")

    second_output = run_read(cfg, catalog("api_usage"), state(api_usage=states(first_output, "api_usage")[-1]))

    assert not second_output.errors
    assert_each_sent_once(http_mocker, second)
    assert [record["period"] for record in records(second_output)] == ["2026-11"]


def test_leadfeeder_empty_window_still_advances_the_state(http_mocker: HttpMocker) -> None:
    expect_usage(http_mocker, "111111", [("2026-01", "2026-11")])

    output = run_read(listed("111111"), catalog("api_usage"))

    assert not output.errors
    assert records(output) == []
    assert partition_cursors(states(output, "api_usage")[-1]) == {"111111": {"period": "2026-12"}}


def test_leadfeeder_state_after_each_window_is_the_first_month_not_read(http_mocker: HttpMocker) -> None:
    expect_usage(http_mocker, "111111", [("2024-01", "2025-12"), ("2026-01", "2026-11")])

    output = run_read(listed("111111", start_date="2024-01-01", concurrency=1), catalog("api_usage"))

    assert not output.errors
    assert [partition_cursors(state)["111111"] for state in states(output, "api_usage")] == [
        {"period": "2026-01"},
        {"period": "2026-12"},
    ]


def test_leadfeeder_interrupted_sync_keeps_the_state_of_the_completed_empty_window(http_mocker: HttpMocker) -> None:
    expect_usage(http_mocker, "111111", [("2024-01", "2025-12")])
    http_mocker.get(usage_request("111111", "2026-01", "2026-11"), answer("invalid_parameter", 400))

    output = run_read(listed("111111", start_date="2024-01-01", concurrency=1), catalog("api_usage"))

    assert output.errors
    assert records(output) == []
    assert partition_cursors(states(output, "api_usage")[-1]) == {"111111": {"period": "2026-01"}}


def test_leadfeeder_accounts_follow_links_next(http_mocker: HttpMocker) -> None:
    second_page = f"{LEADFEEDER_URL}/v1/accounts?page=2"
    pages = [list_request(), list_request({"page": "2"})]
    http_mocker.get(pages[0], account_list("111111", next_page=second_page))
    http_mocker.get(pages[1], account_list("222222"))
    for account_id in ("111111", "222222"):
        http_mocker.get(account_request(account_id), account(account_id))

    output = run_read(config(leadfeeder=True), catalog("accounts"))

    assert not output.errors
    assert_each_sent_once(http_mocker, pages)
    assert sorted(record["id"] for record in records(output)) == ["111111", "222222"]


def test_leadfeeder_records_have_the_documented_shape(http_mocker: HttpMocker) -> None:
    http_mocker.get(account_request("111111"), answer("account"))
    http_mocker.get(usage_request("111111", "2026-01", "2026-11"), usage("2026-01"))

    output = run_read(listed("111111"), catalog("accounts", "api_usage"))

    assert not output.errors
    assert records(output, "accounts") == [
        {
            "id": "111111",
            "name": "Account 1",
            "credits_available": 500,
            "credits_used": 120,
            "credits_remaining": 380,
            "credits_next_reset_on": "2027-01-01",
        }
    ]
    assert records(output, "api_usage") == [
        {
            "account_id": "111111",
            "id": "2026-01_companies/search_POST",
            "period": "2026-01",
            "endpoint_path": "/companies/search",
            "http_method": "POST",
            "num_requests": 10,
            "num_failed_requests": 1,
            "num_successful_requests": 5,
            "num_returned_entities": 100,
        }
    ]


def test_leadfeeder_numeric_account_ids_become_strings(http_mocker: HttpMocker) -> None:
    http_mocker.get(list_request(), account_list(333333))
    http_mocker.get(usage_request("333333", "2026-01", "2026-11"), usage("2026-04"))

    output = run_read(config(leadfeeder=True, start_date="2026-01-01"), catalog("api_usage"))

    assert not output.errors
    assert [record["account_id"] for record in records(output)] == ["333333"]


def test_leadfeeder_streams_are_discovered_only_when_configured() -> None:
    with_leadfeeder = run_discover(config(leadfeeder=True))
    without_leadfeeder = run_discover(config(whitepages=True))

    assert sorted(stream.name for stream in with_leadfeeder.catalog.catalog.streams) == ["accounts", "api_usage"]
    assert not {"accounts", "api_usage"} & {stream.name for stream in without_leadfeeder.catalog.catalog.streams}


def test_leadfeeder_invalid_key_is_a_config_error_with_the_vendors_code(http_mocker: HttpMocker) -> None:
    request = account_request("111111")
    http_mocker.get(request, answer("invalid_api_key", 403))

    output = run_read(listed("111111"), catalog("accounts"))

    error = first_error(output)
    assert error.failure_type == FailureType.config_error
    assert error.message == (
        "Leadfeeder rejected the API key at https://api.leadfeeder.com/v1/accounts (invalid_api_key: The provided API "
        "key is invalid. Please check it and try again.); check leadfeeder.api_key (keys are made in Leadfeeder under "
        "Settings → Personal → API Keys)."
    )
    http_mocker.assert_number_of_calls(request, 1)


def test_leadfeeder_account_the_key_cannot_see_fails_naming_account_ids(http_mocker: HttpMocker) -> None:
    request = account_request("999999")
    http_mocker.get(request, HttpResponse('{"data": [], "meta": {"request_id": "r-1"}}'))

    output = run_read(listed("999999"), catalog("accounts"))

    error = first_error(output)
    assert error.failure_type == FailureType.config_error
    assert error.message == (
        "Leadfeeder lists no account for this API key at https://api.leadfeeder.com/v1/accounts among "
        "leadfeeder.account_ids (999999); check leadfeeder.account_ids and that the key's user may see those accounts."
    )
    http_mocker.assert_number_of_calls(request, 1)


def test_leadfeeder_usage_follows_links_next_with_the_same_window(http_mocker: HttpMocker) -> None:
    first = usage_request("111111", "2026-01", "2026-11")
    second_url = f"{LEADFEEDER_URL}/v1/usage?account_id=111111&start_period=2026-01&end_period=2026-11&page=2"
    second = HttpRequest(second_url, headers=HEADERS)
    body = json.loads(usage("2026-01").body)
    body["links"] = {"next": second_url}
    http_mocker.get(first, HttpResponse(json.dumps(body)))
    http_mocker.get(second, usage("2026-02"))

    output = run_read(listed("111111"), catalog("api_usage"))

    assert not output.errors
    assert_each_sent_once(http_mocker, [first, second])
    assert [record["period"] for record in records(output)] == ["2026-01", "2026-02"]


def test_leadfeeder_403_on_an_account_the_key_may_not_read_names_account_ids_not_the_key(
    http_mocker: HttpMocker,
) -> None:
    request = usage_request("222222", "2026-01", "2026-11")
    http_mocker.get(
        request, HttpResponse('{"code": "forbidden", "message": "You have no access to this account."}', 403)
    )

    output = run_read(listed("222222"), catalog("api_usage"))

    error = first_error(output)
    assert error.failure_type == FailureType.config_error
    assert error.message.startswith("Leadfeeder refused https://api.leadfeeder.com/v1/usage (403 forbidden: ")
    assert error.message.endswith("check that leadfeeder.account_ids lists accounts this API key may read.")
    assert "api_key" not in error.message


def test_leadfeeder_account_list_is_read_once_for_accounts_and_api_usage(http_mocker: HttpMocker) -> None:
    listing = list_request()
    http_mocker.get(listing, account_list("111111"))
    http_mocker.get(account_request("111111"), account("111111"))
    usage_requests = expect_usage(http_mocker, "111111", [("2026-01", "2026-11")], "2026-03")

    output = run_read(config(leadfeeder=True, start_date="2026-01-01"), catalog("accounts", "api_usage"))

    assert not output.errors
    http_mocker.assert_number_of_calls(listing, 1)
    assert_each_sent_once(http_mocker, usage_requests)
    assert [record["id"] for record in records(output, "accounts")] == ["111111"]
    assert [record["period"] for record in records(output, "api_usage")] == ["2026-03"]


def test_leadfeeder_unreadable_account_list_is_retried_and_never_served_from_the_cache(
    http_mocker: HttpMocker,
) -> None:
    listing = list_request()
    http_mocker.get(listing, [HttpResponse('{"data": [{"type": "account", "id": "1111', 200), account_list("111111")])
    http_mocker.get(account_request("111111"), account("111111"))
    expect_usage(http_mocker, "111111", [("2026-01", "2026-11")], "2026-03")

    output = run_read(config(leadfeeder=True, start_date="2026-01-01"), catalog("accounts", "api_usage"))

    assert not output.errors
    http_mocker.assert_number_of_calls(listing, 2)
    assert [record["id"] for record in records(output, "accounts")] == ["111111"]
    assert [record["period"] for record in records(output, "api_usage")] == ["2026-03"]


def test_leadfeeder_each_sync_reads_the_account_list_afresh(http_mocker: HttpMocker) -> None:
    listing = list_request()
    http_mocker.get(listing, [account_list("111111"), account_list("222222")])
    http_mocker.get(account_request("111111"), account("111111"))
    http_mocker.get(account_request("222222"), account("222222"))

    first = run_read(config(leadfeeder=True), catalog("accounts"))
    second = run_read(config(leadfeeder=True), catalog("accounts"))

    assert [record["id"] for record in records(first)] == ["111111"]
    assert [record["id"] for record in records(second)] == ["222222"]
    http_mocker.assert_number_of_calls(listing, 2)


@pytest.mark.parametrize(("max_requests_per_second", "allowed"), [(None, 10), (4, 4), (50, 10)])
def test_leadfeeder_requests_are_paced_at_ten_a_second_or_the_configured_lower_limit(
    max_requests_per_second: Optional[int], allowed: int
) -> None:
    """The manifest's budget, as the CDK builds it, on a frozen clock: `allowed` calls a second, then none."""
    settings = {} if max_requests_per_second is None else {"max_requests_per_second": max_requests_per_second}
    budget = ModelToComponentFactory().create_component(HTTPAPIBudget, manifest()["api_budget"], settings)
    calls = [
        requests.Request("GET", f"{LEADFEEDER_URL}/v1/{path}").prepare()
        for path in ("accounts?page[size]=100", "usage?account_id=111111", "accounts/111111")
    ]

    with time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=UTC), tick=False) as clock:
        for index in range(allowed):
            budget.acquire_call(calls[index % len(calls)], block=False)
        with pytest.raises(CallRateLimitHit):
            budget.acquire_call(calls[0], block=False)
        clock.shift(1.001)
        budget.acquire_call(calls[1], block=False)


def test_leadfeeder_halves_a_refused_range_of_months_and_keeps_the_step_for_the_next_window(
    http_mocker: HttpMocker,
) -> None:
    """24 months refused: 12 at a time from then on, the last window (11 months) asked whole."""
    refused = usage_request("111111", "2024-01", "2025-12")
    http_mocker.get(refused, answer("invalid_parameter", 400))
    windows = [("2024-01", "2024-12"), ("2025-01", "2025-12"), ("2026-01", "2026-11")]
    requests = expect_usage(http_mocker, "111111", windows, "2024-01", "2024-12", "2025-01", "2026-11")

    output = run_read(listed("111111", start_date="2024-01-01"), catalog("api_usage"))

    assert not output.errors
    assert_each_sent_once(http_mocker, [refused, *requests])
    assert sorted(record["period"] for record in records(output)) == ["2024-01", "2024-12", "2025-01", "2026-11"]
    assert partition_cursors(states(output, "api_usage")[-1]) == {"111111": {"period": "2026-12"}}


def test_leadfeeder_usage_follows_meta_pagination_where_no_link_is_offered(http_mocker: HttpMocker) -> None:
    """As public clients page Leadfeeder's sibling lists: `page[number]` from `meta.pagination`, pages shorter
    than asked, on the same window."""
    first = usage_request("111111", "2026-01", "2026-11")
    pages = []
    for number, period in ((1, "2026-01"), (2, "2026-02"), (3, "2026-03")):
        body = json.loads(usage(period).body)
        body["meta"] = {
            "total_records": 3,
            "pagination": {"current_page": number, "total_pages": 3, "next_page": number + 1 if number < 3 else None},
        }
        pages.append(HttpResponse(json.dumps(body)))
    query = "account_id=111111&start_period=2026-01&end_period=2026-11"
    later = [HttpRequest(f"{LEADFEEDER_URL}/v1/usage?{query}&page%5Bnumber%5D={n}", headers=HEADERS) for n in (2, 3)]
    http_mocker.get(first, pages[0])
    http_mocker.get(later[0], pages[1])
    http_mocker.get(later[1], pages[2])

    output = run_read(listed("111111"), catalog("api_usage"))

    assert not output.errors
    assert_each_sent_once(http_mocker, [first, *later])
    assert [record["period"] for record in records(output)] == ["2026-01", "2026-02", "2026-03"]


def test_leadfeeder_list_shorter_than_its_total_records_fails_naming_both_counts(http_mocker: HttpMocker) -> None:
    """A proxy cut the answer short: no silent partial sync, never a success."""
    body = json.loads(usage("2026-01", "2026-02").body)
    body["meta"]["total_records"] = 5
    http_mocker.get(usage_request("111111", "2026-01", "2026-11"), HttpResponse(json.dumps(body)))

    output = run_read(listed("111111"), catalog("api_usage"))

    error = first_error(output)
    assert error.message == (
        "Leadfeeder's list /v1/usage ended after 2 of the 5 records it says it holds, with no further page offered; "
        "sync again, and if it persists, tell the vendor."
    )
    # the window did not complete: the state claims nothing past the start
    assert {partition_cursors(state)["111111"]["period"] for state in states(output, "api_usage")} <= {"2026-01"}
