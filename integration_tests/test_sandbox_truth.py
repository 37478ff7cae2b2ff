"""Ground truth: internally consistent, deterministic, and equal to what the endpoints serve.

The walk below is a small client written from providers.md alone (not the connector): it asks every endpoint
for the widest window it accepts and flattens the answers into the record shapes of docs/streams.md.
"""

import asyncio
import json
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp
import pytest
import requests

from usage_sandbox import credentials
from usage_sandbox.truth import STREAMS, truth

ROOT = Path(__file__).resolve().parent.parent
HISTORY_START = "2021-01-01"
BILLING = "/leaf/services/billingapplication/api/billing/contracts"


def _windows(start: date, end: date, days: int) -> list[tuple[date, date]]:
    windows = []
    while start <= end:
        windows.append((start, min(end, start + timedelta(days=days - 1))))
        start += timedelta(days=days)
    return windows


def _months(start: date, end: date) -> list[str]:
    index, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, last + 1)]


def _checked(response: requests.Response) -> requests.Response:
    assert response.status_code == 200, (response.url, response.status_code, response.text[:300])
    return response


def _leadfeeder_list(http: requests.Session, url: str, **params: str) -> list[dict[str, Any]]:
    """A Leadfeeder list: one answer, or pages linked by `links.next` where the list is paginated."""
    body = _checked(http.get(url, params=params)).json()
    items = body["data"]
    while body.get("links", {}).get("next"):
        body = _checked(http.get(body["links"]["next"])).json()
        items += body["data"]
    return items


def _walk_leadfeeder(url: str, start: date, today: date) -> dict[str, list[dict[str, Any]]]:
    http = requests.Session()
    http.headers["X-Api-Key"] = credentials.LEADFEEDER_API_KEY
    accounts, usage = [], []
    for summary in _leadfeeder_list(http, f"{url}/leadfeeder/v1/accounts"):
        [account] = _leadfeeder_list(http, f"{url}/leadfeeder/v1/accounts", account_id=str(summary["id"]))
        credit = account["attributes"]["credits"]
        accounts.append(
            {
                "id": str(account["id"]),
                "name": account["attributes"]["name"],
                "credits_available": credit["available"],
                "credits_used": credit["used"],
                "credits_remaining": credit["remaining"],
                "credits_next_reset_on": credit["next_reset_on"],
            }
        )
        months = _months(start, today)
        for first in range(0, len(months), 24):
            window = months[first : first + 24]
            records = _leadfeeder_list(
                http,
                f"{url}/leadfeeder/v1/usage",
                account_id=str(account["id"]),
                start_period=window[0],
                end_period=window[-1],
            )
            usage += [
                {"account_id": str(account["id"]), "id": record["id"], **record["attributes"]} for record in records
            ]
    return {"accounts": accounts, "api_usage": usage}


def _insideview_windows(period: str, start: date, today: date) -> list[tuple[str, str]]:
    """The widest (start, end) windows of a period that cover start..today: 92 days, 36 months, 10 years."""
    if period == "day":
        return [(first.isoformat(), last.isoformat()) for first, last in _windows(start, today, 92)]
    units = _months(start, today) if period == "month" else [str(y) for y in range(start.year, today.year + 1)]
    width = 36 if period == "month" else 10
    return [(units[i], units[min(len(units), i + width) - 1]) for i in range(0, len(units), width)]


def _walk_insideview(url: str, start: date, today: date, period: str = "day") -> dict[str, list[dict[str, Any]]]:
    login = {"clientId": credentials.INSIDEVIEW_CLIENT_ID, "clientSecret": credentials.INSIDEVIEW_CLIENT_SECRET}
    answer = requests.post(f"{url}/insideview-login/Auth/login/v1/token.json", data={**login, "grantType": "cred"})
    token = _checked(answer).json()["accessTokenDetails"]["accessToken"]
    http = requests.Session()
    http.headers.update({"accessToken": token, "Accept": "application/json"})
    transactions, body = [], {}
    for first, last in _insideview_windows(period, start, today):
        body = _checked(
            http.get(
                f"{url}/insideview/api/v1/admin/usage",
                params={"period": period, "start": first, "end": last},
            )
        ).json()
        for usage in body["usageForAccount"]:
            rates = [d["value"] for d in usage.get("details", []) if d["type"] == "matchRate"]
            transactions.append(
                {
                    "account_id": body["accountId"],
                    "account_name": body["accountName"],
                    "period_type": period,
                    "date": usage["date"],
                    "api": usage["api"],
                    "transactions": usage["transactions"],
                    "match_rate": float(rates[0]) if rates else None,
                }
            )
    credit = body["creditsForAccount"][0]
    credits = [
        {
            "account_id": body["accountId"],
            "account_name": body["accountName"],
            "allocated_credits": credit["allocatedCredits"],
            "consumed_credits": credit["consumedCredits"],
            "remaining_credits": credit["allocatedCredits"] - credit["consumedCredits"],
        }
    ]
    return {"credits": credits, "api_transactions": transactions}


def _walk_whitepages(url: str, start: date, today: date) -> dict[str, list[dict[str, Any]]]:
    http = requests.Session()
    http.headers["X-Api-Key"] = credentials.WHITEPAGES_API_KEY
    days = []
    for first, last in _windows(start, today, 90):
        body = _checked(
            http.get(
                f"{url}/whitepages/v1/account/usage",
                params={"start_date": first.isoformat(), "end_date": last.isoformat()},
            )
        ).json()
        days += body["usage_data"]
    return {"daily_usage": days}


def _walk_leaf(url: str, start: date, today: date) -> dict[str, list[dict[str, Any]]]:
    login = {"username": credentials.LEAF_USERNAME, "password": credentials.LEAF_PASSWORD, "rememberMe": "false"}
    token = _checked(requests.post(f"{url}/leaf/api/authenticate", json=login)).json()["id_token"]
    headers = {"Authorization": f"Bearer {token}"}
    http = requests.Session()
    http.headers.update(headers)

    def every_page(page_url: str) -> list[dict[str, Any]]:
        """A Leaf list: pages linked by `Link` next (absolute or relative), whatever each page holds."""
        items: list[dict[str, Any]] = []
        while page_url:
            page = _checked(http.get(page_url))
            items += page.json()
            following = page.links.get("next", {}).get("url")
            page_url = urljoin(page.url, following) if following else ""
        assert len(items) == int(page.headers["X-Total-Count"])
        return items

    contracts = every_page(f"{url}{BILLING}?size=100")
    users = every_page(f"{url}/leaf/services/usermanagement/api/users?page=0&size=5")

    def ranged(path: str) -> list[tuple[str, dict[str, Any]]]:
        rows = []
        for first, last in _windows(start, today, 366):
            body = _checked(
                http.get(
                    f"{url}{path}",
                    params={"startTime": f"{first}T00:00:00.000Z", "endTime": f"{last}T23:59:59.999Z"},
                )
            ).json()
            rows += [(body["areaUnit"], day) for day in body["areaPerDay"]]
        return rows

    async def one_day(http: aiohttp.ClientSession, contract: dict[str, Any], day: date) -> dict[str, Any]:
        path = f"{url}{BILLING}/{contract['id']}/consumption"
        async with http.get(path, params={"timestamp": f"{day}T00:00:00.000Z"}) as response:
            assert response.status == 200, (path, day, response.status)
            body = await response.json()
        return {
            "contract_id": contract["id"],
            "product": contract["product"],
            "date": body["date"][:10],
            "area_unit": body["areaUnit"],
            "total_unique_area": body["totalUniqueArea"],
            "leaf_users_areas": [
                {"leaf_user_id": u["leafUserId"], "total_area": u["totalArea"]} for u in body["leafUsersAreas"]
            ],
        }

    async def every_day() -> list[dict[str, Any]]:
        connector = aiohttp.TCPConnector(limit=16)
        async with aiohttp.ClientSession(headers=headers, connector=connector) as http:
            return await asyncio.gather(
                *(
                    one_day(http, contract, start + timedelta(days=n))
                    for contract in contracts
                    for n in range((today - start).days + 1)
                )
            )

    def area(unit: str, day: dict[str, Any]) -> dict[str, Any]:
        return {
            "date": day["date"][:10],
            "area_unit": unit,
            "total_area": day["totalArea"],
            "daily_area": day["dailyArea"],
        }

    consumption, per_user = [], []
    for contract in contracts:
        path = f"{BILLING}/{contract['id']}/consumption"
        keys = {"contract_id": contract["id"], "product": contract["product"]}
        consumption += [{**keys, **area(*row)} for row in ranged(f"{path}/api-owner")]
        for user in users:
            per_user += [
                {**keys, "leaf_user_id": user["id"], **area(*row)} for row in ranged(f"{path}/leaf-user/{user['id']}")
            ]
    daily = asyncio.run(every_day())
    return {
        "contracts": [
            {
                "id": c["id"],
                "product": c["product"],
                "start_date": c["startDate"][:10],
                "end_date": c["endDate"][:10],
                "region": c["region"],
            }
            for c in contracts
        ],
        "contract_consumption": consumption,
        "daily_consumption": daily,
        "leaf_users": [
            {
                "id": u["id"],
                "name": u["name"],
                "email": u["email"],
                "external_id": u["externalId"],
                "api_owner_username": u["apiOwnerUsername"],
                "created_time": u["createdTime"],
                "updated_time": u["updatedTime"],
                "connected_providers": sorted(
                    re.sub(r"(?<!^)(?=[A-Z])", "_", key.removesuffix("Credentials")).lower()
                    for key, value in u.items()
                    if key.endswith("Credentials") and value is not None
                ),
            }
            for u in users
        ],
        "leaf_user_consumption": per_user,
    }


def _walk(url: str, start: str, today: str) -> dict[str, list[dict[str, Any]]]:
    first, last = date.fromisoformat(start), date.fromisoformat(today)
    records: dict[str, list[dict[str, Any]]] = {}
    for walk in (_walk_leadfeeder, _walk_insideview, _walk_whitepages, _walk_leaf):
        records.update(walk(url, first, last))
    return records


def _canonical(records: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(record, sort_keys=True) for record in records)


@pytest.fixture
def unlimited(fresh_sandbox: Any) -> Any:
    fresh_sandbox.set_limits({"enabled": False})
    return fresh_sandbox


def test_truth_equals_what_every_endpoint_serves_over_the_whole_history(unlimited: Any) -> None:
    unlimited.set_page_cap(2)  # every list in pages of 2, whatever size is asked
    served = _walk(unlimited.url, HISTORY_START, unlimited.today)
    expected = unlimited.truth(HISTORY_START)
    for stream in STREAMS:
        assert _canonical(served[stream]) == _canonical(expected[stream]), stream
        assert expected[stream] or stream == "none"


def test_truth_follows_today_so_lookback_rereads_grown_days(unlimited: Any) -> None:
    start = "2026-11-01"
    before = unlimited.truth(start)
    unlimited.set_today("2026-11-22")
    after = unlimited.truth(start)
    served = _walk(unlimited.url, start, "2026-11-22")
    for stream in ("daily_usage", "contract_consumption", "api_transactions", "leaf_user_consumption"):
        assert _canonical(served[stream]) == _canonical(after[stream]), stream
    old = {r["date"]: r["request_count"] for r in before["daily_usage"]}
    new = {r["date"]: r["request_count"] for r in after["daily_usage"]}
    assert all(new[day] == count for day, count in old.items() if day <= "2026-11-17")
    assert all(new.get(day, 0) >= count for day, count in old.items())
    assert sum(new.get(d, 0) for d in ("2026-11-18", "2026-11-19", "2026-11-20")) > sum(
        old.get(d, 0) for d in ("2026-11-18", "2026-11-19", "2026-11-20")
    )


def test_truth_has_the_ten_streams_in_the_schema_shapes() -> None:
    records = truth(42, "small", "2026-11-20", "2026-10-01")
    assert tuple(records) == STREAMS
    for stream, rows in records.items():
        schema = json.loads((ROOT / "schemas" / f"{stream}.json").read_text())
        assert rows, stream
        for row in rows:
            assert set(schema.get("required", [])) - {"observed_at"} <= set(row) <= set(schema["properties"])


def test_truth_is_deterministic_for_seed_size_and_today() -> None:
    assert truth(42, "small", "2026-11-20", "2026-06-01") == truth(42, "small", "2026-11-20", "2026-06-01")
    assert truth(43, "small", "2026-11-20", "2026-06-01") != truth(42, "small", "2026-11-20", "2026-06-01")


def test_truth_leaf_cumulative_totals_add_up_the_daily_areas() -> None:
    records = truth(42, "small", "2026-11-20", HISTORY_START)
    for stream, key in (
        ("contract_consumption", ("contract_id",)),
        ("leaf_user_consumption", ("contract_id", "leaf_user_id")),
    ):
        running: dict[tuple, float] = defaultdict(float)
        for row in sorted(records[stream], key=lambda r: (*[r[k] for k in key], r["date"])):
            group = tuple(row[k] for k in key)
            running[group] += row["daily_area"]
            assert row["daily_area"] >= 0
            assert row["total_area"] == pytest.approx(running[group])
        assert any(row["daily_area"] == 0 for row in records[stream]), stream


@pytest.mark.parametrize(("reading", "figure"), [("day", "daily_area"), ("to_date", "total_area")])
def test_truth_leaf_daily_summary_is_the_range_figure_of_its_reading(reading: str, figure: str) -> None:
    records = truth(42, "small", "2026-11-20", "2025-11-20", leaf_daily_summary=reading)
    owner = {(r["contract_id"], r["date"]): r[figure] for r in records["contract_consumption"]}
    by_user: dict[tuple, dict[str, float]] = defaultdict(dict)
    for row in records["leaf_user_consumption"]:
        if row[figure]:
            by_user[(row["contract_id"], row["date"])][row["leaf_user_id"]] = row[figure]
    daily = sorted(records["daily_consumption"], key=lambda row: (row["contract_id"], row["date"]))
    assert len(daily) == 3 * 366
    for before, row in zip([None, *daily], daily, strict=False):
        key = (row["contract_id"], row["date"])
        users = {user["leaf_user_id"]: user["total_area"] for user in row["leaf_users_areas"]}
        assert row["total_unique_area"] <= sum(users.values()) + 1e-9
        if reading == "day":
            assert row["total_unique_area"] == owner.get(key, 0)
            assert users == by_user.get(key, {})
        elif key in owner:
            assert row["total_unique_area"] == owner[key]
            assert {user: users[user] for user in by_user[key]} == by_user[key]
        elif before is not None and before["contract_id"] == row["contract_id"]:
            # a day the range answers leave out added nothing: the totals stand as the day before
            assert row["total_unique_area"] == before["total_unique_area"]
            assert row["leaf_users_areas"] == before["leaf_users_areas"]
    assert any(not row["leaf_users_areas"] for row in daily) == (reading == "day")


def test_truth_insideview_days_add_up_to_months_years_and_credits() -> None:
    days = truth(42, "small", "2026-11-20", "2024-01-01")["api_transactions"]
    months = truth(42, "small", "2026-11-20", "2024-01-01", insideview_period="month")["api_transactions"]
    years = truth(42, "small", "2026-11-20", "2024-01-01", insideview_period="year")
    by_month: dict[tuple, int] = defaultdict(int)
    by_year: dict[tuple, int] = defaultdict(int)
    for row in days:
        by_month[(row["api"], row["date"][:7])] += row["transactions"]
        by_year[(row["api"], row["date"][:4])] += row["transactions"]
    assert {(r["api"], r["date"]): r["transactions"] for r in months} == dict(by_month)
    assert {(r["api"], r["date"]): r["transactions"] for r in years["api_transactions"]} == dict(by_year)
    credit = years["credits"][0]
    assert credit["consumed_credits"] == sum(v for (_, year), v in by_year.items() if year == "2026")
    assert credit["remaining_credits"] == credit["allocated_credits"] - credit["consumed_credits"]
    assert all(isinstance(r["match_rate"], float) for r in days if r["api"] == "ENRICH_ENRICH")
    assert all(r["match_rate"] is None for r in days if r["api"] != "ENRICH_ENRICH")


def test_truth_shows_weekday_and_weekend_patterns() -> None:
    rows = truth(42, "small", "2026-11-20", "2025-01-01")["daily_usage"]
    weekday = [r["request_count"] for r in rows if date.fromisoformat(r["date"]).weekday() < 5]
    weekend = [r["request_count"] for r in rows if date.fromisoformat(r["date"]).weekday() >= 5]
    assert sum(weekday) / len(weekday) > 3 * sum(weekend) / max(1, len(weekend))
    assert len(rows) < (date(2026, 11, 20) - date(2025, 1, 1)).days + 1


def test_truth_leadfeeder_months_cover_start_to_today() -> None:
    records = truth(42, "small", "2026-11-20", "2025-03-15")
    periods = {row["period"] for row in records["api_usage"]}
    assert min(periods) == "2025-03" and max(periods) == "2026-11"
    assert len({row["account_id"] for row in records["api_usage"]}) == len(records["accounts"]) - 1


def test_truth_cli_prints_the_same_records_as_json_lines() -> None:
    show = ["truth", "--seed", "42", "--today", "2026-11-20", "--start-date", "2026-11-10", "--size", "small"]
    output = subprocess.run(
        [sys.executable, "-m", "usage_sandbox", *show],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    printed: dict[str, list[dict[str, Any]]] = {stream: [] for stream in STREAMS}
    for line in output.stdout.splitlines():
        entry = json.loads(line)
        printed[entry["stream"]].append(entry["data"])
    assert printed == truth(42, "small", "2026-11-20", "2026-11-10")


# Consecutive todays across a month edge and a year edge: the last day of a month, the 1st, the 2nd, the 3rd.
EDGES = {
    "month_edge": ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"),
    "year_edge": ("2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"),
}
# Each day stream's figure, keyed by what names one record.
_DAY_FIGURES = {
    "daily_usage": (("date",), "request_count"),
    "api_transactions": (("api", "date"), "transactions"),
    "contract_consumption": (("contract_id", "date"), "daily_area"),
    "leaf_user_consumption": (("contract_id", "leaf_user_id", "date"), "daily_area"),
    "daily_consumption": (("contract_id", "date"), "total_unique_area"),
}


def _figures(records: dict[str, list[dict[str, Any]]], stream: str) -> dict[tuple, float]:
    key, figure = _DAY_FIGURES[stream]
    return {tuple(row[k] for k in key): row[figure] for row in records[stream]}


def _sum_on(figures: dict[tuple, float], days: set[str]) -> float:
    return sum(value for key, value in figures.items() if key[-1] in days)


@pytest.mark.parametrize("edge", list(EDGES))
def test_truth_and_served_figures_are_revised_across_month_and_year_edges(unlimited: Any, edge: str) -> None:
    todays = [date.fromisoformat(day) for day in EDGES[edge]]
    start = todays[0].replace(day=1)
    previous = {(todays[0] - timedelta(days=n)).isoformat() for n in range(2)}  # the last two days before the edge
    final = unlimited.truth(start.isoformat(), today=(todays[-1] + timedelta(days=40)).isoformat())
    by_today: dict[date, dict[str, Any]] = {}
    for today in todays:
        unlimited.set_today(today.isoformat())
        served = _walk(unlimited.url, start.isoformat(), today.isoformat())
        expected = unlimited.truth(start.isoformat())
        for stream in STREAMS:
            assert _canonical(served[stream]) == _canonical(expected[stream]), (today, stream)
        periods = {"day": expected["api_transactions"]}
        for period in ("month", "year"):
            periods[period] = unlimited.truth(start.isoformat(), insideview_period=period)["api_transactions"]
            walked = _walk_insideview(unlimited.url, start, today, period)["api_transactions"]
            assert _canonical(walked) == _canonical(periods[period]), (today, period)
        by_today[today] = {"records": expected, "insideview": periods}
        settled = (today - timedelta(days=3)).isoformat()  # the revision horizon: today and the two days before
        for stream in _DAY_FIGURES:
            now, last = _figures(expected, stream), _figures(final, stream)
            assert {k: v for k, v in now.items() if k[-1] <= settled} == {
                k: v for k, v in last.items() if k[-1] <= settled
            }, (today, stream)
    first, second, third = todays[1:]
    for stream in _DAY_FIGURES:
        sums = [_sum_on(_figures(by_today[day]["records"], stream), previous) for day in (first, second, third)]
        assert sums[0] < sums[1] <= sums[2] == _sum_on(_figures(final, stream), previous), (edge, stream)

    def total(rows: list[dict[str, Any]], field: str, label: str, figure: str) -> int:
        return sum(row[figure] for row in rows if row[field] == label)

    far = (todays[-1] + timedelta(days=40)).isoformat()
    month, year = todays[0].strftime("%Y-%m"), todays[0].strftime("%Y")
    for name, label, rows_on in (
        ("api_usage", month, lambda day: by_today[day]["records"]["api_usage"]),
        ("month", month, lambda day: by_today[day]["insideview"]["month"]),
        ("year", year, lambda day: by_today[day]["insideview"]["year"]),
    ):
        field, figure = ("period", "num_requests") if name == "api_usage" else ("date", "transactions")
        settled_rows = (
            final["api_usage"]
            if name == "api_usage"
            else unlimited.truth(start.isoformat(), today=far, insideview_period=name)["api_transactions"]
        )
        figures = [total(rows_on(day), field, label, figure) for day in (first, second, third)]
        assert figures[0] < figures[1] <= figures[2], (edge, name, figures)
        if name != "year" or edge == "year_edge":  # a period that ended at the edge is final three days on
            assert figures[2] == total(settled_rows, field, label, figure), (edge, name)
