"""The switch that shortens each vendor's longest range (`POST /_sandbox/ranges`), exercised with plain HTTP:
the limit holds exactly at its edge, each vendor refuses a longer range in its own documented 400 shape, and
the defaults come back."""

from typing import Any

import pytest
import requests

from usage_sandbox.credentials import (
    INSIDEVIEW_CLIENT_ID,
    INSIDEVIEW_CLIENT_SECRET,
    LEADFEEDER_API_KEY,
    LEAF_PASSWORD,
    LEAF_USERNAME,
    WHITEPAGES_API_KEY,
)

DEFAULTS = {
    "leadfeeder": {"month": 24},
    "insideview": {"day": 92, "month": 36, "year": 10},
    "whitepages": {"day": 90},
    "leaf": {"day": 366},
}


def _leadfeeder(sandbox: Any, first: str, last: str) -> requests.Response:
    account = requests.get(
        f"{sandbox.url}/leadfeeder/v1/accounts", headers={"X-Api-Key": LEADFEEDER_API_KEY}, timeout=10
    ).json()["data"][0]["id"]
    return requests.get(
        f"{sandbox.url}/leadfeeder/v1/usage",
        params={"account_id": account, "start_period": first, "end_period": last},
        headers={"X-Api-Key": LEADFEEDER_API_KEY},
        timeout=10,
    )


def _insideview(sandbox: Any, period: str, first: str, last: str) -> requests.Response:
    token = requests.post(
        f"{sandbox.url}/insideview-login/Auth/login/v1/token.json",
        data={"clientId": INSIDEVIEW_CLIENT_ID, "clientSecret": INSIDEVIEW_CLIENT_SECRET, "grantType": "cred"},
        timeout=10,
    ).json()["accessTokenDetails"]["accessToken"]
    return requests.get(
        f"{sandbox.url}/insideview/api/v1/admin/usage",
        params={"period": period, "start": first, "end": last},
        headers={"accessToken": token, "Accept": "application/json"},
        timeout=10,
    )


def _whitepages(sandbox: Any, first: str, last: str) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/whitepages/v1/account/usage",
        params={"start_date": first, "end_date": last},
        headers={"X-Api-Key": WHITEPAGES_API_KEY},
        timeout=10,
    )


def _leaf(sandbox: Any, first: str, last: str) -> requests.Response:
    token = requests.post(
        f"{sandbox.url}/leaf/api/authenticate",
        json={"username": LEAF_USERNAME, "password": LEAF_PASSWORD, "rememberMe": "false"},
        timeout=10,
    ).json()["id_token"]
    billing = f"{sandbox.url}/leaf/services/billingapplication/api/billing/contracts"
    headers = {"Authorization": f"Bearer {token}"}
    contract = requests.get(billing, headers=headers, timeout=10).json()[0]["id"]
    return requests.get(
        f"{billing}/{contract}/consumption/api-owner",
        params={"startTime": f"{first}T00:00:00.000Z", "endTime": f"{last}T23:59:59.999Z"},
        headers=headers,
        timeout=10,
    )


def test_sandbox_ranges_default_to_the_sandbox_rules_and_come_back(fresh_sandbox: Any) -> None:
    assert fresh_sandbox.default_ranges() == DEFAULTS
    shorter = fresh_sandbox.set_ranges({"leadfeeder": 5, "insideview": {"day": 7, "year": 2}, "leaf": 45})
    assert shorter == {
        **DEFAULTS,
        "leadfeeder": {"month": 5},
        "insideview": {"day": 7, "month": 36, "year": 2},
        "leaf": {"day": 45},
    }
    assert fresh_sandbox.set_ranges({"insideview": "default"})["insideview"] == DEFAULTS["insideview"]
    fresh_sandbox.restore()
    assert fresh_sandbox.set_ranges({}) == DEFAULTS


@pytest.mark.parametrize(
    "body",
    [{"nobody": 5}, {"leadfeeder": -1}, {"leadfeeder": True}, {"insideview": 7}, {"leaf": {"month": 2}}, [5]],
    ids=["unknown vendor", "negative", "a boolean", "several periods", "unknown period", "not an object"],
)
def test_sandbox_ranges_refuse_a_bad_body_and_change_nothing(fresh_sandbox: Any, body: Any) -> None:
    fresh_sandbox.set_ranges({"whitepages": 30})
    response = requests.post(f"{fresh_sandbox.url}/_sandbox/ranges", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["error"]
    assert fresh_sandbox.set_ranges({})["whitepages"] == {"day": 30}


def test_leadfeeder_shortened_range_holds_at_its_edge_and_refuses_in_its_own_shape(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_ranges({"leadfeeder": 5})
    assert _leadfeeder(fresh_sandbox, "2025-01", "2025-05").status_code == 200
    refused = _leadfeeder(fresh_sandbox, "2025-01", "2025-06")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_parameter" and "at most 5 months" in refused.json()["message"]


@pytest.mark.parametrize(
    ("period", "longest", "fits", "too_long"),
    [
        ("day", 7, ("2026-11-01", "2026-11-07"), ("2026-11-01", "2026-11-08")),
        ("month", 5, ("2026-01", "2026-05"), ("2026-01", "2026-06")),
        ("year", 2, ("2025", "2026"), ("2024", "2026")),
    ],
)
def test_insideview_shortened_range_holds_per_period_and_refuses_with_400_705(
    fresh_sandbox: Any, period: str, longest: int, fits: tuple[str, str], too_long: tuple[str, str]
) -> None:
    fresh_sandbox.set_ranges({"insideview": {period: longest}})
    assert _insideview(fresh_sandbox, period, *fits).status_code == 200
    refused = _insideview(fresh_sandbox, period, *too_long)
    body = refused.json()
    assert refused.status_code == 400 and body["status"] == 400 and body["errorNumber"] == "400-705"
    assert f"At most {longest} {period}s" in body["message"]


def test_whitepages_shortened_range_refuses_in_its_error_envelope(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_ranges({"whitepages": 30})
    assert _whitepages(fresh_sandbox, "2026-10-01", "2026-10-30").status_code == 200
    refused = _whitepages(fresh_sandbox, "2026-10-01", "2026-10-31")
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["code"] == 400
    assert error["long_message"] == "Maximum date range allowed is 30 days." and error["meta"]["field"] == "end_date"


def test_leaf_shortened_range_refuses_with_a_problem_document(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_ranges({"leaf": 45})
    assert _leaf(fresh_sandbox, "2026-09-01", "2026-10-15").status_code == 200
    refused = _leaf(fresh_sandbox, "2026-09-01", "2026-10-16")
    body = refused.json()
    assert refused.status_code == 400 and body["status"] == 400
    assert body["title"] == "The range can cover at most 45 days"
