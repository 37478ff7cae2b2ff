"""Leadfeeder as providers.md describes it, exercised with plain HTTP."""

from datetime import date
from typing import Any

import requests

from usage_sandbox.credentials import LEADFEEDER_API_KEY

KEY = {"X-Api-Key": LEADFEEDER_API_KEY}


def _get(sandbox: Any, path: str, headers: dict[str, str] | None = None, **params: str) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/leadfeeder{path}",
        headers=KEY if headers is None else headers,
        params=params,
        timeout=10,
    )


def _account_ids(sandbox: Any) -> list[str]:
    return [account["id"] for account in _get(sandbox, "/v1/accounts").json()["data"]]


def test_leadfeeder_lists_the_accounts_the_key_sees(fresh_sandbox: Any) -> None:
    body = _get(fresh_sandbox, "/v1/accounts").json()
    assert len(body["data"]) == 3
    assert all(a["type"] == "account_summary" and a["attributes"]["name"] for a in body["data"])
    assert "request_id" in body["meta"]


def test_leadfeeder_account_carries_its_credit_pool(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    body = _get(fresh_sandbox, f"/v1/accounts/{account_id}").json()["data"]
    credits = body["attributes"]["credits"]
    assert body["type"] == "account" and body["id"] == account_id
    assert credits["available"] == credits["used"] + credits["remaining"]
    assert date.fromisoformat(credits["next_reset_on"]) > date.fromisoformat(fresh_sandbox.today)


def test_leadfeeder_unknown_account_is_not_found(fresh_sandbox: Any) -> None:
    response = _get(fresh_sandbox, "/v1/accounts/1")
    assert response.status_code == 404


def test_leadfeeder_without_key_answers_403_missing_token(fresh_sandbox: Any) -> None:
    response = _get(fresh_sandbox, "/v1/accounts", headers={})
    assert response.status_code == 403 and response.json()["code"] == "missing_token"


def test_leadfeeder_with_wrong_key_answers_403_invalid_api_key(fresh_sandbox: Any) -> None:
    response = _get(
        fresh_sandbox,
        "/v1/usage",
        headers={"X-Api-Key": "nope"},
        account_id="1",
        start_period="2026-01",
        end_period="2026-02",
    )
    assert response.status_code == 403 and response.json()["code"] == "invalid_api_key"


def test_leadfeeder_usage_records_are_keyed_by_period_path_and_method(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    body = _get(
        fresh_sandbox, "/v1/usage", account_id=account_id, start_period="2026-09", end_period="2026-11"
    ).json()
    assert body["meta"]["total_records"] == len(body["data"]) > 0
    for record in body["data"]:
        attributes = record["attributes"]
        assert record["type"] == "api_usage"
        expected_id = (
            f"{attributes['period']}_{attributes['endpoint_path'].lstrip('/')}_{attributes['http_method']}"
        )
        assert record["id"] == expected_id
        assert "2026-09" <= attributes["period"] <= "2026-11"
        assert (
            attributes["num_requests"]
            == attributes["num_failed_requests"] + attributes["num_successful_requests"]
        )


def test_leadfeeder_has_an_account_without_usage(fresh_sandbox: Any) -> None:
    counts = [
        len(
            _get(
                fresh_sandbox, "/v1/usage", account_id=a, start_period="2025-01", end_period="2026-11"
            ).json()["data"]
        )
        for a in _account_ids(fresh_sandbox)
    ]
    assert counts.count(0) == 1


def test_leadfeeder_accepts_24_months_and_rejects_25(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    ok = _get(fresh_sandbox, "/v1/usage", account_id=account_id, start_period="2024-12", end_period="2026-11")
    too_long = _get(
        fresh_sandbox, "/v1/usage", account_id=account_id, start_period="2024-11", end_period="2026-11"
    )
    assert ok.status_code == 200
    assert too_long.status_code == 400 and too_long.json()["code"] == "invalid_parameter"


def test_leadfeeder_rejects_bad_periods_and_end_before_start(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    for start, end in (("2026-13", "2026-12"), ("2026-1", "2026-02"), ("2026-05", "2026-04")):
        response = _get(fresh_sandbox, "/v1/usage", account_id=account_id, start_period=start, end_period=end)
        assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"
    assert _get(fresh_sandbox, "/v1/usage", start_period="2026-01", end_period="2026-02").status_code == 400


def test_leadfeeder_months_after_today_have_no_data(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    body = _get(
        fresh_sandbox, "/v1/usage", account_id=account_id, start_period="2026-12", end_period="2027-06"
    ).json()
    assert body["data"] == [] and body["meta"]["total_records"] == 0


def test_leadfeeder_current_month_grows_as_today_advances(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]

    def total() -> int:
        body = _get(
            fresh_sandbox, "/v1/usage", account_id=account_id, start_period="2026-11", end_period="2026-11"
        ).json()
        return sum(record["attributes"]["num_requests"] for record in body["data"])

    before = total()
    fresh_sandbox.set_today("2026-11-23")
    assert total() > before


def test_leadfeeder_rate_limit_answers_429_with_retry_after(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"leadfeeder": {"rate": 0.5, "burst": 2}})
    statuses = [_get(fresh_sandbox, "/v1/accounts") for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json()["code"] == "too_many_requests"
    assert int(statuses[2].headers["Retry-After"]) >= 1


def test_leadfeeder_rate_limit_can_be_switched_off(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"leadfeeder": False})
    assert {_get(fresh_sandbox, "/v1/accounts").status_code for _ in range(30)} == {200}
