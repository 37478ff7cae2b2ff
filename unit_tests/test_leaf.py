"""The five Leaf streams against mocked HTTP: login, pages, windows, fan-out, per-partition state, records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from connector import (
    LEAF_PASSWORD,
    LEAF_URL,
    LEAF_USERNAME,
    assert_succeeded,
    catalog,
    config,
    first_error,
    records,
    run_read,
    state,
    states,
)

pytestmark = pytest.mark.usefixtures("waits", "fresh_sessions")

RESPONSES = Path(__file__).parent / "responses" / "leaf"
BILLING = f"{LEAF_URL}/services/billingapplication/api/billing/contracts"
USERS = f"{LEAF_URL}/services/usermanagement/api/users"
TOKEN = "leaf-unit-token-first-3e8b1d6c9f"
SECOND_TOKEN = "leaf-unit-token-second-7a2c5e0b4d"
WRONG_PASSWORD = "leaf-unit-wrong-password-1f6d8a3e5c"
CONTRACT_A = "6f1d0c2e-3b7a-4e58-9a41-0d2c7b5e8f13"
CONTRACT_B = "a8b3e5d1-7c24-4f9e-b061-2e4d9c1a7f58"
RANGE_STREAMS = ("contract_consumption", "leaf_user_consumption")


def template(name: str) -> Any:
    return json.loads((RESPONSES / f"{name}.json").read_text())


def reply(body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, {"Content-Type": "application/json", **(headers or {})})


def login(password: str = LEAF_PASSWORD) -> HttpRequest:
    return HttpRequest(
        f"{LEAF_URL}/api/authenticate",
        body={"username": LEAF_USERNAME, "password": password, "rememberMe": "false"},
    )


def authenticated(token: str = TOKEN) -> HttpResponse:
    return reply({**template("authenticate"), "id_token": token})


def bearer(token: str = TOKEN) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def contracts_request(token: str = TOKEN) -> HttpRequest:
    return HttpRequest(BILLING, query_params={"size": "100"}, headers=bearer(token))


def only_page(url: str, count: int) -> Dict[str, str]:
    """The headers of a list's one page, as the vendor writes them."""
    return {
        "Link": f'<{url}?page=0&size=100>; rel="last",<{url}?page=0&size=100>; rel="first"',
        "X-Total-Count": str(count),
    }


def contracts(*ids: str) -> HttpResponse:
    """The contracts with these ids: CONTRACT_A and CONTRACT_B as the template writes them (two products)."""
    shapes = {shape["id"]: shape for shape in template("contracts")}
    listed = [{**shapes.get(contract_id, shapes[CONTRACT_A]), "id": contract_id} for contract_id in ids]
    return reply(listed, headers=only_page(BILLING, len(ids)))


def users_request(page: Optional[int] = None) -> HttpRequest:
    query = {"size": "100"} if page is None else {"page": str(page), "size": "100"}
    return HttpRequest(USERS, query_params=query, headers=bearer())


def users(first: int, count: int, headers: Optional[Mapping[str, str]] = None) -> HttpResponse:
    shape = template("users")[0]
    page = [
        {**shape, "id": user_id(index), "name": f"User {index}", "externalId": f"ext-{index}"}
        for index in range(first, first + count)
    ]
    return reply(page, headers=only_page(USERS, count) if headers is None else headers)


def user_id(index: int) -> str:
    return f"00000000-0000-4000-8000-{index:012d}"


def link(page: int, *relations: str) -> Dict[str, str]:
    """A Link header for `page` with these relations (next, prev, first, last), as the vendor writes it."""
    targets = {"next": page + 1, "prev": page - 1, "first": 0, "last": page}
    return {
        "Link": ",".join(f'<{USERS}?page={targets[relation]}&size=100>; rel="{relation}"' for relation in relations)
    }


def range_request(path: str, start: str, end: str) -> HttpRequest:
    return HttpRequest(
        f"{BILLING}/{path}",
        query_params={"startTime": f"{start}T00:00:00.000Z", "endTime": f"{end}T23:59:59.999Z"},
        headers=bearer(),
    )


def owner_path(contract: str) -> str:
    return f"{contract}/consumption/api-owner"


def user_path(contract: str, user: str) -> str:
    return f"{contract}/consumption/leaf-user/{user}"


def area_per_day(*days: str, unit: str = "Acre", total: float = 1.5) -> HttpResponse:
    shape = template("area_per_day")["areaPerDay"][0]
    rows = [{**shape, "date": f"{day}T00:00:00Z", "totalArea": total, "dailyArea": 0.5} for day in days]
    return reply({"areaUnit": unit, "areaPerDay": rows})


def day_request(contract: str, day: str) -> HttpRequest:
    return HttpRequest(
        f"{BILLING}/{contract}/consumption",
        query_params={"timestamp": f"{day}T00:00:00.000Z"},
        headers=bearer(),
    )


def consumption(day: str) -> HttpResponse:
    return reply({**template("consumption"), "date": f"{day}T00:00:00Z"})


def partition_states(output: EntrypointOutput, stream: str) -> Dict[Tuple[str, ...], Any]:
    """The stream's last state, as {(contract_id[, leaf_user_id]): cursor}."""
    final = states(output, stream)[-1]
    return {
        tuple(value for key, value in entry["partition"].items() if key != "parent_slice"): entry["cursor"]
        for entry in final["states"]
    }


def saved(stream: str, cursors: Mapping[Tuple[str, ...], str]) -> Any:
    """A per-partition state as the connector writes it, for contracts or contract × user partitions."""
    entries = []
    for key, day in cursors.items():
        partition: Dict[str, Any] = {"contract_id": key[0], "parent_slice": {}}
        if len(key) == 2:
            partition["leaf_user_id"] = key[1]
        entries.append({"partition": partition, "cursor": {"date": day}})
    return state(**{stream: {"states": entries}})


def test_leaf_logs_in_with_json_credentials_and_sends_the_token_as_bearer(http_mocker: HttpMocker) -> None:
    authenticate = login()
    http_mocker.post(authenticate, authenticated())
    listing = contracts_request()
    http_mocker.get(listing, contracts(CONTRACT_A))

    output = run_read(config(leaf=True), catalog("contracts"))

    assert_succeeded(output)
    http_mocker.assert_number_of_calls(authenticate, 1)
    http_mocker.assert_number_of_calls(listing, 1)
    assert [record["id"] for record in records(output)] == [CONTRACT_A]


def test_leaf_one_login_serves_every_stream(http_mocker: HttpMocker) -> None:
    authenticate = login()
    http_mocker.post(authenticate, authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A))
    http_mocker.get(users_request(), users(0, 1))
    http_mocker.get(range_request(owner_path(CONTRACT_A), "2026-11-19", "2026-11-20"), area_per_day("2026-11-19"))
    http_mocker.get(
        range_request(user_path(CONTRACT_A, user_id(0)), "2026-11-19", "2026-11-20"),
        area_per_day("2026-11-20"),
    )
    for day in ("2026-11-19", "2026-11-20"):
        http_mocker.get(day_request(CONTRACT_A, day), consumption(day))

    output = run_read(
        config(leaf=True, start_date="2026-11-19"),
        catalog("contracts", "contract_consumption", "daily_consumption", "leaf_users", "leaf_user_consumption"),
    )

    assert_succeeded(output)
    http_mocker.assert_number_of_calls(authenticate, 1)
    assert {message.record.stream for message in output.records} == {
        "contracts",
        "contract_consumption",
        "daily_consumption",
        "leaf_users",
        "leaf_user_consumption",
    }


def test_leaf_contracts_dates_become_days(http_mocker: HttpMocker) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), reply(template("contracts"), headers=only_page(BILLING, 2)))

    output = run_read(config(leaf=True), catalog("contracts"))

    assert_succeeded(output)
    assert records(output) == [
        {"id": CONTRACT_A, "product": "UNIFIED_AREA", "start_date": "2023-01-01", "end_date": "2027-01-01"},
        {"id": CONTRACT_B, "product": "FIELDS_BOUNDARY", "start_date": "2024-03-15", "region": "US"},
    ]


# case: the pages the vendor answers, as (page parameter, first user, users on the page, headers)
PAGINATION: Dict[str, Sequence[Tuple[Optional[int], int, int, Mapping[str, str]]]] = {
    "no-headers-until-a-short-page": [(None, 0, 100, {}), (1, 100, 100, {}), (2, 200, 50, {})],
    "total-count-with-short-pages": [
        (None, 0, 3, {"X-Total-Count": "104"}),
        (1, 3, 100, {"X-Total-Count": "104"}),
        (2, 103, 1, {"X-Total-Count": "104"}),
    ],
    "short-pages-while-link-says-next": [
        (None, 0, 3, {**link(0, "next", "last", "first"), "X-Total-Count": "7"}),
        (1, 3, 3, {**link(1, "next", "prev", "last", "first"), "X-Total-Count": "7"}),
        (2, 6, 1, {**link(2, "prev", "last", "first"), "X-Total-Count": "7"}),
    ],
    "total-count-250": [
        (None, 0, 100, {"X-Total-Count": "250"}),
        (1, 100, 100, {"X-Total-Count": "250"}),
        (2, 200, 50, {"X-Total-Count": "250"}),
    ],
    "total-count-200": [(None, 0, 100, {"X-Total-Count": "200"}), (1, 100, 100, {"X-Total-Count": "200"})],
    "link-without-next": [
        (None, 0, 100, link(0, "next", "last", "first")),
        (1, 100, 100, link(1, "prev", "last", "first")),
    ],
}


@pytest.mark.parametrize(
    "pages",
    [
        [
            (None, 0, 100, {**link(0, "next", "last", "first"), "X-Total-Count": "250"}),
            (1, 100, 60, {**link(1, "prev", "last", "first"), "X-Total-Count": "250"}),
        ],
        [
            (None, 0, 3, {"X-Total-Count": "250"}),
            (1, 3, 100, {"X-Total-Count": "250"}),
            (2, 103, 0, {"X-Total-Count": "250"}),
        ],
    ],
    ids=["link-ends-short-of-the-total", "empty-page-short-of-the-total"],
)
def test_leaf_list_that_ends_short_of_its_total_fails_naming_both_counts(
    http_mocker: HttpMocker, pages: Sequence[Tuple[Optional[int], int, int, Mapping[str, str]]]
) -> None:
    http_mocker.post(login(), authenticated())
    for page, first, count, headers in pages:
        http_mocker.get(users_request(page), users(first, count, headers))

    output = run_read(config(leaf=True), catalog("leaf_users"))

    error = first_error(output)
    read = sum(count for _, _, count, _ in pages)
    assert error.message == (
        f"Leaf's list /services/usermanagement/api/users ended after {read} of the 250 records it says it holds, "
        "with no further page offered; sync again, and if it persists, tell the vendor."
    )
    assert error.failure_type == FailureType.transient_error


@pytest.mark.parametrize("case", PAGINATION)
def test_leaf_users_pages_by_100_and_stops_where_the_list_ends(http_mocker: HttpMocker, case: str) -> None:
    http_mocker.post(login(), authenticated())
    pages = []
    for page, first, count, headers in PAGINATION[case]:
        request = users_request(page)
        http_mocker.get(request, users(first, count, headers))
        pages.append(request)

    output = run_read(config(leaf=True), catalog("leaf_users"))

    assert_succeeded(output)
    for request in pages:
        http_mocker.assert_number_of_calls(request, 1)
    expected = sum(count for _, _, count, _ in PAGINATION[case])
    assert [record["id"] for record in records(output)] == [user_id(index) for index in range(expected)]
    assert records(output)[0] == {
        "id": user_id(0),
        "name": "User 0",
        "email": "jane@example.com",
        "external_id": "ext-0",
        "created_time": "2024-02-01T10:00:00Z",
        "connected_providers": [],
    }


def test_leaf_contract_consumption_reads_366_day_windows_per_contract(http_mocker: HttpMocker) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A, CONTRACT_B))
    windows = [("2024-06-01", "2025-06-01"), ("2025-06-02", "2026-06-02"), ("2026-06-03", "2026-11-20")]
    requests = []
    for contract in (CONTRACT_A, CONTRACT_B):
        for start, end in windows:
            request = range_request(owner_path(contract), start, end)
            http_mocker.get(request, area_per_day(start))
            requests.append(request)

    output = run_read(config(leaf=True, start_date="2024-06-01"), catalog("contract_consumption"))

    assert_succeeded(output)
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)
    assert sorted((record["contract_id"], record["date"]) for record in records(output)) == sorted(
        (contract, start) for contract in (CONTRACT_A, CONTRACT_B) for start, _ in windows
    )
    assert partition_states(output, "contract_consumption") == {
        (CONTRACT_A,): {"date": "2026-11-21"},
        (CONTRACT_B,): {"date": "2026-11-21"},
    }


@pytest.mark.parametrize("stream", RANGE_STREAMS)
def test_leaf_range_records_carry_the_area_unit(http_mocker: HttpMocker, stream: str) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A))
    http_mocker.get(users_request(), users(0, 1))
    path = owner_path(CONTRACT_A) if stream == "contract_consumption" else user_path(CONTRACT_A, user_id(0))
    http_mocker.get(range_request(path, "2026-11-18", "2026-11-20"), reply(template("area_per_day")))

    output = run_read(config(leaf=True, start_date="2026-11-18"), catalog(stream))

    assert_succeeded(output)
    keys = (
        {"contract_id": CONTRACT_A, "product": "UNIFIED_AREA"}
        if stream == "contract_consumption"
        else {
            "contract_id": CONTRACT_A,
            "leaf_user_id": user_id(0),
            "product": "UNIFIED_AREA",
        }
    )
    assert records(output) == [
        {**keys, "area_unit": "Acre", "date": "2026-11-18", "total_area": 120.5, "daily_area": 3.25},
        {**keys, "area_unit": "Acre", "date": "2026-11-19", "total_area": 124.0, "daily_area": 3.5},
        {**keys, "area_unit": "Acre", "date": "2026-11-20", "total_area": 124.0, "daily_area": 0},
    ]


@pytest.mark.parametrize("stream", [*RANGE_STREAMS, "daily_consumption"])
def test_leaf_consumption_records_carry_their_contracts_product(http_mocker: HttpMocker, stream: str) -> None:
    # the consumption answers name no product: each contract tracks one (providers.md, Leaf)
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A, CONTRACT_B))
    http_mocker.get(users_request(), users(0, 1))
    for contract in (CONTRACT_A, CONTRACT_B):
        if stream == "daily_consumption":
            http_mocker.get(day_request(contract, "2026-11-20"), consumption("2026-11-20"))
        else:
            path = owner_path(contract) if stream == "contract_consumption" else user_path(contract, user_id(0))
            http_mocker.get(range_request(path, "2026-11-20", "2026-11-20"), area_per_day("2026-11-20"))

    output = run_read(config(leaf=True, start_date="2026-11-20"), catalog(stream))

    assert_succeeded(output)
    assert sorted((record["contract_id"], record["product"]) for record in records(output)) == [
        (CONTRACT_A, "UNIFIED_AREA"),
        (CONTRACT_B, "FIELDS_BOUNDARY"),
    ]


def test_leaf_daily_consumption_asks_one_day_per_call_per_contract(http_mocker: HttpMocker) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A, CONTRACT_B))
    days = ("2026-11-18", "2026-11-19", "2026-11-20")
    requests = []
    for contract in (CONTRACT_A, CONTRACT_B):
        for day in days:
            request = day_request(contract, day)
            http_mocker.get(request, consumption(day))
            requests.append(request)

    output = run_read(config(leaf=True, start_date="2026-11-18"), catalog("daily_consumption"))

    assert_succeeded(output)
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)
    rows = sorted(records(output), key=lambda record: (record["contract_id"], record["date"]))
    assert [(record["contract_id"], record["date"]) for record in rows] == [
        (contract, day) for contract in (CONTRACT_A, CONTRACT_B) for day in days
    ]
    assert rows[0] == {
        "contract_id": CONTRACT_A,
        "product": "UNIFIED_AREA",
        "date": "2026-11-18",
        "area_unit": "Hectare",
        "total_unique_area": 0.8,
        "leaf_users_areas": [
            {"leaf_user_id": "0b7e4c1a-5d92-4f3e-8a67-9c2d1e5b4f80", "total_area": 0.6},
            {"leaf_user_id": "5e2a9f07-1c3b-4d86-a4e0-7b9d2c6f1e35", "total_area": 0.3},
        ],
    }
    assert partition_states(output, "daily_consumption") == {
        (CONTRACT_A,): {"date": "2026-11-21"},
        (CONTRACT_B,): {"date": "2026-11-21"},
    }


def test_leaf_daily_consumption_resumes_each_contract_from_its_state(http_mocker: HttpMocker) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A, CONTRACT_B))
    # lookback_days 0 re-reads only the last day read: the day before the state
    expected = {
        CONTRACT_A: ("2026-11-19", "2026-11-20"),
        CONTRACT_B: ("2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"),
    }
    requests = []
    for contract, days in expected.items():
        for day in days:
            request = day_request(contract, day)
            http_mocker.get(request, consumption(day))
            requests.append(request)

    output = run_read(
        config(leaf=True, start_date="2026-11-01", lookback_days=0),
        catalog("daily_consumption"),
        saved("daily_consumption", {(CONTRACT_A,): "2026-11-20", (CONTRACT_B,): "2026-11-18"}),
    )

    assert_succeeded(output)
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)
    assert len(records(output)) == 6


def test_leaf_user_consumption_fans_out_over_every_contract_and_user(http_mocker: HttpMocker) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A, CONTRACT_B))
    http_mocker.get(users_request(), users(0, 3))
    # each of the 2 × 3 partitions has its own request, answered with its own figure
    totals = {}
    requests = []
    for contract_number, contract in enumerate((CONTRACT_A, CONTRACT_B)):
        for index in range(3):
            totals[(contract, user_id(index))] = float(10 * contract_number + index)
            request = range_request(user_path(contract, user_id(index)), "2026-06-01", "2026-11-20")
            http_mocker.get(request, area_per_day("2026-11-20", total=totals[(contract, user_id(index))]))
            requests.append(request)

    output = run_read(config(leaf=True), catalog("leaf_user_consumption"))

    assert_succeeded(output)
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)
    assert {
        (record["contract_id"], record["leaf_user_id"]): record["total_area"] for record in records(output)
    } == totals
    assert len(records(output)) == 6
    assert partition_states(output, "leaf_user_consumption") == {key: {"date": "2026-11-21"} for key in totals}


def test_leaf_range_streams_resume_each_partition_from_its_state(http_mocker: HttpMocker) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A, CONTRACT_B))
    http_mocker.get(users_request(), users(0, 1))
    user = user_id(0)
    # with lookback_days 3 each partition starts 4 days before its state and reads 366-day windows from there
    expected = {
        owner_path(CONTRACT_A): [("2026-11-06", "2026-11-20")],
        owner_path(CONTRACT_B): [("2025-05-29", "2026-05-29"), ("2026-05-30", "2026-11-20")],
        user_path(CONTRACT_A, user): [("2026-11-17", "2026-11-20")],
        user_path(CONTRACT_B, user): [("2026-01-01", "2026-11-20")],
    }
    requests = []
    for path, windows in expected.items():
        for start, end in windows:
            request = range_request(path, start, end)
            http_mocker.get(request, area_per_day(end))
            requests.append(request)
    saved_states = saved("contract_consumption", {(CONTRACT_A,): "2026-11-10", (CONTRACT_B,): "2025-06-02"})
    saved_states += saved("leaf_user_consumption", {(CONTRACT_A, user): "2026-11-21", (CONTRACT_B, user): "2026-01-05"})

    output = run_read(config(leaf=True, start_date="2024-06-01"), catalog(*RANGE_STREAMS), saved_states)

    assert_succeeded(output)
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)
    assert partition_states(output, "contract_consumption") == {
        (CONTRACT_A,): {"date": "2026-11-21"},
        (CONTRACT_B,): {"date": "2026-11-21"},
    }
    assert partition_states(output, "leaf_user_consumption") == {
        (CONTRACT_A, user): {"date": "2026-11-21"},
        (CONTRACT_B, user): {"date": "2026-11-21"},
    }


def test_leaf_failed_window_leaves_the_state_at_the_end_of_the_windows_before_it(
    http_mocker: HttpMocker,
) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), contracts(CONTRACT_A))
    path = owner_path(CONTRACT_A)
    http_mocker.get(range_request(path, "2024-06-01", "2025-06-01"), area_per_day("2024-06-01"))
    failing = range_request(path, "2025-06-02", "2026-06-02")
    http_mocker.get(failing, reply({"title": "Forbidden", "status": 403, "detail": "Not your contract."}, 403))
    http_mocker.get(range_request(path, "2026-06-03", "2026-11-20"), area_per_day("2026-06-03"))

    output = run_read(config(leaf=True, start_date="2024-06-01"), catalog("contract_consumption"))

    http_mocker.assert_number_of_calls(failing, 1)
    assert "Leaf refused access to" in output.errors[0].trace.error.message
    # the first window [2024-06-01..2025-06-01] completed: the first day not yet read is 2025-06-02
    assert partition_states(output, "contract_consumption") == {(CONTRACT_A,): {"date": "2025-06-02"}}


def test_leaf_users_keep_which_providers_are_connected_and_no_credential(http_mocker: HttpMocker) -> None:
    secrets = ["deere-client-secret-1", "deere-access-token-1", "fv-refresh-token-1", "agvance-token-1"]
    user = {
        **template("users")[0],
        "johnDeereCredentials": {"clientKey": "deere-key", "clientSecret": secrets[0], "accessToken": secrets[1]},
        "climateFieldViewCredentials": {"refreshToken": secrets[2]},
        "trimbleCredentials": None,
        "agvanceCredentials": {"token": secrets[3]},
    }
    http_mocker.post(login(), authenticated())
    http_mocker.get(users_request(), reply([user], headers=link(0, "first", "last")))

    output = run_read(config(leaf=True), catalog("leaf_users"))

    assert_succeeded(output)
    assert records(output)[0]["connected_providers"] == ["agvance", "climate_field_view", "john_deere"]
    assert not [key for key in records(output)[0] if key.endswith("credentials")]
    messages = [*output.records, *output.logs, *output.state_messages, *output.trace_messages]
    everything = "\n".join(str(message) for message in messages)
    for secret in [*secrets, "deere-key"]:
        assert secret not in everything


def test_leaf_users_keep_only_the_allowed_fields_whatever_else_leaf_sends(http_mocker: HttpMocker) -> None:
    """An allow-list, not a deny-list: the growers' phone numbers and addresses go, at any depth, and so does any
    field Leaf adds tomorrow; what stays is the schema's fields."""
    personal = ["+1 555 0100", "12 Field Rd", "Ames", "+1 555 0199", "+1 555 0142", "4 Barn Ln", "new-thing"]
    user = {
        **template("users")[0],
        "apiOwnerUsername": "owner@example.com",
        "updatedTime": "2026-11-02T09:30:00Z",
        "phone": personal[0],
        "address": {"street": personal[1], "city": personal[2]},
        "secondaryPhone": personal[3],
        "profile": {"phoneNumber": personal[4], "farm": {"address": personal[5]}},
        "somethingLeafAddsTomorrow": personal[6],
        "cnhiCredentials": {"clientSecret": "cnhi-secret"},
    }
    http_mocker.post(login(), authenticated())
    http_mocker.get(users_request(), reply([user], headers=link(0, "first", "last")))

    output = run_read(config(leaf=True), catalog("leaf_users"))

    assert_succeeded(output)
    assert records(output) == [
        {
            "id": "0b7e4c1a-5d92-4f3e-8a67-9c2d1e5b4f80",
            "name": "Jane Doe",
            "email": "jane@example.com",
            "external_id": "ext-1",
            "api_owner_username": "owner@example.com",
            "created_time": "2024-02-01T10:00:00Z",
            "updated_time": "2026-11-02T09:30:00Z",
            "connected_providers": ["cnhi"],
        }
    ]
    everything = "\n".join(str(message) for message in [*output.records, *output.logs, *output.state_messages])
    assert [value for value in personal if value in everything] == []


@pytest.mark.parametrize(
    ("problem", "quoted"),
    [
        (
            {
                "type": "https://api.withleaf.io/problem/problem-with-message",
                "title": "Contract not found",
                "status": 404,
                "path": "/api/billing/contracts/x",
                "message": "error.contractNotFound",
                "errorKey": "contractNotFound",
            },
            "Contract not found",
        ),
        ({"title": "Bad Request", "status": 400, "detail": "startTime must be before endTime"}, "Bad Request"),
        ({"status": 400, "detail": "startTime must be before endTime"}, "startTime must be before endTime"),
    ],
    ids=["problem-document", "older-title-and-detail", "older-detail-only"],
)
def test_leaf_errors_quote_the_problem_documents_title_or_detail(
    http_mocker: HttpMocker, problem: Dict[str, Any], quoted: str
) -> None:
    http_mocker.post(login(), authenticated())
    http_mocker.get(contracts_request(), reply(problem, problem["status"]))

    output = run_read(config(leaf=True), catalog("contracts"))

    message = output.errors[0].trace.error.message
    assert message.startswith("Leaf ")
    assert f"({problem['status']} {quoted})" in message or f"({quoted})" in message
