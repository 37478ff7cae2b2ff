"""Leaf as providers.md and its seed page describe it, exercised with plain HTTP."""

import itertools
import json
import re
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from usage_sandbox.credentials import LEAF_PASSWORD, LEAF_USERNAME
from usage_sandbox.truth import personal_values, provider_secrets

BILLING = "/leaf/services/billingapplication/api/billing/contracts"
USERS = "/leaf/services/usermanagement/api/users"
PROBLEM = {"type", "title", "status", "path", "message", "errorKey"}


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

    get.url = fresh_sandbox.url  # type: ignore[attr-defined]
    get.session = session  # type: ignore[attr-defined]
    return get


def _contracts(leaf: Any) -> list[dict]:
    return leaf(BILLING).json()


def _links(response: requests.Response) -> dict[str, str]:
    """The `Link` header as RFC 8288 has it: `<uri-reference>; rel="..."`, comma separated."""
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>\s*;\s*rel="(\w+)"', response.headers["Link"])}
    assert len(links) == response.headers["Link"].count(";")
    return links


def _every_page(leaf: Any, path: str, size: str) -> list[requests.Response]:
    """Every page of a list, following the `Link` header's next (relative links resolve on the page's URL)."""
    pages = [leaf(path, page="0", size=size)]
    while "next" in _links(pages[-1]):
        pages.append(leaf.session.get(urljoin(pages[-1].url, _links(pages[-1])["next"]), timeout=10))
        assert pages[-1].status_code == 200
    return pages


def test_leaf_authenticates_with_username_and_password(fresh_sandbox: Any) -> None:
    assert _authenticate(fresh_sandbox).json()["id_token"]
    assert _authenticate(fresh_sandbox, remember="true").json()["id_token"]


def test_leaf_refuses_bad_credentials_and_bad_tokens_with_401(fresh_sandbox: Any) -> None:
    assert _authenticate(fresh_sandbox, password="wrong").status_code == 401
    for path in (BILLING, USERS):
        for headers in ({}, {"Authorization": "Bearer nope"}):
            response = requests.get(f"{fresh_sandbox.url}{path}", headers=headers, timeout=10)
            assert response.status_code == 401 and response.json()["status"] == 401


def test_leaf_billing_errors_are_problem_documents(leaf: Any) -> None:
    contract = _contracts(leaf)[0]["id"]
    unknown = "00000000-0000-4000-8000-000000000000"
    for path, params, status in (
        (f"{BILLING}/{unknown}", {}, 404),
        (f"{BILLING}/{contract}/consumption/api-owner", {"startTime": "soon", "endTime": "later"}, 400),
        (f"{BILLING}/{contract}/consumption/leaf-user/{unknown}", {}, 404),
    ):
        response = leaf(path, **params)
        body = response.json()
        assert response.status_code == status and set(body) == PROBLEM, path
        assert body["status"] == status and body["path"] == path.removeprefix("/leaf")
        assert body["message"] == f"error.{body['errorKey']}" and body["title"] and body["type"].startswith("http")
    no_token = requests.get(f"{leaf.url}{BILLING}", timeout=10).json()
    assert set(no_token) == PROBLEM and no_token["status"] == 401


def test_leaf_login_and_user_management_errors_have_the_older_shape(fresh_sandbox: Any) -> None:
    bad_login = _authenticate(fresh_sandbox, password="wrong").json()
    no_token = requests.get(f"{fresh_sandbox.url}{USERS}", timeout=10).json()
    for body in (bad_login, no_token):
        assert set(body) == {"title", "status", "detail"} and body["status"] == 401 and body["detail"]


def test_leaf_lists_contracts_as_a_bare_array(leaf: Any) -> None:
    contracts = _contracts(leaf)
    assert len(contracts) == 3
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
        body = leaf(f"{BILLING}/{contract['id']}/consumption", timestamp=f"2026-09-{day:02d}T00:00:00.000Z").json()
        users = sum(user["totalArea"] for user in body["leafUsersAreas"])
        assert body["totalUniqueArea"] <= users + 1e-9
        busy += bool(body["leafUsersAreas"])
    assert busy > 5


@pytest.mark.parametrize("who", ["api-owner", "leaf-user"])
def test_leaf_ranges_are_cumulative_list_some_days_at_0_and_leave_others_out(leaf: Any, who: str) -> None:
    contract = _contracts(leaf)[0]
    users = [user["id"] for user in leaf(USERS, size="100").json()]
    base = f"{BILLING}/{contract['id']}/consumption"
    paths = [f"{base}/api-owner"] if who == "api-owner" else [f"{base}/leaf-user/{user}" for user in users]
    days = []
    for path in paths:
        listed = leaf(path, startTime="2026-01-01T00:00:00.000Z", endTime="2026-11-20T23:59:59.999Z").json()
        assert len(listed["areaPerDay"]) < 324
        for before, after in itertools.pairwise(listed["areaPerDay"]):
            assert after["date"] > before["date"]
            assert after["totalArea"] == pytest.approx(before["totalArea"] + after["dailyArea"])
        days += listed["areaPerDay"]
    assert any(day["dailyArea"] == 0.0 for day in days) and any(day["dailyArea"] > 0 for day in days)


@pytest.mark.parametrize(("reading", "figure"), [("to_date", "totalArea"), ("day", "dailyArea")])
def test_leaf_daily_summary_is_the_range_answers_figure_of_its_reading(
    leaf: Any, fresh_sandbox: Any, reading: str, figure: str
) -> None:
    # providers.md, Leaf: whether the daily summary holds that day's figures or totals to that day is not said;
    # the sandbox serves either, and each must be the range answers' `dailyArea` or cumulative `totalArea`
    fresh_sandbox.set_leaf_daily_summary(reading)
    contract = _contracts(leaf)[0]
    base = f"{BILLING}/{contract['id']}/consumption"
    window = {"startTime": "2026-10-25T00:00:00.000Z", "endTime": f"{fresh_sandbox.today}T23:59:59.999Z"}
    owner = {day["date"]: day[figure] for day in leaf(f"{base}/api-owner", **window).json()["areaPerDay"]}
    by_user: dict[str, dict[str, float]] = {}
    for user in leaf(USERS, size="100").json():
        for day in leaf(f"{base}/leaf-user/{user['id']}", **window).json()["areaPerDay"]:
            if day[figure]:
                by_user.setdefault(day["date"], {})[user["id"]] = day[figure]
    assert len(owner) > 10 and any(owner.values())
    for stamp, unique in owner.items():
        summary = leaf(base, timestamp=stamp.replace("Z", ".000Z")).json()
        assert summary["totalUniqueArea"] == unique, stamp
        users = {user["leafUserId"]: user["totalArea"] for user in summary["leafUsersAreas"]}
        if reading == "day":
            assert users == by_user.get(stamp, {}), stamp
        else:  # every user's total to that day, also of users with nothing new that day
            assert {user: users[user] for user in by_user.get(stamp, {})} == by_user.get(stamp, {}), stamp
            assert all(total > 0 for total in users.values())


def test_leaf_daily_summary_reading_is_a_setting(fresh_sandbox: Any) -> None:
    readings = f"{fresh_sandbox.url}/_sandbox/readings"
    assert requests.get(readings, timeout=10).json() == {"leaf_daily_summary": "to_date"}
    changed = requests.post(readings, json={"leaf_daily_summary": "day"}, timeout=10)
    assert changed.json() == {"leaf_daily_summary": "day"}
    refused = requests.post(readings, json={"leaf_daily_summary": "weekly"}, timeout=10)
    assert refused.status_code == 400
    assert refused.json() == {"error": 'the body must be {"leaf_daily_summary": one of to_date, day}'}
    assert requests.get(readings, timeout=10).json() == {"leaf_daily_summary": "day"}


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
    assert leaf(path, startTime="2025-01-01T00:00:00.000Z", endTime="2026-01-01T23:59:59.999Z").status_code == 200
    response = leaf(path, startTime="2025-01-01T00:00:00.000Z", endTime="2026-01-02T23:59:59.999Z")
    assert response.status_code == 400
    assert "366 days" in response.json()["title"] and response.json()["status"] == 400


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


def test_leaf_users_are_paginated_with_total_and_absolute_links(leaf: Any, fresh_sandbox: Any) -> None:
    first = leaf(USERS, page="0", size="5")
    assert first.headers["X-Total-Count"] == "7" and len(first.json()) == 5
    links = _links(first)
    assert set(links) == {"next", "last", "first"}
    assert all(url.startswith(f"{fresh_sandbox.url}{USERS}?") for url in links.values())
    second = leaf.session.get(links["next"], timeout=10)
    assert len(second.json()) == 2 and set(_links(second)) == {"prev", "last", "first"}
    users = first.json() + second.json()
    assert len({user["id"] for user in users}) == 7
    assert all({"id", "name", "email", "externalId"} <= set(user) for user in users)


def test_leaf_contracts_are_paginated_with_total_and_relative_links(leaf: Any) -> None:
    first = leaf(BILLING, page="0", size="2")
    assert first.headers["X-Total-Count"] == "3" and len(first.json()) == 2
    links = _links(first)
    assert set(links) == {"next", "last", "first"} and links["next"] == f"{BILLING}?page=1&size=2"
    pages = _every_page(leaf, BILLING, "2")
    assert [len(page.json()) for page in pages] == [2, 1]
    assert [c for page in pages for c in page.json()] == _contracts(leaf)


@pytest.mark.parametrize("path", [USERS, BILLING])
def test_leaf_lists_default_to_pages_of_20_and_cap_at_100(leaf: Any, path: str) -> None:
    assert len(leaf(path).json()) == int(leaf(path).headers["X-Total-Count"]) > 2
    assert "page=0&size=20" in leaf(path).headers["Link"]
    assert "page=0&size=100" in leaf(path, size="500").headers["Link"]


@pytest.mark.parametrize("path", [USERS, BILLING])
def test_leaf_page_cap_answers_short_pages_while_links_and_total_say_more_come(
    leaf: Any, fresh_sandbox: Any, path: str
) -> None:
    whole = leaf(path, size="100").json()
    fresh_sandbox.set_page_cap(2)
    first = leaf(path, page="0", size="100")
    assert len(first.json()) == 2 < int(first.headers["X-Total-Count"]) == len(whole)
    assert "next" in _links(first)
    pages = _every_page(leaf, path, "100")
    assert len(pages) == -(-len(whole) // 2) and all(len(page.json()) <= 2 for page in pages)
    assert [item for page in pages for item in page.json()] == whole
    assert leaf("/_sandbox/health").json()["page_cap"] == 2
    fresh_sandbox.set_page_cap(None)
    assert len(leaf(path, size="100").json()) == len(whole)


def test_leaf_users_embed_provider_credentials_with_secret_values(leaf: Any, fresh_sandbox: Any) -> None:
    users = leaf(USERS, size="100").json()
    secrets = set(requests.get(f"{fresh_sandbox.url}/_sandbox/secrets", timeout=10).json()["secrets"])
    assert secrets == set(provider_secrets(fresh_sandbox.seed, fresh_sandbox.size))
    served: set[str] = set()
    keys = set()
    for user in users:
        for key, value in user.items():
            if not key.endswith("Credentials"):
                assert key in {
                    "id",
                    "name",
                    "email",
                    "externalId",
                    "apiOwnerUsername",
                    "createdTime",
                    "updatedTime",
                    "phone",
                    "address",
                    "secondaryPhone",
                    "profile",
                }
                continue
            keys.add(key)
            assert value is None or isinstance(value, dict)
            served |= set(re.findall(r"lfsecret-[0-9a-f]+", json.dumps(value)))
    assert served == secrets and len(secrets) > 20
    assert {"johnDeereCredentials", "climateFieldViewCredentials", "cnhiCredentials", "agvanceCredentials"} <= keys
    assert any(value is None for user in users for value in user.values())
    assert any(len([k for k in user if k.endswith("Credentials")]) < len(keys) for user in users)
    assert any(all(user.get(key) is None for key in keys) for user in users)


def test_leaf_users_truth_keeps_only_the_connected_providers(leaf: Any, fresh_sandbox: Any) -> None:
    users = leaf(USERS, size="100").json()
    records = fresh_sandbox.truth("2026-11-01")["leaf_users"]
    expected = {
        "johnDeereCredentials": "john_deere",
        "climateFieldViewCredentials": "climate_field_view",
        "cnhiCredentials": "cnhi",
        "agLeaderCredentials": "ag_leader",
        "ravenSlingshotCredentials": "raven_slingshot",
        "agvanceCredentials": "agvance",
    }
    assert [record["id"] for record in records] == [user["id"] for user in users]
    for record, user in zip(records, users, strict=True):
        assert set(record) == {
            "id",
            "name",
            "email",
            "external_id",
            "api_owner_username",
            "created_time",
            "updated_time",
            "connected_providers",
        }
        connected = [key for key, value in user.items() if key.endswith("Credentials") and value is not None]
        assert record["connected_providers"] == sorted(record["connected_providers"])
        assert len(record["connected_providers"]) == len(connected)
        for key in connected:
            if key in expected:
                assert expected[key] in record["connected_providers"]
    assert any("agvance" in record["connected_providers"] for record in records)
    assert any(record["connected_providers"] == [] for record in records)
    text = json.dumps(fresh_sandbox.truth("2021-01-01"))
    assert not any(secret in text for secret in provider_secrets(fresh_sandbox.seed, fresh_sandbox.size))
    assert "lfsecret-" not in text and "Credentials" not in text
    assert "lfpersonal-" not in text and all(
        value not in text for value in personal_values(fresh_sandbox.seed, fresh_sandbox.size)
    )


def test_leaf_users_carry_growers_phone_numbers_and_addresses_in_several_shapes(leaf: Any, fresh_sandbox: Any) -> None:
    users = leaf(USERS, size="100").json()
    served = json.dumps(users)
    personal = personal_values(fresh_sandbox.seed, fresh_sandbox.size)
    assert personal and all(value in served for value in personal)
    assert all(user["phone"].startswith("lfpersonal-") and user["apiOwnerUsername"] for user in users)
    assert {type(user["address"]) for user in users} == {str, dict}
    assert any("secondaryPhone" in user for user in users)
    assert any("phoneNumber" in user.get("profile", {}) for user in users)
    assert all(user["createdTime"] < user["updatedTime"] for user in users)


def test_leaf_rate_limit_answers_429_with_retry_after(leaf: Any, fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"leaf": {"rate": 0.5, "burst": 2}})
    statuses = [leaf(BILLING) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) >= 1 and statuses[2].json()["status"] == 429
