"""InsideView as providers.md and its seed page describe it, exercised with plain HTTP."""

import time
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

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


def _usage(
    sandbox: Any, token: str | None, headers: dict[str, str] | None = None, **params: str
) -> requests.Response:
    all_headers = {**({"accessToken": token} if token else {}), **(headers or {})}
    return requests.get(
        f"{sandbox.url}/insideview/api/v1/admin/usage", params=params, headers=all_headers, timeout=10
    )


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
    response = _usage(
        fresh_sandbox, _token(fresh_sandbox), period="day", start="2026-11-01", end="2026-11-20"
    )
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
    assert usages and all(
        u.find("api").text and u.find("date").text and u.find("transactions").text for u in usages
    )
    rates = [u.find("details/usageDetail") for u in usages if u.find("details") is not None]
    assert rates and all(
        r.find("type").text == "matchRate" and float(r.find("value").text) > 0 for r in rates
    )


def test_insideview_answers_json_when_asked_and_agrees_with_xml(fresh_sandbox: Any) -> None:
    token = _token(fresh_sandbox)
    params = {"period": "day", "start": "2026-10-01", "end": "2026-11-20"}
    body = _usage(fresh_sandbox, token, JSON, **params).json()
    root = ElementTree.fromstring(_usage(fresh_sandbox, token, **params).content)
    assert body["period"] == "day" and body["start"] == "2026-10-01" and body["end"] == "2026-11-20"
    assert len(body["creditsForAccount"]) == 1 and body["bulkJobReferenceUrl"]
    from_xml = [
        (u.find("api").text, u.find("date").text, int(u.find("transactions").text))
        for u in root.findall("usage")
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
    assert (
        sum(u["transactions"] for u in year["usageForAccount"])
        == year["creditsForAccount"][0]["consumedCredits"]
    )


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
        assert (
            response.status_code == 400
            and body["errorNumber"] == "400-705"
            and body["errorType"] == "Bad Request"
        )


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
    body = _usage(
        fresh_sandbox, _token(fresh_sandbox), JSON, period="day", start="2026-11-21", end="2026-12-31"
    ).json()
    assert body["usageForAccount"] == []


def test_insideview_throttles_per_token_and_locks_it_out(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"insideview": {"requests": 3, "window": 60}})
    token = _token(fresh_sandbox)
    statuses = [
        _usage(fresh_sandbox, token, JSON, period="year", start="2026", end="2026").status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    other = _usage(fresh_sandbox, _token(fresh_sandbox), JSON, period="year", start="2026", end="2026")
    assert other.status_code == 200


def test_insideview_lockout_ends_after_the_window(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"insideview": {"requests": 1, "window": 0.3}})
    token = _token(fresh_sandbox)
    assert [
        _usage(fresh_sandbox, token, JSON, period="year", start="2026", end="2026").status_code
        for _ in range(2)
    ] == [200, 429]
    time.sleep(0.35)
    assert _usage(fresh_sandbox, token, JSON, period="year", start="2026", end="2026").status_code == 200
