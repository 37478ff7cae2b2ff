"""InsideView as providers.md and its seed page describe it, exercised with plain HTTP."""

import time
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pytest
import requests

from usage_sandbox.credentials import INSIDEVIEW_CLIENT_ID, INSIDEVIEW_CLIENT_SECRET

EXPIRATION_FORMAT = "%a, %b %d, %Y %I:%M:%S %p GMT"
JSON = {"Accept": "application/json"}


def _login(
    sandbox: Any,
    client_id: str = INSIDEVIEW_CLIENT_ID,
    secret: str = INSIDEVIEW_CLIENT_SECRET,
    grant: str = "cred",
) -> requests.Response:
    return requests.post(
        f"{sandbox.url}/insideview-login/Auth/login/v1/token.json",
        data={"clientId": client_id, "clientSecret": secret, "grantType": grant},
        timeout=10,
    )


def _token(sandbox: Any) -> str:
    return _login(sandbox).json()["accessTokenDetails"]["accessToken"]


def _usage(sandbox: Any, token: str | None, headers: dict[str, str] | None = None, **params: str) -> requests.Response:
    all_headers = {**({"accessToken": token} if token else {}), **(headers or {})}
    return requests.get(f"{sandbox.url}/insideview/api/v1/admin/usage", params=params, headers=all_headers, timeout=10)


def test_insideview_issues_a_bearer_token_valid_for_an_hour(fresh_sandbox: Any) -> None:
    details = _login(fresh_sandbox).json()["accessTokenDetails"]
    expires = datetime.strptime(details["expirationTime"], EXPIRATION_FORMAT).replace(tzinfo=UTC)
    assert details["tokenType"] == "bearer" and details["accessToken"]
    assert 3500 < expires.timestamp() - time.time() <= 3601


def test_insideview_refuses_bad_client_credentials_with_401(fresh_sandbox: Any) -> None:
    assert _login(fresh_sandbox, secret="wrong").status_code == 401
    assert _login(fresh_sandbox, client_id="wrong").status_code == 401


def test_insideview_usage_without_a_valid_token_is_401(fresh_sandbox: Any) -> None:
    for token in (None, "not-a-token"):
        response = _usage(fresh_sandbox, token, JSON, period="day", start="2026-11-01", end="2026-11-02")
        assert response.status_code == 401 and response.json()["status"] == 401


def test_insideview_answers_xml_by_default_in_the_seed_shape(fresh_sandbox: Any) -> None:
    response = _usage(fresh_sandbox, _token(fresh_sandbox), period="day", start="2026-11-01", end="2026-11-20")
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "accountUsage"
    assert [child.tag for child in root][:9] == [
        "accountId",
        "accountName",
        "bulkJobReferenceUrl",
        "creditsForAccount",
        "end",
        "period",
        "start",
        "subscriptionJobsReferenceUrl",
        "usage",
    ]
    assert len(root.findall("creditsForAccount")) == 1
    usages = root.findall("usage")
    assert usages and all(u.find("api").text and u.find("date").text and u.find("transactions").text for u in usages)
    rates = [u.find("details/usageDetail") for u in usages if u.find("details") is not None]
    assert rates and all(r.find("type").text == "matchRate" and float(r.find("value").text) > 0 for r in rates)


def test_insideview_answers_json_when_asked_and_agrees_with_xml(fresh_sandbox: Any) -> None:
    token = _token(fresh_sandbox)
    params = {"period": "day", "start": "2026-10-01", "end": "2026-11-20"}
    body = _usage(fresh_sandbox, token, JSON, **params).json()
    root = ElementTree.fromstring(_usage(fresh_sandbox, token, **params).content)
    assert body["period"] == "day" and body["start"] == "2026-10-01" and body["end"] == "2026-11-20"
    assert len(body["creditsForAccount"]) == 1 and body["bulkJobReferenceUrl"]
    from_xml = [
        (u.find("api").text, u.find("date").text, int(u.find("transactions").text)) for u in root.findall("usage")
    ]
    assert from_xml == [(u["api"], u["date"], u["transactions"]) for u in body["usageForAccount"]]
    match_rates = [d["value"] for u in body["usageForAccount"] for d in u.get("details", [])]
    assert match_rates and all(isinstance(value, str) for value in match_rates)


def test_insideview_months_and_years_sum_the_days(fresh_sandbox: Any) -> None:
    token = _token(fresh_sandbox)
    days = _usage(fresh_sandbox, token, JSON, period="day", start="2026-08-01", end="2026-08-31").json()
    month = _usage(fresh_sandbox, token, JSON, period="month", start="2026-08", end="2026-08").json()
    by_api: dict[str, int] = {}
    for usage in days["usageForAccount"]:
        by_api[usage["api"]] = by_api.get(usage["api"], 0) + usage["transactions"]
    assert {u["api"]: u["transactions"] for u in month["usageForAccount"]} == by_api
    year = _usage(fresh_sandbox, token, JSON, period="year", start="2026", end="2026").json()
    assert sum(u["transactions"] for u in year["usageForAccount"]) == year["creditsForAccount"][0]["consumedCredits"]


def test_insideview_rejects_windows_over_the_limit_with_400_705(fresh_sandbox: Any) -> None:
    token = _token(fresh_sandbox)
    cases = [
        ("day", "2026-01-01", "2026-04-02", "2026-04-03"),
        ("month", "2023-01", "2025-12", "2026-01"),
        ("year", "2017", "2026", "2027"),
    ]
    for period, start, last_ok, too_far in cases:
        assert _usage(fresh_sandbox, token, JSON, period=period, start=start, end=last_ok).status_code == 200
        response = _usage(fresh_sandbox, token, JSON, period=period, start=start, end=too_far)
        body = response.json()
        assert response.status_code == 400 and body["errorNumber"] == "400-705" and body["errorType"] == "Bad Request"


def test_insideview_rejects_bad_parameters_in_its_error_envelope(fresh_sandbox: Any) -> None:
    token = _token(fresh_sandbox)
    cases = [
        ({"period": "week", "start": "2026-01-01", "end": "2026-01-02"}, "400-702"),
        ({"period": "day", "start": "2026-01", "end": "2026-01-02"}, "400-706"),
        ({"period": "day", "start": "2026-01-05", "end": "2026-01-02"}, "400-706"),
        ({"period": "day", "start": "2026-01-05"}, "400-701"),
    ]
    for params, number in cases:
        response = _usage(fresh_sandbox, token, JSON, **params)
        body = response.json()
        assert response.status_code == 400 and body["errorNumber"] == number
        assert {"errorType", "status", "message", "diagnosticCode"} <= set(body)


def test_insideview_days_after_today_have_no_data(fresh_sandbox: Any) -> None:
    body = _usage(fresh_sandbox, _token(fresh_sandbox), JSON, period="day", start="2026-11-21", end="2026-12-31").json()
    assert body["usageForAccount"] == []


def _year(sandbox: Any, token: str) -> int:
    return _usage(sandbox, token, JSON, period="year", start="2026", end="2026").status_code


def test_insideview_throttling_locks_out_every_token_of_the_account(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"insideview": {"requests": 3, "window_seconds": 60}})
    first, second = _token(fresh_sandbox), _token(fresh_sandbox)
    assert [_year(fresh_sandbox, first), _year(fresh_sandbox, second), _year(fresh_sandbox, first)] == [200] * 3
    assert _year(fresh_sandbox, second) == 429
    throttled = _usage(fresh_sandbox, first, JSON, period="year", start="2026", end="2026")
    assert throttled.json()["status"] == 429 and "Retry-After" not in throttled.headers
    assert [_year(fresh_sandbox, token) for token in (first, second, _token(fresh_sandbox))] == [429] * 3


def test_insideview_lockout_ends_after_a_full_window(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"insideview": {"requests": 1, "window_seconds": 600}})
    token = _token(fresh_sandbox)
    assert [_year(fresh_sandbox, token), _year(fresh_sandbox, token)] == [200, 429]
    fresh_sandbox.advance_limits(590)  # the lockout counts from the refused request, not the window's start
    assert _year(fresh_sandbox, _token(fresh_sandbox)) == 429  # a fresh token inside the window: still locked
    fresh_sandbox.advance_limits(10)
    assert _year(fresh_sandbox, _token(fresh_sandbox)) == 200


@pytest.mark.parametrize("seconds", [-1, "soon", True])
def test_the_limits_clock_moves_only_forward_by_a_number_of_seconds(fresh_sandbox: Any, seconds: Any) -> None:
    answer = requests.post(f"{fresh_sandbox.url}/_sandbox/limits", json={"advance_seconds": seconds}, timeout=10)
    assert answer.status_code == 400 and "advance_seconds" in answer.text


def test_insideview_default_limit_is_300_requests_per_5_minutes_per_account(fresh_sandbox: Any) -> None:
    limit = requests.get(f"{fresh_sandbox.url}/_sandbox/limits", timeout=10).json()["insideview"]
    assert (limit["requests"], limit["window_seconds"], limit["enabled"]) == (300, 300.0, True)
    token = _token(fresh_sandbox)
    session = requests.Session()
    session.headers.update({"accessToken": token, **JSON})
    url = f"{fresh_sandbox.url}/insideview/api/v1/admin/usage?period=year&start=2026&end=2026"
    statuses = [session.get(url, timeout=10).status_code for _ in range(301)]
    assert statuses[:300] == [200] * 300 and statuses[300] == 429
    assert _year(fresh_sandbox, _token(fresh_sandbox)) == 429


def test_insideview_token_accepts_query_parameters_and_a_form_body(fresh_sandbox: Any) -> None:
    fields = {"clientId": INSIDEVIEW_CLIENT_ID, "clientSecret": INSIDEVIEW_CLIENT_SECRET, "grantType": "cred"}
    url = f"{fresh_sandbox.url}/insideview-login/Auth/login/v1/token.json"
    for answer in (requests.post(url, params=fields, timeout=10), requests.post(url, data=fields, timeout=10)):
        token = answer.json()["accessTokenDetails"]["accessToken"]
        assert answer.status_code == 200 and _year(fresh_sandbox, token) == 200
    wrong = {**fields, "clientSecret": "wrong"}
    assert requests.post(url, params=wrong, timeout=10).status_code == 401
    assert requests.post(url, data={**fields, "grantType": "password"}, timeout=10).status_code == 400


def test_insideview_undocumented_paths_answer_404_in_its_envelope(fresh_sandbox: Any) -> None:
    for path in ("/insideview/api/v1/admin/usages", "/insideview-login/Auth/login/v2/token.json"):
        response = requests.get(f"{fresh_sandbox.url}{path}", timeout=10)
        assert response.status_code == 404 and response.json()["status"] == 404
