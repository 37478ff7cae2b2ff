"""Leaf as providers.md and its seed page describe it, exercised with plain HTTP."""

import itertools
import re
from typing import Any

import pytest
import requests

from usage_sandbox.credentials import LEAF_PASSWORD, LEAF_USERNAME

BILLING = "/leaf/services/billingapplication/api/billing/contracts"
USERS = "/leaf/services/usermanagement/api/users"


def _authenticate(sandbox: Any, password: str = LEAF_PASSWORD, remember: str = "false") -> requests.Response:
    return requests.post(
        f"{sandbox.url}/leaf/api/authenticate",
        timeout=10,
        json={"username": LEAF_USERNAME, "password": password, "rememberMe": remember},
    )


@pytest.fixture
def leaf(fresh_sandbox: Any) -> Any:
    """A GET with a fresh token; rate limits off, except where a test turns them on."""
    fresh_sandbox.set_limits({"leaf": False})
    token = _authenticate(fresh_sandbox).json()["id_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def get(path: str, **params: str) -> requests.Response:
        return session.get(f"{fresh_sandbox.url}{path}", params=params, timeout=10)

    return get


def _contracts(leaf: Any) -> list[dict]:
    return leaf(BILLING).json()


def _links(response: requests.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])}


def test_leaf_authenticates_with_username_and_password(fresh_sandbox: Any) -> None:
    assert _authenticate(fresh_sandbox).json()["id_token"]
    assert _authenticate(fresh_sandbox, remember="true").json()["id_token"]


def test_leaf_refuses_bad_credentials_and_bad_tokens_with_401(fresh_sandbox: Any) -> None:
    assert _authenticate(fresh_sandbox, password="wrong").status_code == 401
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = requests.get(f"{fresh_sandbox.url}{BILLING}", headers=headers, timeout=10)
        assert response.status_code == 401 and response.json()["status"] == 401


def test_leaf_lists_contracts_as_a_bare_array(leaf: Any) -> None:
    contracts = _contracts(leaf)
    assert len(contracts) == 2
    for contract in contracts:
        assert set(contract) == {"id", "product", "startDate", "endDate", "region"}
        assert contract["startDate"] < "2025" < contract["endDate"]
        assert leaf(f"{BILLING}/{contract['id']}").json() == contract


def test_leaf_unknown_contract_is_404(leaf: Any) -> None:
    assert leaf(f"{BILLING}/00000000-0000-4000-8000-000000000000").status_code == 404


def test_leaf_one_day_consumption_defaults_to_today(leaf: Any, fresh_sandbox: Any) -> None:
    contract = _contracts(leaf)[0]
    body = leaf(f"{BILLING}/{contract['id']}/consumption").json()
    assert body["date"] == f"{fresh_sandbox.today}T00:00:00Z"
    assert set(body) == {"areaUnit", "date", "totalUniqueArea", "leafUsersAreas"}


def test_leaf_one_day_consumption_answers_quiet_days_with_zeros(leaf: Any) -> None:
    contract = _contracts(leaf)[0]
    body = leaf(f"{BILLING}/{contract['id']}/consumption", timestamp="2023-06-01T00:00:00.000Z").json()
    assert body["totalUniqueArea"] == 0 and body["leafUsersAreas"] == []


def test_leaf_unique_area_never_exceeds_the_users_sum(leaf: Any) -> None:
    contract = _contracts(leaf)[0]
    busy = 0
    for day in range(1, 31):
        body = leaf(
            f"{BILLING}/{contract['id']}/consumption", timestamp=f"2026-09-{day:02d}T00:00:00.000Z"
        ).json()
        users = sum(user["totalArea"] for user in body["leafUsersAreas"])
        assert body["totalUniqueArea"] <= users + 1e-9
        busy += bool(body["leafUsersAreas"])
    assert busy > 5


def test_leaf_api_owner_range_is_cumulative_and_omits_days_without_area(leaf: Any) -> None:
    contract = _contracts(leaf)[0]
    days = leaf(
        f"{BILLING}/{contract['id']}/consumption/api-owner",
        startTime="2026-01-01T00:00:00.000Z",
        endTime="2026-11-20T23:59:59.999Z",
    ).json()["areaPerDay"]
    assert 0 < len(days) < 324 and all(day["dailyArea"] > 0 for day in days)
    for before, after in itertools.pairwise(days):
        assert after["totalArea"] == pytest.approx(before["totalArea"] + after["dailyArea"])


def test_leaf_api_owner_daily_area_is_the_one_day_unique_area(leaf: Any) -> None:
    contract = _contracts(leaf)[0]
    days = leaf(
        f"{BILLING}/{contract['id']}/consumption/api-owner",
        startTime="2026-11-01T00:00:00.000Z",
        endTime="2026-11-20T23:59:59.999Z",
    ).json()["areaPerDay"]
    for day in days:
        one = leaf(
            f"{BILLING}/{contract['id']}/consumption", timestamp=day["date"].replace("Z", ".000Z")
        ).json()
        assert one["totalUniqueArea"] == day["dailyArea"]


def test_leaf_user_range_has_the_same_shape(leaf: Any) -> None:
    contract = _contracts(leaf)[0]
    user_ids = [user["id"] for user in leaf(USERS, size="100").json()]
    answers = [
        leaf(
            f"{BILLING}/{contract['id']}/consumption/leaf-user/{user_id}",
            startTime="2025-12-01T00:00:00.000Z",
            endTime="2026-11-20T23:59:59.999Z",
        ).json()
        for user_id in user_ids
    ]
    assert all(set(answer) == {"areaUnit", "areaPerDay"} for answer in answers)
    assert sum(bool(answer["areaPerDay"]) for answer in answers) >= 2
    unknown = leaf(
        f"{BILLING}/{contract['id']}/consumption/leaf-user/00000000-0000-4000-8000-000000000000",
        startTime="2026-01-01T00:00:00.000Z",
        endTime="2026-01-31T23:59:59.999Z",
    )
    assert unknown.status_code == 404


def test_leaf_ranges_accept_366_days_and_reject_367(leaf: Any) -> None:
    path = f"{BILLING}/{_contracts(leaf)[0]['id']}/consumption/api-owner"
    assert (
        leaf(path, startTime="2025-01-01T00:00:00.000Z", endTime="2026-01-01T23:59:59.999Z").status_code
        == 200
    )
    response = leaf(path, startTime="2025-01-01T00:00:00.000Z", endTime="2026-01-02T23:59:59.999Z")
    assert response.status_code == 400
    assert response.json()["title"] == "Bad Request" and response.json()["status"] == 400


def test_leaf_ranges_reject_bad_times_and_end_before_start(leaf: Any) -> None:
    path = f"{BILLING}/{_contracts(leaf)[0]['id']}/consumption/api-owner"
    for start, end in (
        ("2026-01-05", "2026-01-06T00:00:00.000Z"),
        ("2026-01-05T00:00:00.000Z", "2026-01-04T00:00:00.000Z"),
        ("yesterday", "today"),
    ):
        assert leaf(path, startTime=start, endTime=end).status_code == 400
    assert leaf(path).status_code == 400
    assert leaf(f"{BILLING}/{_contracts(leaf)[0]['id']}/consumption", timestamp="soon").status_code == 400


def test_leaf_users_are_paginated_with_total_and_links(leaf: Any, fresh_sandbox: Any) -> None:
    first = leaf(USERS, page="0", size="5")
    assert first.headers["X-Total-Count"] == "7" and len(first.json()) == 5
    links = _links(first)
    assert links["next"].startswith(fresh_sandbox.url) and {"first", "last"} <= set(links)
    second = requests.get(
        links["next"], headers={"Authorization": first.request.headers["Authorization"]}, timeout=10
    )
    assert len(second.json()) == 2 and "next" not in _links(second)
    users = first.json() + second.json()
    assert len({user["id"] for user in users}) == 7
    assert all({"id", "name", "email", "externalId"} <= set(user) for user in users)


def test_leaf_users_default_to_pages_of_20_and_cap_at_100(leaf: Any) -> None:
    assert len(leaf(USERS).json()) == 7
    assert "page=0&size=100" in leaf(USERS, size="500").headers["Link"]


def test_leaf_rate_limit_answers_429_with_retry_after(leaf: Any, fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"leaf": {"rate": 0.5, "burst": 2}})
    statuses = [leaf(BILLING) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) >= 1 and statuses[2].json()["status"] == 429
