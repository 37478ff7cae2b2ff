"""credits and api_transactions (InsideView) against mocked HTTP: token, formats, windows, state, errors."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, List, Mapping, Optional
from urllib.parse import urlencode

import pytest
from airbyte_cdk.models import ConfiguredAirbyteCatalog
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from airbyte_cdk.test.mock_http.request import ANY_QUERY_PARAMS
from connector import (
    END_DATE,
    INSIDEVIEW_CLIENT_ID,
    INSIDEVIEW_CLIENT_SECRET,
    INSIDEVIEW_TOKEN_URL,
    INSIDEVIEW_URL,
    assert_succeeded,
    catalog,
    config,
    records,
    run_read,
    state,
    states,
)

from source_usage import components

pytestmark = pytest.mark.usefixtures("waits", "fresh_sessions")

RESPONSES = Path(__file__).parent / "responses" / "insideview"
USAGE_URL = f"{INSIDEVIEW_URL}/api/v1/admin/usage"
TOKEN = "iv-unit-token-first-8d41c7e2a9"
SECOND_TOKEN = "iv-unit-token-second-2b6f0e93d5"
FAR_FUTURE = "Fri, Dec 31, 2099 11:59:59 PM GMT"
# the seed's example: long gone, so a token that carries it has expired
EXPIRED = "Tue, Jul 21, 2015 09:08:17 PM GMT"
WRONG_SECRET = "iv-unit-wrong-secret-6e2d9b4c1a7f"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[datetime]:
    """The authenticator's clock, set to now and moved by the test."""

    class Clock(datetime):
        current = datetime.now(UTC)

        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return cls.current

    monkeypatch.setattr(components, "datetime", Clock)
    return Clock


def template(name: str) -> str:
    return (RESPONSES / name).read_text()


def login(client_secret: str = INSIDEVIEW_CLIENT_SECRET) -> HttpRequest:
    form = urlencode({"clientId": INSIDEVIEW_CLIENT_ID, "clientSecret": client_secret, "grantType": "cred"})
    return HttpRequest(INSIDEVIEW_TOKEN_URL, body=form)


def token(access_token: str = TOKEN, expires: str = FAR_FUTURE) -> HttpResponse:
    body = json.loads(template("token.json"))
    body["accessTokenDetails"].update(accessToken=access_token, expirationTime=expires)
    return HttpResponse(json.dumps(body))


def usage(period: str, start: str, end: str, access_token: str = TOKEN) -> HttpRequest:
    return HttpRequest(
        USAGE_URL,
        query_params={"period": period, "start": start, "end": end},
        headers={"accessToken": access_token, "Accept": "application/json"},
    )


def credits_request(access_token: str = TOKEN) -> HttpRequest:
    return usage("day", END_DATE, END_DATE, access_token)


def usage_body(usage_for_account: Optional[List[Mapping[str, Any]]] = None) -> Mapping[str, Any]:
    body = json.loads(template("usage_day.json"))
    if usage_for_account is not None:
        body["usageForAccount"] = copy.deepcopy(usage_for_account)
    return body


def answer(body: Mapping[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, headers={"Content-Type": "application/json"})


def one_usage(day: str, api: str = "ENRICH_ENRICH", transactions: int = 3) -> Mapping[str, Any]:
    return usage_body([{"api": api, "transactions": transactions, "date": day}])


def credits_and_transactions() -> ConfiguredAirbyteCatalog:
    return catalog("credits", "api_transactions")


def without_observed_at(rows: List[dict[str, Any]]) -> List[dict[str, Any]]:
    return [{key: value for key, value in row.items() if key != "observed_at"} for row in rows]


def test_insideview_token_is_requested_with_form_credentials_and_sent_as_access_token_header() -> None:
    with HttpMocker() as http_mocker:
        token_request = login()
        http_mocker.post(token_request, token())
        data = credits_request()
        http_mocker.get(data, answer(usage_body()))

        output = run_read(config(insideview=True), catalog("credits"))

        assert_succeeded(output)
        http_mocker.assert_number_of_calls(token_request, 1)
        http_mocker.assert_number_of_calls(data, 1)
        assert len(records(output, "credits")) == 1


def test_insideview_token_is_reused_across_requests_and_streams_until_it_expires() -> None:
    with HttpMocker() as http_mocker:
        token_request = login()
        http_mocker.post(token_request, token())
        http_mocker.get(credits_request(), answer(usage_body()))
        windows = [usage("day", "2026-06-01", "2026-08-31"), usage("day", "2026-09-01", "2026-11-20")]
        for window in windows:
            http_mocker.get(window, answer(usage_body([])))

        output = run_read(config(insideview=True), credits_and_transactions())

        assert_succeeded(output)
        http_mocker.assert_number_of_calls(token_request, 1)
        for window in windows:
            http_mocker.assert_number_of_calls(window, 1)


@pytest.mark.parametrize(
    ("later", "logins"),
    [(timedelta(minutes=50), 1), (timedelta(minutes=56), 2), (timedelta(hours=2), 2)],
    ids=["before-expiry", "within-five-minutes-of-expiry", "after-expiry"],
)
def test_insideview_token_is_fetched_again_once_it_expires(
    clock: type[datetime], later: timedelta, logins: int
) -> None:
    """Two syncs in one process share the login; the second runs `later` after the first."""
    expires = (clock.current + timedelta(hours=1)).strftime("%a, %b %d, %Y %I:%M:%S %p GMT")
    with HttpMocker() as http_mocker:
        token_request = login()
        http_mocker.post(token_request, [token(TOKEN, expires), token(SECOND_TOKEN, FAR_FUTURE)])
        first_token = HttpRequest(USAGE_URL, query_params=ANY_QUERY_PARAMS, headers={"accessToken": TOKEN})
        second_token = HttpRequest(USAGE_URL, query_params=ANY_QUERY_PARAMS, headers={"accessToken": SECOND_TOKEN})
        http_mocker.get(first_token, answer(usage_body([])))
        http_mocker.get(second_token, answer(usage_body([])))

        assert_succeeded(run_read(config(insideview=True), credits_and_transactions()))
        clock.current += later
        assert_succeeded(run_read(config(insideview=True), credits_and_transactions()))

        http_mocker.assert_number_of_calls(token_request, logins)
        http_mocker.assert_number_of_calls(first_token, 3 if logins == 2 else 6)
        http_mocker.assert_number_of_calls(second_token, 3 if logins == 2 else 0)


def test_insideview_always_asks_for_json() -> None:
    with HttpMocker() as http_mocker:
        http_mocker.post(login(), token())
        # every mocked request requires `Accept: application/json`; one without it matches nothing and fails
        requests = [
            credits_request(),
            usage("day", "2026-06-01", "2026-08-31"),
            usage("day", "2026-09-01", "2026-11-20"),
        ]
        for request in requests:
            http_mocker.get(request, answer(usage_body([])))

        output = run_read(config(insideview=True), credits_and_transactions())

        assert_succeeded(output)
        for request in requests:
            http_mocker.assert_number_of_calls(request, 1)


def read_year_2016_2017(body: str, content_type: str) -> EntrypointOutput:
    with HttpMocker() as http_mocker:
        http_mocker.post(login(), token())
        reply = HttpResponse(body, headers={"Content-Type": content_type})
        http_mocker.get(usage("day", "2017-12-31", "2017-12-31"), reply)
        http_mocker.get(usage("year", "2016", "2017"), reply)
        settings = config(insideview={"period": "year"}, start_date="2016-01-01", end_date="2017-12-31")
        return run_read(settings, credits_and_transactions())


def test_insideview_xml_answer_gives_the_same_records_as_json() -> None:
    from_xml = read_year_2016_2017(template("usage_year.xml"), "application/xml")
    from_json = read_year_2016_2017(template("usage_year.json"), "application/json")

    assert_succeeded(from_xml)
    assert_succeeded(from_json)
    for stream in ("credits", "api_transactions"):
        assert without_observed_at(records(from_xml, stream)) == without_observed_at(records(from_json, stream))
    account = {"account_id": "o8o7ajl7htaqk8fah7bc", "account_name": "INTERNAL-Automation1"}
    assert without_observed_at(records(from_xml, "credits")) == [
        {**account, "allocated_credits": 99999, "consumed_credits": 2815, "remaining_credits": 97184}
    ]
    assert records(from_xml, "api_transactions") == [
        {**account, "period_type": "year", "date": "2016", "api": "DATA_COMPANY_GET", "transactions": 73},
        {**account, "period_type": "year", "date": "2016", "api": "FAMILY_TREE", "transactions": 8},
        {
            **account,
            "period_type": "year",
            "date": "2016",
            "api": "ENRICH_ENRICH",
            "transactions": 9023,
            "match_rate": 87.0,
        },
        {**account, "period_type": "year", "date": "2017", "api": "NEWS_FETCH", "transactions": 420},
    ]


def test_insideview_credits_is_one_record_with_remaining_credits_and_observed_at() -> None:
    with HttpMocker() as http_mocker:
        http_mocker.post(login(), token())
        http_mocker.get(credits_request(), answer(usage_body()))
        before = datetime.now(UTC).replace(microsecond=0)

        output = run_read(config(insideview=True), catalog("credits"))

        after = datetime.now(UTC)
        assert_succeeded(output)
        [record] = records(output, "credits")
        observed_at = datetime.strptime(record.pop("observed_at"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert before <= observed_at <= after
        assert record == {
            "account_id": "o8o7ajl7htaqk8fah7bc",
            "account_name": "INTERNAL-Automation",
            "allocated_credits": 99999,
            "consumed_credits": 13987,
            "remaining_credits": 86012,
        }


def test_insideview_match_rate_is_a_number_from_the_string_detail() -> None:
    with HttpMocker() as http_mocker:
        http_mocker.post(login(), token())
        http_mocker.get(usage("day", "2026-11-17", "2026-11-20"), answer(usage_body()))

        output = run_read(
            config(insideview=True),
            catalog("api_transactions"),
            state(api_transactions={"date": "2026-11-21"}),
        )

        assert_succeeded(output)
        account = {
            "account_id": "o8o7ajl7htaqk8fah7bc",
            "account_name": "INTERNAL-Automation",
            "period_type": "day",
        }
        assert records(output, "api_transactions") == [
            {**account, "date": "2026-11-20", "api": "DATA_COMPANY_GET", "transactions": 215},
            {
                **account,
                "date": "2026-11-20",
                "api": "ENRICH_ENRICH",
                "transactions": 1557,
                "match_rate": 74.0,
            },
        ]
        assert isinstance(records(output)[1]["match_rate"], float)


# period: (start_date, the windows a sync to END_DATE asks for, a date in the period's format, final state)
PERIODS = {
    "day": (
        "2026-06-01",
        [("2026-06-01", "2026-08-31"), ("2026-09-01", "2026-11-20")],
        "2026-11-02",
        "2026-11-21",
    ),
    "month": ("2022-01-01", [("2022-01", "2024-12"), ("2025-01", "2026-11")], "2026-10", "2026-12"),
    "year": ("2010-01-01", [("2010", "2019"), ("2020", "2026")], "2024", "2027"),
}


@pytest.mark.parametrize("period", PERIODS)
def test_insideview_full_sync_reads_the_widest_window_of_each_period(period: str) -> None:
    start_date, windows, day, final_state = PERIODS[period]
    with HttpMocker() as http_mocker:
        http_mocker.post(login(), token())
        requests = [usage(period, start, end) for start, end in windows]
        for index, request in enumerate(requests):
            http_mocker.get(request, answer(one_usage(day, transactions=index + 1)))

        output = run_read(config(insideview={"period": period}, start_date=start_date), catalog("api_transactions"))

        assert_succeeded(output)
        for request in requests:
            http_mocker.assert_number_of_calls(request, 1)
        assert sorted(record["transactions"] for record in records(output)) == [1, 2]
        assert {(record["date"], record["period_type"]) for record in records(output)} == {(day, period)}
        assert states(output, "api_transactions")[-1] == {"date": final_state}


# period: (saved state, the one window an incremental sync with lookback_days 3 asks for). A month or year state
# says which period was read last, not on which day: the sync goes back lookback_days from that period's first day,
# so the period before is read again too (its last days may be among the lookback days).
INCREMENTAL = {
    "day": ({"date": "2026-11-21"}, ("2026-11-17", "2026-11-20")),
    "month": ({"date": "2026-12"}, ("2026-10", "2026-11")),
    "year": ({"date": "2027"}, ("2025", "2026")),
}


@pytest.mark.parametrize("period", INCREMENTAL)
def test_insideview_incremental_sync_starts_lookback_days_before_the_state(period: str) -> None:
    saved, (start, end) = INCREMENTAL[period]
    with HttpMocker() as http_mocker:
        http_mocker.post(login(), token())
        request = usage(period, start, end)
        http_mocker.get(request, answer(one_usage(start)))

        output = run_read(
            config(insideview={"period": period}, start_date="2010-01-01"),
            catalog("api_transactions"),
            state(api_transactions=saved),
        )

        assert_succeeded(output)
        http_mocker.assert_number_of_calls(request, 1)
        assert states(output, "api_transactions")[-1] == saved


def test_insideview_day_state_resumes_with_lookback_inside_one_window() -> None:
    with HttpMocker() as http_mocker:
        http_mocker.post(login(), token())
        request = usage("day", "2026-09-27", "2026-11-20")
        http_mocker.get(request, answer(one_usage("2026-10-01")))

        output = run_read(
            config(insideview=True, lookback_days=3),
            catalog("api_transactions"),
            state(api_transactions={"date": "2026-10-01"}),
        )

        assert_succeeded(output)
        http_mocker.assert_number_of_calls(request, 1)
        assert states(output, "api_transactions")[-1] == {"date": "2026-11-21"}


def test_insideview_throttled_account_waits_out_the_window_without_logging_in_again(waits: List[float]) -> None:
    # a throttled account locks out every token for a whole 5-minute window (providers.md, InsideView): a new token
    # would not help, and a retry seconds later would be throttled again
    throttled = answer({"errorType": "Too Many Requests", "status": 429, "message": "Throttled"}, 429)
    with HttpMocker() as http_mocker:
        token_request = login()
        http_mocker.post(token_request, token())
        request = credits_request()
        http_mocker.get(request, [throttled, answer(usage_body())])

        output = run_read(config(insideview=True), catalog("credits"))

        assert_succeeded(output)
        http_mocker.assert_number_of_calls(token_request, 1)
        http_mocker.assert_number_of_calls(request, 2)
        assert len(waits) == 1 and 300 <= waits[0] <= 302


def test_insideview_still_throttled_after_the_window_fails_saying_the_account_is_throttled(
    waits: List[float],
) -> None:
    throttled = answer({"errorType": "Too Many Requests", "status": 429, "message": "Throttled"}, 429)
    with HttpMocker() as http_mocker:
        token_request = login()
        http_mocker.post(token_request, token())
        http_mocker.get(credits_request(), [throttled] * 7)

        output = run_read(config(insideview=True), catalog("credits"))

        error = output.errors[0].trace.error
        assert error.message.startswith("InsideView kept answering 429 Too Many Requests")
        assert "throttles the whole account" in error.message
        assert "max_requests_per_second" not in error.message
        http_mocker.assert_number_of_calls(token_request, 1)
        assert waits and all(300 <= wait <= 302 for wait in waits)
