"""Leaf in the sandbox: its data (a pure function of seed and size), its routes and handlers, its error
format, `build(runtime)` for the server and `truth(...)` for the ground truth."""

import bisect
import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from http import HTTPStatus
from typing import Any

from aiohttp import web

from usage_sandbox.days import PARTIAL_DAYS, completeness, midnight, parse_instant
from usage_sandbox.errors import BadRequest, NotFound, TooManyRequests, Unauthorized, VendorError
from usage_sandbox.noise import rng, stable_uuid, unit
from usage_sandbox.paging import Page, cut_short, page_of
from usage_sandbox.replies import json_reply
from usage_sandbox.runtime import Runtime
from usage_sandbox.vendor import Limit, Route, SessionToken, VendorSpec
from usage_sandbox.vendors.leaf import DAILY_SUMMARY_READINGS, NAME, PASSWORD, PREFIX, USERNAME
from usage_sandbox.vendors.leaf import users as leaf_users

BILLING_SERVICE = "/services/billingapplication/"
CONTRACTS_PATH = f"{PREFIX}{BILLING_SERVICE}api/billing/contracts"
USERS_PATH = f"{PREFIX}/services/usermanagement/api/users"
MAX_DAYS = 366
DAY_TOKEN_SECONDS = 24 * 3600.0
REMEMBER_ME_TOKEN_SECONDS = 30 * 24 * 3600.0
LIMIT = Limit(kind="bucket", rate=20.0, burst=20.0)
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
# contracts, users, share of (contract, user) pairs with usage, mean days between a user's active days
_SIZES = {"small": (3, 7, 0.75, 4.0), "medium": (3, 60, 0.6, 6.0), "large": (3, 1000, 0.6, 9.0)}
_CONTRACTS = (
    ("UNIFIED_AREA", "Acre", date(2024, 1, 1), date(2028, 12, 31), None),
    ("FIELDS_BOUNDARY", "Hectare", date(2024, 4, 1), date(2027, 12, 31), None),
    ("OPERATIONS_FILE", "Acre", date(2024, 7, 15), date(2028, 6, 30), "EU"),
)
_SEASON = (0.4, 0.5, 1.3, 1.7, 1.8, 1.2, 0.9, 0.9, 1.5, 1.6, 0.8, 0.4)
PROBLEM_TYPE = "https://www.withleaf.io/problem/problem-with-message"
_ERROR_KEYS = {
    400: "validation",
    401: "unauthorized",
    404: "notfound",
    500: "internalservererror",
    502: "badgateway",
    503: "serviceunavailable",
    504: "gatewaytimeout",
}


@dataclass(frozen=True)
class Contract:
    id: str
    product: str
    area_unit: str
    start: date
    end: date
    region: str | None


@dataclass
class Series:
    """Final daily areas in hundredths on active days (ordinals, ascending) and their running totals."""

    days: list[int] = field(default_factory=list)
    cents: list[int] = field(default_factory=list)
    running: list[int] = field(default_factory=list)

    def seal(self) -> None:
        total, self.running = 0, []
        for cents in self.cents:
            total += cents
            self.running.append(total)

    def total_through(self, ordinal: int) -> int:
        index = bisect.bisect_right(self.days, ordinal)
        return self.running[index - 1] if index else 0


class LeafData:
    def __init__(self, seed: int, size: str) -> None:
        self.seed, self.size = seed, size
        contracts, users, share, gap = _SIZES[size]
        self.contracts = [
            Contract(stable_uuid(seed, size, NAME, "contract", i), *_CONTRACTS[i]) for i in range(contracts)
        ]
        self.contract_by_id = {contract.id: contract for contract in self.contracts}
        self.users = leaf_users.users(seed, size, users)
        self.user_index = {user.id: i for i, user in enumerate(self.users)}
        self.user_series: dict[tuple[str, int], Series] = {}
        self.contract_users: dict[str, list[int]] = {}
        self.day_users: dict[str, dict[int, list[tuple[int, int]]]] = {}
        self.contract_series: dict[str, Series] = {}
        for contract in self.contracts:
            self._draw_contract(contract, share, gap)

    def _draw_contract(self, contract: Contract, share: float, gap: float) -> None:
        by_day: dict[int, list[tuple[int, int]]] = {}
        for index in range(len(self.users)):
            if unit(self.seed, self.size, NAME, "pair", contract.id, index) >= share:
                continue
            series = self.user_series[(contract.id, index)] = self._draw_user(contract, index, gap)
            for ordinal, cents in zip(series.days, series.cents, strict=True):
                by_day.setdefault(ordinal, []).append((index, cents))
        self.day_users[contract.id] = by_day
        self.contract_users[contract.id] = sorted(i for (cid, i) in self.user_series if cid == contract.id)
        series = Series()
        for ordinal in sorted(by_day):
            series.days.append(ordinal)
            series.cents.append(self.unique_cents(contract, ordinal, sum(c for _, c in by_day[ordinal])))
        series.seal()
        self.contract_series[contract.id] = series

    def _draw_user(self, contract: Contract, index: int, gap: float) -> Series:
        draw = rng(self.seed, self.size, NAME, "usage", contract.id, index)
        scale = draw.lognormvariate(math.log(900.0), 0.6)
        series = Series()
        ordinal, last = contract.start.toordinal() + draw.randrange(int(gap * 3)), contract.end.toordinal()
        while ordinal <= last:
            day = date.fromordinal(ordinal)
            if day.weekday() < 5 or draw.random() < 0.3:
                series.days.append(ordinal)
                series.cents.append(max(1, int(scale * _SEASON[day.month - 1] * draw.lognormvariate(0.0, 0.7))))
            elif day.weekday() == 6:  # a quiet Sunday the range answers list with dailyArea 0.0
                series.days.append(ordinal)
                series.cents.append(0)
            ordinal += 1 + int(draw.expovariate(1.0 / gap))
        series.seal()
        return series

    def unique_cents(self, contract: Contract, ordinal: int, users_cents: int) -> int:
        """Overlaps between users removed: never more than the sum of the users' areas."""
        return int(users_cents * (0.7 + 0.3 * unit(self.seed, self.size, NAME, "overlap", contract.id, ordinal)))

    @staticmethod
    def _to_date(series: Series, ordinal: int, today: date, adjusted: Any) -> int:
        """The running total through `ordinal` as the range answers give it on `today` (partial days scaled)."""
        settled = today.toordinal() - PARTIAL_DAYS
        if ordinal <= settled:
            return series.total_through(ordinal)
        total = series.total_through(settled)
        for j in range(bisect.bisect_right(series.days, settled), bisect.bisect_right(series.days, ordinal)):
            total += adjusted(series.days[j], series.cents[j])
        return total

    def _range(self, series: Series, first: int, last: int, today: date, adjusted: Any) -> list[tuple[int, int, int]]:
        """(ordinal, daily, cumulative) for the listed days first..last (some with no new area, the others
        left out), the partial days scaled."""
        last = min(last, today.toordinal())
        settled = today.toordinal() - PARTIAL_DAYS
        rows = []
        lo, hi = bisect.bisect_left(series.days, first), bisect.bisect_right(series.days, last)
        total = None
        for i in range(lo, hi):
            ordinal = series.days[i]
            if ordinal <= settled:
                rows.append((ordinal, series.cents[i], series.running[i]))
                continue
            if total is None:
                total = series.total_through(settled)
                for j in range(bisect.bisect_right(series.days, settled), i):
                    total += adjusted(series.days[j], series.cents[j])
            daily = adjusted(ordinal, series.cents[i])
            total += daily
            rows.append((ordinal, daily, total))
        return rows

    def contract_range(self, contract: Contract, first: int, last: int, today: date) -> list[tuple[int, int, int]]:
        return self._range(
            self.contract_series[contract.id],
            first,
            last,
            today,
            lambda ordinal, _cents: self.day(contract, ordinal, today)[0],
        )

    def user_range(
        self, contract: Contract, index: int, first: int, last: int, today: date
    ) -> list[tuple[int, int, int]]:
        series = self.user_series.get((contract.id, index))
        if series is None:
            return []
        return self._range(
            series,
            first,
            last,
            today,
            lambda ordinal, cents: int(cents * completeness(date.fromordinal(ordinal), today)),
        )

    def day(self, contract: Contract, ordinal: int, today: date) -> tuple[int, list[tuple[int, int]]]:
        """(unique area, [(user index, area)]) on one day, as known on `today`."""
        share = completeness(date.fromordinal(ordinal), today)
        users = [(index, int(cents * share)) for index, cents in self.day_users[contract.id].get(ordinal, [])]
        users = [(index, cents) for index, cents in users if cents]
        if not users:
            return 0, []
        return self.unique_cents(contract, ordinal, sum(c for _, c in users)), users

    def summary(self, contract: Contract, ordinal: int, today: date, reading: str) -> tuple[int, list[tuple[int, int]]]:
        """The daily summary of one day as known on `today`: (unique area, [(user index, area)]) of that day
        (`day`), or the totals to that day (`to_date`): the range answers' cumulative `totalArea`s."""
        if reading == "day":
            return self.day(contract, ordinal, today)
        ordinal = min(ordinal, today.toordinal())
        unique = self._to_date(
            self.contract_series[contract.id], ordinal, today, lambda day, _cents: self.day(contract, day, today)[0]
        )
        users = []
        for index in self.contract_users[contract.id]:
            total = self._to_date(
                self.user_series[(contract.id, index)],
                ordinal,
                today,
                lambda day, cents: int(cents * completeness(date.fromordinal(day), today)),
            )
            if total:
                users.append((index, total))
        return unique, users

    def truth(
        self, start: date, today: date, reading: str = DAILY_SUMMARY_READINGS[0]
    ) -> dict[str, list[dict[str, Any]]]:
        first, last = start.toordinal(), today.toordinal()
        contracts, consumption, daily, user_consumption = [], [], [], []
        for contract in self.contracts:
            contracts.append(
                {
                    "id": contract.id,
                    "product": contract.product,
                    "start_date": contract.start.isoformat(),
                    "end_date": contract.end.isoformat(),
                    "region": contract.region,
                }
            )
            for ordinal, area, total in self.contract_range(contract, first, last, today):
                consumption.append(
                    {
                        "contract_id": contract.id,
                        "product": contract.product,
                        "date": date.fromordinal(ordinal).isoformat(),
                        "area_unit": contract.area_unit,
                        "total_area": total / 100,
                        "daily_area": area / 100,
                    }
                )
            for ordinal in range(first, last + 1):
                unique, users = self.summary(contract, ordinal, today, reading)
                daily.append(
                    {
                        "contract_id": contract.id,
                        "product": contract.product,
                        "date": date.fromordinal(ordinal).isoformat(),
                        "area_unit": contract.area_unit,
                        "total_unique_area": unique / 100,
                        "leaf_users_areas": [
                            {"leaf_user_id": self.users[i].id, "total_area": c / 100} for i, c in users
                        ],
                    }
                )
            for index, user in enumerate(self.users):
                for ordinal, area, total in self.user_range(contract, index, first, last, today):
                    user_consumption.append(
                        {
                            "contract_id": contract.id,
                            "leaf_user_id": user.id,
                            "product": contract.product,
                            "date": date.fromordinal(ordinal).isoformat(),
                            "area_unit": contract.area_unit,
                            "total_area": total / 100,
                            "daily_area": area / 100,
                        }
                    )
        users = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "external_id": u.external_id,
                "api_owner_username": USERNAME,
                "created_time": u.created_time,
                "updated_time": u.updated_time,
                "connected_providers": u.connected_providers(),
            }
            for u in self.users
        ]
        return {
            "contracts": contracts,
            "contract_consumption": consumption,
            "daily_consumption": daily,
            "leaf_users": users,
            "leaf_user_consumption": user_consumption,
        }


def render(error: VendorError, request: web.Request) -> web.Response:
    """The billing service answers problem documents; the login, the user management and the gateway's 429
    (whatever the service) the older `{"title", "status", "detail"}`."""
    status, path = error.status, request.path
    if isinstance(error, TooManyRequests):
        body: dict[str, Any] = {"title": "Too Many Requests", "status": status, "detail": "Rate limit exceeded."}
    elif BILLING_SERVICE in path:
        key = _ERROR_KEYS.get(status, "http")
        body = {
            "type": PROBLEM_TYPE,
            "title": error.detail,
            "status": status,
            "path": path.removeprefix(PREFIX),
            "message": f"error.{key}",
            "errorKey": key,
        }
    else:
        body = {"title": HTTPStatus(status).phrase, "status": status, "detail": error.detail}
    return json_reply(body, status, error.headers())


def _contract_json(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.id,
        "product": contract.product,
        "startDate": f"{contract.start.isoformat()}T00:00:00Z",
        "endDate": f"{contract.end.isoformat()}T00:00:00Z",
        "region": contract.region,
    }


def _stamp(ordinal: int) -> str:
    return f"{date.fromordinal(ordinal).isoformat()}T00:00:00Z"


def _area_per_day(contract: Contract, rows: list[tuple[int, int, int]]) -> dict[str, Any]:
    return {
        "areaUnit": contract.area_unit,
        "areaPerDay": [{"date": _stamp(o), "totalArea": t / 100, "dailyArea": a / 100} for o, a, t in rows],
    }


class LeafApi:
    def __init__(self, runtime: Runtime, data: LeafData) -> None:
        self.runtime, self.data = runtime, data
        self._users_json = [user.as_json() for user in data.users]

    async def authenticate(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadRequest("The request body must be JSON.") from None
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        if body.get("username") != USERNAME or body.get("password") != PASSWORD:
            raise Unauthorized("Bad credentials")
        remember = str(body.get("rememberMe", "false")).lower() == "true"
        token = self.runtime.tokens.issue(NAME, REMEMBER_ME_TOKEN_SECONDS if remember else DAY_TOKEN_SECONDS)
        return json_reply({"id_token": token.value})

    def _contract(self, request: web.Request) -> Contract:
        contract = self.data.contract_by_id.get(request.match_info["contract_id"])
        if contract is None:
            raise NotFound("Contract not found")
        return contract

    def _days(self, request: web.Request) -> tuple[int, int]:
        start, end = (
            parse_instant(request.query.get("startTime")),
            parse_instant(request.query.get("endTime")),
        )
        if start is None or end is None:
            raise BadRequest("startTime and endTime are required, as YYYY-MM-DDTHH:MM:SS.sssZ")
        if end < start:
            raise BadRequest("endTime must not be before startTime")
        first = start.date() if midnight(start.date()) == start else start.date() + timedelta(days=1)
        longest = self.runtime.ranges.longest(NAME, "day")
        if (end.date() - first).days + 1 > longest:
            raise BadRequest(f"The range can cover at most {longest} days")
        return first.toordinal(), end.date().toordinal()

    def _paged(self, request: web.Request, items: list[dict[str, Any]], absolute: bool) -> web.Response:
        """One page of a list: `page` from 0, `size` (20, at most 100) cut further by the sandbox's page cap."""
        try:
            number = int(request.query.get("page", 0))
            asked = min(MAX_PAGE_SIZE, int(request.query.get("size", DEFAULT_PAGE_SIZE)))
        except ValueError:
            raise BadRequest("page and size must be integers") from None
        if number < 0 or asked < 1:
            raise BadRequest("page must be 0 or more and size 1 or more")
        page = page_of(number, asked, len(items), self.runtime.page_cap)
        base = f"{request.scheme}://{request.host}{request.path}" if absolute else request.path
        served = items[page.start : page.stop]
        if self.runtime.truncated_lists:  # cut short, as a proxy might: half the page, the total kept, no next link
            page = replace(page, total=page.start + len(served))
        headers = {"X-Total-Count": str(len(items)), "Link": _links(base, page, asked)}
        return json_reply(cut_short(served, self.runtime.truncated_lists), headers=headers)

    async def contracts(self, request: web.Request) -> web.Response:
        contracts = [_contract_json(contract) for contract in self.data.contracts]
        return self._paged(request, contracts, absolute=False)

    async def contract(self, request: web.Request) -> web.Response:
        return json_reply(_contract_json(self._contract(request)))

    async def consumption(self, request: web.Request) -> web.Response:
        contract = self._contract(request)
        text = request.query.get("timestamp")
        moment = parse_instant(text) if text is not None else midnight(self.runtime.today)
        if moment is None:
            raise BadRequest("timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ")
        ordinal = moment.date().toordinal()
        unique, users = self.data.summary(contract, ordinal, self.runtime.today, self.runtime.leaf_daily_summary)
        return json_reply(
            {
                "areaUnit": contract.area_unit,
                "date": _stamp(ordinal),
                "totalUniqueArea": unique / 100,
                "leafUsersAreas": [{"leafUserId": self.data.users[i].id, "totalArea": c / 100} for i, c in users],
            }
        )

    async def api_owner(self, request: web.Request) -> web.Response:
        contract = self._contract(request)
        rows = self.data.contract_range(contract, *self._days(request), self.runtime.today)
        return json_reply(_area_per_day(contract, rows))

    async def leaf_user(self, request: web.Request) -> web.Response:
        contract = self._contract(request)
        index = self.data.user_index.get(request.match_info["leaf_user_id"])
        if index is None:
            raise NotFound("Leaf user not found")
        rows = self.data.user_range(contract, index, *self._days(request), self.runtime.today)
        return json_reply(_area_per_day(contract, rows))

    async def users(self, request: web.Request) -> web.Response:
        return self._paged(request, self._users_json, absolute=True)


def _links(base: str, page: Page, size: int) -> str:
    """RFC 8288 `Link`: next (not on the last page), prev, last and first, on `base` (absolute or not)."""
    links = []
    if page.has_next:
        links.append(f'<{base}?page={page.number + 1}&size={size}>; rel="next"')
    if 0 < page.number <= page.last + 1:
        links.append(f'<{base}?page={page.number - 1}&size={size}>; rel="prev"')
    links.append(f'<{base}?page={page.last}&size={size}>; rel="last"')
    links.append(f'<{base}?page=0&size={size}>; rel="first"')
    return ", ".join(links)


def _token_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


def _refused() -> VendorError:
    return Unauthorized("Full authentication is required to access this resource")


def build(runtime: Runtime) -> VendorSpec:
    api = LeafApi(runtime, LeafData(runtime.seed, runtime.size))
    contract = f"{CONTRACTS_PATH}/{{contract_id}}"
    routes = [
        Route("POST", f"{PREFIX}/api/authenticate", "authenticate", api.authenticate, is_login=True),
        Route("GET", CONTRACTS_PATH, "contracts", api.contracts),
        Route("GET", contract, "contract", api.contract),
        Route("GET", f"{contract}/consumption", "consumption", api.consumption),
        Route("GET", f"{contract}/consumption/api-owner", "consumption_api_owner", api.api_owner),
        Route(
            "GET",
            f"{contract}/consumption/leaf-user/{{leaf_user_id}}",
            "consumption_leaf_user",
            api.leaf_user,
        ),
        Route("GET", USERS_PATH, "users", api.users),
    ]
    return VendorSpec(
        NAME, (PREFIX,), routes, render, SessionToken(_token_of, _refused), limit=LIMIT, ranges={"day": MAX_DAYS}
    )


def truth(seed: int, size: str, start: date, today: date, options: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return LeafData(seed, size).truth(start, today, options.get("leaf_daily_summary", DAILY_SUMMARY_READINGS[0]))


def provider_secrets(seed: int, size: str) -> list[str]:
    """Every secret value inside the users' provider credentials (no area series are drawn for it)."""
    users = leaf_users.users(seed, size, _SIZES[size][1])
    return [secret for user in users for secret in leaf_users.secret_values(user)]


def personal_values(seed: int, size: str) -> list[str]:
    """Every grower's phone number and address the users carry (no usage answer needs them)."""
    return [value for user in leaf_users.users(seed, size, _SIZES[size][1]) for value in user.personal_values()]
