"""Leadfeeder in the sandbox: its data (a pure function of seed and size), its routes and handlers, its error
format, `build(runtime)` for the server and `truth(...)` for the ground truth."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from usage_sandbox.days import (
    completeness,
    is_final,
    month_days,
    month_first_day,
    month_index,
    month_label,
    parse_month,
)
from usage_sandbox.errors import BadRequest, Forbidden, NotFound, TooManyRequests, VendorError
from usage_sandbox.noise import rng, weekly
from usage_sandbox.paging import cut_short, page_of
from usage_sandbox.replies import json_reply
from usage_sandbox.runtime import Runtime
from usage_sandbox.vendor import ApiKey, Limit, Route, VendorSpec
from usage_sandbox.vendors.leadfeeder import API_KEY, NAME, PREFIX

FIRST_MONTH = month_index(date(2023, 1, 1))
MAX_MONTHS = 24  # a sandbox rule (providers.md); /_sandbox/ranges shortens it
PAGE_PARAMETER = "page[number]"  # only under the page cap or the page_number paging: Leadfeeder documents none
SIZE_PARAMETER = "page[size]"
NUMBERED_PAGE_SIZE = 10
LIMIT = Limit(kind="bucket", rate=10.0, burst=15.0)
_SIZES = {"small": (3, 3), "medium": (10, 5), "large": (50, 8)}
_ENDPOINTS = (
    ("/companies/search", "POST", 40.0, 12),
    ("/companies", "GET", 90.0, 1),
    ("/contacts/search", "POST", 25.0, 8),
    ("/web-visits/search", "POST", 60.0, 20),
    ("/companies/match", "POST", 15.0, 1),
    ("/ip/enrich", "GET", 120.0, 1),
    ("/contacts", "GET", 30.0, 1),
    ("/custom-feeds", "GET", 5.0, 3),
    ("/lists", "GET", 8.0, 2),
    ("/tags", "POST", 3.0, 1),
)
_METRICS = ("num_requests", "num_failed_requests", "num_successful_requests", "num_returned_entities")


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    per_day: float
    entities_per_request: int
    first_month: int


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    endpoints: tuple[Endpoint, ...]
    credits_available: int
    reset_month: int


class LeadfeederData:
    """Pure function of (seed, size): a day's figures depend on nothing else; `today` only cuts and scales."""

    def __init__(self, seed: int, size: str) -> None:
        self.seed, self.size = seed, size
        count, endpoints_each = _SIZES[size]
        self.accounts = [self._account(index, count, endpoints_each) for index in range(count)]
        self.by_id = {str(account.id): account for account in self.accounts}
        self._days_cache: dict[tuple[int, int, int], tuple[tuple[int, int, int], ...]] = {}
        self._month_cache: dict[tuple[int, int, int], tuple[int, int, int]] = {}

    def _account(self, index: int, count: int, endpoints_each: int) -> Account:
        draw = rng(self.seed, self.size, NAME, "account", index)
        account_id = 10000000 + draw.randrange(90000000)
        used = [] if index == count - 1 else draw.sample(range(len(_ENDPOINTS)), endpoints_each)
        endpoints = tuple(
            Endpoint(path, method, per_day * draw.uniform(0.3, 1.5), entities, FIRST_MONTH + draw.randrange(18))
            for path, method, per_day, entities in (_ENDPOINTS[i] for i in sorted(used))
        )
        return Account(
            account_id,
            f"Sandbox Account {index + 1}",
            endpoints,
            draw.choice((500, 1000, 2500, 5000)),
            draw.randrange(12),
        )

    def _final_days(self, account_id: int, endpoint_index: int, month: int) -> tuple[tuple[int, int, int], ...]:
        cached = self._days_cache.get((account_id, endpoint_index, month))
        if cached is None:
            cached = self._days_cache[(account_id, endpoint_index, month)] = self._draw_days(
                account_id, endpoint_index, month
            )
        return cached

    def _draw_days(self, account_id: int, endpoint_index: int, month: int) -> tuple[tuple[int, int, int], ...]:
        endpoint = self.by_id[str(account_id)].endpoints[endpoint_index]
        if month < endpoint.first_month:
            return tuple((0, 0, 0) for _ in month_days(month))
        draw = rng(self.seed, self.size, NAME, account_id, endpoint.path, endpoint.method, month)
        figures = []
        for day in month_days(month):
            requests = int(endpoint.per_day * weekly(day.weekday()) * draw.uniform(0.0, 2.0))
            failed = int(requests * draw.uniform(0.0, 0.08))
            entities = (requests - failed) * draw.randint(0, endpoint.entities_per_request)
            figures.append((requests, failed, entities))
        return tuple(figures)

    def _final_sums(self, account_id: int, endpoint_index: int, month: int) -> tuple[int, int, int]:
        cached = self._month_cache.get((account_id, endpoint_index, month))
        if cached is None:
            days = self._final_days(account_id, endpoint_index, month)
            cached = sum(d[0] for d in days), sum(d[1] for d in days), sum(d[2] for d in days)
            self._month_cache[(account_id, endpoint_index, month)] = cached
        return cached

    def month_figures(self, account: Account, endpoint_index: int, month: int, today: date) -> dict[str, int]:
        if is_final(month_first_day(month + 1) - timedelta(days=1), today):
            requests, failed, entities = self._final_sums(account.id, endpoint_index, month)
            return dict(zip(_METRICS, (requests, failed, requests - failed, entities), strict=True))
        requests = failed = entities = 0
        for day, (r, f, e) in zip(month_days(month), self._final_days(account.id, endpoint_index, month), strict=True):
            share = completeness(day, today)
            if share == 0.0:
                break
            requests += int(r * share)
            failed += int(f * share)
            entities += int(e * share)
        return dict(zip(_METRICS, (requests, failed, requests - failed, entities), strict=True))

    def usage(self, account: Account, first: int, last: int, today: date) -> list[dict[str, Any]]:
        records = []
        for month in range(max(first, FIRST_MONTH), min(last, month_index(today)) + 1):
            for index, endpoint in enumerate(account.endpoints):
                figures = self.month_figures(account, index, month, today)
                if figures["num_requests"] == 0:
                    continue
                period = month_label(month)
                records.append(
                    {
                        "id": f"{period}_{endpoint.path.lstrip('/')}_{endpoint.method}",
                        "period": period,
                        "endpoint_path": endpoint.path,
                        "http_method": endpoint.method,
                        **figures,
                    }
                )
        return records

    def credits(self, account: Account, today: date) -> dict[str, Any]:
        reset = date(today.year, account.reset_month + 1, 1)
        if reset <= today:
            reset = date(today.year + 1, account.reset_month + 1, 1)
        period_start = date(reset.year - 1, reset.month, 1)
        elapsed = (today - period_start).days / max(1, (reset - period_start).days)
        intensity = sum(endpoint.per_day for endpoint in account.endpoints) / 400.0
        used = min(account.credits_available, int(account.credits_available * elapsed * min(1.0, intensity)))
        return {
            "available": account.credits_available,
            "used": used,
            "remaining": account.credits_available - used,
            "next_reset_on": reset.isoformat(),
        }

    def truth(self, start: date, today: date) -> dict[str, list[dict[str, Any]]]:
        accounts, usage = [], []
        for account in self.accounts:
            credits = self.credits(account, today)
            accounts.append(
                {
                    "id": str(account.id),
                    "name": account.name,
                    "credits_available": credits["available"],
                    "credits_used": credits["used"],
                    "credits_remaining": credits["remaining"],
                    "credits_next_reset_on": credits["next_reset_on"],
                }
            )
            for record in self.usage(account, month_index(start), month_index(today), today):
                usage.append({"account_id": str(account.id), **record})
        return {"accounts": accounts, "api_usage": usage}


_CODES = {400: "invalid_parameter", 403: "forbidden", 404: "not_found", 429: "too_many_requests"}
_THROTTLED = "You've exceeded the maximum amount of allowed requests. Please try again later."


def render(error: VendorError, request: web.Request) -> web.Response:
    """Flat `{"code", "message"}`: the error's own code, else the status's."""
    message = _THROTTLED if isinstance(error, TooManyRequests) else error.detail
    body = {"code": error.code or _CODES.get(error.status, "server_error"), "message": message}
    return json_reply(body, error.status, error.headers())


def _missing_key() -> VendorError:
    return Forbidden("You need to pass a header named `X-Api-Key` with your API key.", "missing_token")


def _invalid_key() -> VendorError:
    return Forbidden("The provided API key is invalid. Please check it and try again.", "invalid_api_key")


class LeadfeederApi:
    def __init__(self, runtime: Runtime, data: LeadfeederData) -> None:
        self.runtime, self.data = runtime, data

    def _listed(self, request: web.Request, data: list[dict[str, Any]], meta: dict[str, Any]) -> web.Response:
        """The whole list, as documented; under the page cap one page of it with `links.next` until the last; in
        the `page_number` paging, pages by `page[number]` and `page[size]` described by `meta.pagination`."""
        meta = {**meta, "request_id": str(uuid.uuid4())}
        runtime = self.runtime
        if runtime.leadfeeder_paging == "page_number":
            return self._numbered(request, data, meta)
        cap = runtime.page_cap
        if cap is None:
            return json_reply({"data": cut_short(data, runtime.truncated_lists), "meta": meta})
        number = _positive(request, PAGE_PARAMETER, 1)
        page = page_of(number - 1, cap, len(data), cap)
        links = {"self": str(request.url)}
        if page.has_next and not runtime.truncated_lists:
            links["next"] = str(request.url.update_query({PAGE_PARAMETER: str(number + 1)}))
        items = cut_short(data[page.start : page.stop], runtime.truncated_lists)
        return json_reply({"data": items, "links": links, "meta": meta})

    def _numbered(self, request: web.Request, data: list[dict[str, Any]], meta: dict[str, Any]) -> web.Response:
        """`page[number]` from 1 and `page[size]` (10 unless asked, cut by the page cap); no `links`."""
        number, asked = _positive(request, PAGE_PARAMETER, 1), _positive(request, SIZE_PARAMETER, NUMBERED_PAGE_SIZE)
        page = page_of(number - 1, asked, len(data), self.runtime.page_cap)
        last = self.runtime.truncated_lists or not page.has_next
        pagination = {
            "current_page": number,
            "next_page": None if last else number + 1,
            "prev_page": number - 1 if number > 1 else None,
            "total_pages": number if self.runtime.truncated_lists else page.last + 1,
            "total_count": len(data),
            "page_size": asked,
        }
        items = cut_short(data[page.start : page.stop], self.runtime.truncated_lists)
        return json_reply({"data": items, "meta": {**meta, "pagination": pagination}})

    async def accounts(self, request: web.Request) -> web.Response:
        """Without `account_id` the account summaries; with it a list holding that account and its credits."""
        if "account_id" not in request.query:
            data = [{"type": "account_summary", "id": a.id, "attributes": {"name": a.name}} for a in self.data.accounts]
            return self._listed(request, data, {})
        account = self.data.by_id.get(request.query["account_id"])
        if account is None:
            raise NotFound("Account not found.")
        attributes = {"name": account.name, "credits": self.data.credits(account, self.runtime.today)}
        return self._listed(request, [{"type": "account", "id": account.id, "attributes": attributes}], {})

    async def usage(self, request: web.Request) -> web.Response:
        query = request.query
        account = self.data.by_id.get(query.get("account_id", ""))
        if not query.get("account_id"):
            raise BadRequest("account_id is required.")
        if account is None:
            raise Forbidden("You don't have access to this account.")
        first, last = parse_month(query.get("start_period")), parse_month(query.get("end_period"))
        if first is None or last is None:
            raise BadRequest("start_period and end_period are required, in the format YYYY-MM.")
        if last < first:
            raise BadRequest("end_period must not be before start_period.")
        longest = self.runtime.ranges.longest(NAME, "month")
        if last - first + 1 > longest:
            raise BadRequest(f"The period between start_period and end_period can be at most {longest} months.")
        records = self.data.usage(account, first, last, self.runtime.today)
        data = [
            {
                "type": "api_usage",
                "id": record["id"],
                "attributes": {k: v for k, v in record.items() if k != "id"},
            }
            for record in records
        ]
        return self._listed(request, data, {"total_records": len(data)})


def build(runtime: Runtime) -> VendorSpec:
    api = LeadfeederApi(runtime, LeadfeederData(runtime.seed, runtime.size))
    routes = [
        Route("GET", f"{PREFIX}/v1/accounts", "accounts", api.accounts),
        Route("GET", f"{PREFIX}/v1/usage", "usage", api.usage),
    ]
    auth = ApiKey("X-Api-Key", API_KEY, missing=_missing_key, invalid=_invalid_key)
    return VendorSpec(NAME, (PREFIX,), routes, render, auth, limit=LIMIT, ranges={"month": MAX_MONTHS})


def _positive(request: web.Request, name: str, default: int) -> int:
    try:
        number = int(request.query.get(name, str(default)))
    except ValueError:
        number = 0
    if number < 1:
        raise BadRequest(f"{name} must be an integer of 1 or more.")
    return number


def truth(seed: int, size: str, start: date, today: date, options: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return LeadfeederData(seed, size).truth(start, today)
