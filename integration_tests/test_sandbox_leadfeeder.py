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


def _account_ids(sandbox: Any) -> list[int]:
    return [account["id"] for account in _get(sandbox, "/v1/accounts").json()["data"]]


def _pages(sandbox: Any, path: str, **params: str) -> list[dict[str, Any]]:
    """Every page of a list, following `links.next`."""
    bodies = [_get(sandbox, path, **params).json()]
    while "next" in bodies[-1].get("links", {}):
        response = requests.get(bodies[-1]["links"]["next"], headers=KEY, timeout=10)
        assert response.status_code == 200
        bodies.append(response.json())
    return bodies


def test_leadfeeder_lists_the_accounts_the_key_sees(fresh_sandbox: Any) -> None:
    body = _get(fresh_sandbox, "/v1/accounts").json()
    assert len(body["data"]) == 3
    for account in body["data"]:
        assert account["type"] == "account_summary" and set(account["attributes"]) == {"name"}
    assert "request_id" in body["meta"] and "links" not in body


def test_leadfeeder_account_ids_are_json_integers(fresh_sandbox: Any) -> None:
    ids = _account_ids(fresh_sandbox)
    assert all(type(account_id) is int for account_id in ids) and len(set(ids)) == 3


def test_leadfeeder_credits_come_from_the_account_list_asked_for_one_account(fresh_sandbox: Any) -> None:
    for account_id in _account_ids(fresh_sandbox):
        body = _get(fresh_sandbox, "/v1/accounts", account_id=str(account_id)).json()
        [account] = body["data"]
        credits = account["attributes"]["credits"]
        assert account["type"] == "account" and account["id"] == account_id and account["attributes"]["name"]
        assert set(credits) == {"available", "used", "remaining", "next_reset_on"}
        assert credits["available"] == credits["used"] + credits["remaining"]
        assert date.fromisoformat(credits["next_reset_on"]) > date.fromisoformat(fresh_sandbox.today)
        assert "request_id" in body["meta"]


def test_leadfeeder_credits_of_an_unknown_account_are_not_found(fresh_sandbox: Any) -> None:
    response = _get(fresh_sandbox, "/v1/accounts", account_id="1")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_leadfeeder_undocumented_paths_answer_404_in_the_flat_format(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    for path in (f"/v1/accounts/{account_id}", "/v1/accounts/1", "/v1/companies", "/v2/usage", "/"):
        response = _get(fresh_sandbox, path)
        body = response.json()
        assert response.status_code == 404, path
        assert set(body) == {"code", "message"} and body["code"] == "not_found", path
    assert fresh_sandbox.stats()["vendors"]["leadfeeder"]["undocumented"] == {"404": 5}


def test_leadfeeder_truth_keeps_account_ids_as_strings(fresh_sandbox: Any) -> None:
    records = fresh_sandbox.truth("2026-10-01")
    served = [str(account_id) for account_id in _account_ids(fresh_sandbox)]
    assert [account["id"] for account in records["accounts"]] == served
    assert {row["account_id"] for row in records["api_usage"]} <= set(served)


def test_leadfeeder_without_key_answers_403_missing_token(fresh_sandbox: Any) -> None:
    response = _get(fresh_sandbox, "/v1/accounts", headers={})
    body = response.json()
    assert response.status_code == 403 and set(body) == {"code", "message"}
    assert body["code"] == "missing_token"
    assert body["message"].startswith("You need to pass a header named `X-Api-Key`")


def test_leadfeeder_with_wrong_key_answers_403_invalid_api_key(fresh_sandbox: Any) -> None:
    response = _get(
        fresh_sandbox,
        "/v1/usage",
        headers={"X-Api-Key": "nope"},
        account_id="1",
        start_period="2026-01",
        end_period="2026-02",
    )
    body = response.json()
    assert response.status_code == 403 and set(body) == {"code", "message"}
    assert body["code"] == "invalid_api_key" and body["message"].startswith("The provided API key is invalid.")


def test_leadfeeder_usage_records_are_keyed_by_period_path_and_method(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    body = _get(
        fresh_sandbox, "/v1/usage", account_id=str(account_id), start_period="2026-09", end_period="2026-11"
    ).json()
    assert body["meta"]["total_records"] == len(body["data"]) > 0
    for record in body["data"]:
        attributes = record["attributes"]
        assert record["type"] == "api_usage"
        expected_id = f"{attributes['period']}_{attributes['endpoint_path'].lstrip('/')}_{attributes['http_method']}"
        assert record["id"] == expected_id
        assert "2026-09" <= attributes["period"] <= "2026-11"
        assert attributes["num_requests"] == attributes["num_failed_requests"] + attributes["num_successful_requests"]


def test_leadfeeder_has_an_account_without_usage(fresh_sandbox: Any) -> None:
    counts = [
        len(
            _get(fresh_sandbox, "/v1/usage", account_id=str(a), start_period="2025-01", end_period="2026-11").json()[
                "data"
            ]
        )
        for a in _account_ids(fresh_sandbox)
    ]
    assert counts.count(0) == 1


def test_leadfeeder_accepts_24_months_and_rejects_25(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    ok = _get(fresh_sandbox, "/v1/usage", account_id=str(account_id), start_period="2024-12", end_period="2026-11")
    too_long = _get(
        fresh_sandbox, "/v1/usage", account_id=str(account_id), start_period="2024-11", end_period="2026-11"
    )
    assert ok.status_code == 200
    assert too_long.status_code == 400 and too_long.json()["code"] == "invalid_parameter"


def test_leadfeeder_rejects_bad_periods_and_end_before_start(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    for start, end in (("2026-13", "2026-12"), ("2026-1", "2026-02"), ("2026-05", "2026-04")):
        response = _get(fresh_sandbox, "/v1/usage", account_id=str(account_id), start_period=start, end_period=end)
        assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"
    assert _get(fresh_sandbox, "/v1/usage", start_period="2026-01", end_period="2026-02").status_code == 400


def test_leadfeeder_months_after_today_have_no_data(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    body = _get(
        fresh_sandbox, "/v1/usage", account_id=str(account_id), start_period="2026-12", end_period="2027-06"
    ).json()
    assert body["data"] == [] and body["meta"]["total_records"] == 0


def test_leadfeeder_current_month_grows_as_today_advances(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]

    def total() -> int:
        body = _get(
            fresh_sandbox, "/v1/usage", account_id=str(account_id), start_period="2026-11", end_period="2026-11"
        ).json()
        return sum(record["attributes"]["num_requests"] for record in body["data"])

    before = total()
    fresh_sandbox.set_today("2026-11-23")
    assert total() > before


def test_leadfeeder_rate_limit_answers_429_with_retry_after(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"leadfeeder": {"rate": 0.5, "burst": 2}})
    statuses = [_get(fresh_sandbox, "/v1/accounts") for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json() == {
        "code": "too_many_requests",
        "message": "You've exceeded the maximum amount of allowed requests. Please try again later.",
    }
    assert int(statuses[2].headers["Retry-After"]) >= 1


def test_leadfeeder_rate_limit_can_be_switched_off(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"leadfeeder": False})
    assert {_get(fresh_sandbox, "/v1/accounts").status_code for _ in range(30)} == {200}


def test_leadfeeder_usage_is_one_unpaginated_list_by_default(fresh_sandbox: Any) -> None:
    account_id = _account_ids(fresh_sandbox)[0]
    body = _get(
        fresh_sandbox, "/v1/usage", account_id=str(account_id), start_period="2025-01", end_period="2026-11"
    ).json()
    assert len(body["data"]) == body["meta"]["total_records"] > 20 and "links" not in body


def test_leadfeeder_page_cap_splits_both_lists_with_absolute_next_links(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"leadfeeder": False})
    account_id = str(_account_ids(fresh_sandbox)[0])
    usage = {"account_id": account_id, "start_period": "2026-09", "end_period": "2026-11"}
    whole = {
        "/v1/accounts": _get(fresh_sandbox, "/v1/accounts").json()["data"],
        "/v1/usage": _get(fresh_sandbox, "/v1/usage", **usage).json()["data"],
    }
    fresh_sandbox.set_page_cap(2)
    for path, params in (("/v1/accounts", {}), ("/v1/usage", usage)):
        pages = _pages(fresh_sandbox, path, **params)
        assert len(pages) == -(-len(whole[path]) // 2) > 1, path
        assert all(len(page["data"]) == 2 for page in pages[:-1]) and 1 <= len(pages[-1]["data"]) <= 2
        nexts = [page["links"]["next"] for page in pages[:-1]]
        assert all(url.startswith(f"{fresh_sandbox.url}/leadfeeder{path}?") for url in nexts)
        assert [item for page in pages for item in page["data"]] == whole[path], path
    assert _pages(fresh_sandbox, "/v1/usage", **usage)[0]["meta"]["total_records"] == len(whole["/v1/usage"])
    [one] = _pages(fresh_sandbox, "/v1/accounts", account_id=account_id)
    assert len(one["data"]) == 1 and "next" not in one["links"]
    fresh_sandbox.set_page_cap(None)
    assert "links" not in _get(fresh_sandbox, "/v1/accounts").json()
