"""InsideView in the sandbox: its data (a pure function of seed and size), its routes and handlers, its error
format, `build(runtime)` for the server and `truth(...)` for the ground truth."""

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from usage_sandbox.days import (
    completeness,
    day_range,
    is_final,
    month_days,
    month_index,
    month_label,
    parse_day,
    parse_month,
    parse_year,
)
from usage_sandbox.errors import BadRequest, TooManyRequests, Unauthorized, VendorError
from usage_sandbox.noise import rng, stable_hex, weekly
from usage_sandbox.replies import json_reply
from usage_sandbox.runtime import Runtime
from usage_sandbox.vendor import Limit, Route, SessionToken, VendorSpec
from usage_sandbox.vendors.insideview import CLIENT_ID, CLIENT_SECRET, LOGIN_PREFIX, NAME, PREFIX, TOKEN_PATH

FIRST_DAY = date(2021, 1, 1)
TOKEN_LIFETIME_SECONDS = 3600.0
MAX_UNITS = {"day": 92, "month": 36, "year": 10}
LIMIT = Limit(kind="window", requests=300, window_seconds=300.0, lock_out=True)
BULK_JOBS_URL = "https://api.insideview.com/api/v1/admin/jobs"
SUBSCRIPTION_JOBS_URL = "https://api.insideview.com/api/v1/subscription/jobs"
MATCH_RATE_API = "ENRICH_ENRICH"
_SIZES = {"small": 4, "medium": 8, "large": 14}
_APIS = (
    (MATCH_RATE_API, 60.0),
    ("DATA_COMPANY_SEARCH", 25.0),
    ("TARGET_CONTACT_LOOKUP", 6.0),
    ("DATA_CONTACT_GET", 40.0),
    ("DATA_COMPANY_GET", 30.0),
    ("TARGET_COMPANY_SEARCH", 15.0),
    ("DATA_CONTACT_SEARCH", 10.0),
    ("TARGET_NEW_CONTACT_GET", 3.0),
    ("NEWS_FETCH", 12.0),
    ("NEWS_COUNT", 2.0),
    ("TARGET_COMPANY_SEARCH_FETCH", 4.0),
    ("DATA_PERSON_SEARCH", 1.5),
    ("TARGET_CONTACT_SEARCH_LIST_BUILD", 5.0),
    ("TECH_PROFILE_FETCH", 2.5),
)


@dataclass(frozen=True)
class Usage:
    api: str
    date: str
    transactions: int
    match_rate: str | None


class InsideViewData:
    """One account whose per-API daily transactions are a pure function of (seed, size, api, day)."""

    def __init__(self, seed: int, size: str) -> None:
        self.seed, self.size = seed, size
        self.account_id = stable_hex(20, seed, size, NAME, "account")
        self.account_name = "Sandbox-Automation"
        self.allocated_credits = {"small": 99999, "medium": 199999, "large": 499999}[size]
        self.apis = [api for api, _ in _APIS[: _SIZES[size]]]
        self._rates = dict(_APIS)
        self._months: dict[tuple[str, int], tuple[tuple[int, float], ...]] = {}
        self._month_sums: dict[tuple[str, int], tuple[int, float]] = {}
        self._consumed: dict[date, int] = {}

    def _final_month(self, api: str, month: int) -> tuple[tuple[int, float], ...]:
        """(transactions, match rate) for each day of the month, before `today` cuts or scales them."""
        cached = self._months.get((api, month))
        if cached is None:
            draw = rng(self.seed, self.size, NAME, api, month)
            growth = 1.0 + 0.01 * (month - month_index(FIRST_DAY))
            cached = tuple(
                (
                    int(self._rates[api] * growth * weekly(day.weekday()) * draw.uniform(0.0, 2.0)),
                    round(draw.uniform(55.0, 95.0), 1),
                )
                for day in month_days(month)
            )
            self._months[(api, month)] = cached
        return cached

    def day_figure(self, api: str, day: date, today: date) -> tuple[int, float]:
        if day < FIRST_DAY or day > today:
            return 0, 0.0
        transactions, rate = self._final_month(api, month_index(day))[day.day - 1]
        return int(transactions * completeness(day, today)), rate

    def _sum_days(self, api: str, first: date, last: date, today: date) -> tuple[int, float]:
        """Transactions from first to last, and the transaction-weighted mean match rate."""
        total, weighted = 0, 0.0
        for day in day_range(max(first, FIRST_DAY), min(last, today)):
            transactions, rate = self.day_figure(api, day, today)
            total += transactions
            weighted += transactions * rate
        return total, (weighted / total if total else 0.0)

    def _sum_month(self, api: str, month: int, today: date) -> tuple[int, float]:
        days = month_days(month)
        if is_final(days[-1], today) and days[0] >= FIRST_DAY:
            cached = self._month_sums.get((api, month))
            if cached is None:
                figures = self._final_month(api, month)
                total = sum(t for t, _ in figures)
                cached = total, (sum(t * r for t, r in figures) / total if total else 0.0)
                self._month_sums[(api, month)] = cached
            return cached
        return self._sum_days(api, days[0], days[-1], today)

    def _sum_year(self, api: str, year: int, today: date) -> tuple[int, float]:
        total, weighted = 0, 0.0
        for month in range(year * 12, min(year * 12 + 12, month_index(today) + 1)):
            transactions, rate = self._sum_month(api, month, today)
            total += transactions
            weighted += transactions * rate
        return total, (weighted / total if total else 0.0)

    def usage(self, period: str, first: int, last: int, today: date) -> list[Usage]:
        """Usage for the period units first..last (day ordinals, month indexes or years), zeros omitted."""
        records = []
        for unit in range(first, last + 1):
            for api in self.apis:
                if period == "day":
                    day = date.fromordinal(unit)
                    transactions, rate = self.day_figure(api, day, today)
                    label = day.isoformat()
                elif period == "month":
                    transactions, rate = self._sum_month(api, unit, today)
                    label = month_label(unit)
                else:
                    transactions, rate = self._sum_year(api, unit, today)
                    label = f"{unit:04d}"
                if transactions:
                    records.append(Usage(api, label, transactions, f"{rate:.1f}" if api == MATCH_RATE_API else None))
        return records

    def consumed_credits(self, today: date) -> int:
        """Transactions since the allocation period (the calendar year) began."""
        if today not in self._consumed:
            self._consumed[today] = sum(self._sum_year(api, today.year, today)[0] for api in self.apis)
        return self._consumed[today]

    def truth(self, start: date, today: date, period: str) -> dict[str, list[dict[str, Any]]]:
        consumed = self.consumed_credits(today)
        credits = [
            {
                "account_id": self.account_id,
                "account_name": self.account_name,
                "allocated_credits": self.allocated_credits,
                "consumed_credits": consumed,
                "remaining_credits": self.allocated_credits - consumed,
            }
        ]
        first, last = _units(period, start, today)
        transactions = [
            {
                "account_id": self.account_id,
                "account_name": self.account_name,
                "period_type": period,
                "date": usage.date,
                "api": usage.api,
                "transactions": usage.transactions,
                "match_rate": float(usage.match_rate) if usage.match_rate is not None else None,
            }
            for usage in self.usage(period, first, last, today)
        ]
        return {"credits": credits, "api_transactions": transactions}


def _units(period: str, start: date, end: date) -> tuple[int, int]:
    if period == "day":
        return start.toordinal(), end.toordinal()
    if period == "month":
        return month_index(start), month_index(end)
    return start.year, end.year


def _parse_unit(period: str, text: str | None) -> int | None:
    if period == "day":
        day = parse_day(text)
        return None if day is None else day.toordinal()
    if period == "month":
        return parse_month(text)
    return parse_year(text)


_ERROR_TYPES = {
    400: "Bad Request",
    401: "Unauthorized",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def render(error: VendorError, request: web.Request) -> web.Response:
    """Always JSON, whatever `Accept` asked: `errorNumber` is the error's code, else `<status>-001`. A throttled
    answer carries no `Retry-After` (the vendor documents none)."""
    message = "Request is throttled." if isinstance(error, TooManyRequests) else error.detail
    body = {
        "errorType": _ERROR_TYPES.get(error.status, "Error"),
        "status": error.status,
        "errorNumber": error.code or f"{error.status}-001",
        "message": message,
        "diagnosticCode": stable_hex(12, error.status, message, time.time_ns()),
    }
    return json_reply(body, error.status)


def _xml(data: InsideViewData, period: str, start: str, end: str, usage: list[Usage], consumed: int) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        "<accountUsage>",
        f"    <accountId>{escape(data.account_id)}</accountId>",
        f"    <accountName>{escape(data.account_name)}</accountName>",
        f"    <bulkJobReferenceUrl>{BULK_JOBS_URL}</bulkJobReferenceUrl>",
        "    <creditsForAccount>",
        f"        <allocatedCredits>{data.allocated_credits}</allocatedCredits>",
        f"        <consumedCredits>{consumed}</consumedCredits>",
        "    </creditsForAccount>",
        f"    <end>{escape(end)}</end>",
        f"    <period>{escape(period)}</period>",
        f"    <start>{escape(start)}</start>",
        f"    <subscriptionJobsReferenceUrl>{SUBSCRIPTION_JOBS_URL}</subscriptionJobsReferenceUrl>",
    ]
    for item in usage:
        lines += ["    <usage>", f"        <api>{item.api}</api>", f"        <date>{item.date}</date>"]
        if item.match_rate is not None:
            lines += [
                "        <details>",
                "            <usageDetail>",
                "                <type>matchRate</type>",
                f"                <value>{item.match_rate}</value>",
                "            </usageDetail>",
                "        </details>",
            ]
        lines += [f"        <transactions>{item.transactions}</transactions>", "    </usage>"]
    lines.append("</accountUsage>")
    return "\n".join(lines) + "\n"


def _json(data: InsideViewData, period: str, start: str, end: str, usage: list[Usage], consumed: int) -> object:
    usage_for_account = []
    for item in usage:
        entry: dict[str, Any] = {"api": item.api, "transactions": item.transactions, "date": item.date}
        if item.match_rate is not None:
            entry["details"] = [{"type": "matchRate", "value": item.match_rate}]
        usage_for_account.append(entry)
    return {
        "accountName": data.account_name,
        "accountId": data.account_id,
        "period": period,
        "start": start,
        "end": end,
        "usageForAccount": usage_for_account,
        "creditsForAccount": [{"allocatedCredits": data.allocated_credits, "consumedCredits": consumed}],
        "bulkJobReferenceUrl": BULK_JOBS_URL,
    }


def expiration_text(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%a, %b %d, %Y %I:%M:%S %p GMT")


class InsideViewApi:
    def __init__(self, runtime: Runtime, data: InsideViewData) -> None:
        self.runtime, self.data = runtime, data

    async def token(self, request: web.Request) -> web.Response:
        """The reference passes clientId, clientSecret and grantType as query parameters; a form body works too."""
        fields = {**request.query, **await request.post()}
        if fields.get("grantType") != "cred":
            raise BadRequest("grantType must be 'cred'.", "400-701")
        if fields.get("clientId") != CLIENT_ID or fields.get("clientSecret") != CLIENT_SECRET:
            raise Unauthorized("Invalid client credentials.", "401-002")
        token = self.runtime.tokens.issue(NAME, TOKEN_LIFETIME_SECONDS)
        details = {
            "accessToken": token.value,
            "tokenType": "bearer",
            "expirationTime": expiration_text(token.expires_at),
        }
        return json_reply({"accessTokenDetails": details})

    async def usage(self, request: web.Request) -> web.Response:
        query = request.query
        period, start, end = query.get("period"), query.get("start"), query.get("end")
        if period is None or start is None or end is None:
            raise BadRequest("Parameters period, start and end are required.", "400-701")
        if period not in MAX_UNITS:
            raise BadRequest("period must be one of day, month or year.", "400-702")
        first, last = _parse_unit(period, start), _parse_unit(period, end)
        if first is None or last is None:
            raise BadRequest(f"start and end must match the format of period '{period}'.", "400-706")
        if last < first:
            raise BadRequest("end must not be before start.", "400-706")
        longest = self.runtime.ranges.longest(NAME, period)
        if last - first + 1 > longest:
            raise BadRequest(f"At most {longest} {period}s can be requested at once.", "400-705")
        today = self.runtime.today
        usage = self.data.usage(period, first, last, today)
        consumed = self.data.consumed_credits(today)
        if "application/json" in request.headers.get("Accept", ""):
            return json_reply(_json(self.data, period, start, end, usage, consumed))
        body = _xml(self.data, period, start, end, usage, consumed)
        return web.Response(text=body, content_type="application/xml")


def _token_of(request: web.Request) -> str | None:
    return request.headers.get("accessToken")


def _refused() -> VendorError:
    return Unauthorized("Cannot use API's without setting a valid accessToken in header.", "401-001")


def build(runtime: Runtime) -> VendorSpec:
    data = InsideViewData(runtime.seed, runtime.size)
    api = InsideViewApi(runtime, data)
    routes = [
        Route("POST", f"{LOGIN_PREFIX}{TOKEN_PATH}", "token", api.token, is_login=True),
        Route("GET", f"{PREFIX}/api/v1/admin/usage", "usage", api.usage),
    ]
    # Throttling counts every token of the account together (providers.md, InsideView: Throttling).
    auth = SessionToken(_token_of, _refused, limited_by=lambda token: data.account_id)
    return VendorSpec(NAME, (LOGIN_PREFIX, PREFIX), routes, render, auth, limit=LIMIT, ranges=MAX_UNITS)


def truth(seed: int, size: str, start: date, today: date, options: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return InsideViewData(seed, size).truth(start, today, options.get("insideview_period", "day"))
