"""Whitepages: requests per day for one API key from the account's first use; days without use omitted."""

import uuid
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from usage_sandbox.credentials import WHITEPAGES_API_KEY
from usage_sandbox.days import completeness, day_range, month_days, month_index, parse_day
from usage_sandbox.noise import rng, weekly
from usage_sandbox.replies import json_reply, retry_after_header
from usage_sandbox.runtime import Runtime
from usage_sandbox.vendor import Limit, Route, VendorSpec

NAME = "whitepages"
PREFIX = "/whitepages"
MAX_DAYS = 90
LIMIT = Limit(kind="bucket", rate=20.0, burst=20.0)
_PER_DAY = {"small": 40.0, "medium": 400.0, "large": 4000.0}


class WhitepagesData:
    def __init__(self, seed: int, size: str) -> None:
        self.seed, self.size = seed, size
        self.first_use = date(2024, 1, 1) + timedelta(days=rng(seed, size, NAME, "first").randrange(366))
        self._per_day = _PER_DAY[size]
        self._months: dict[int, tuple[int, ...]] = {}

    def _final_month(self, month: int) -> tuple[int, ...]:
        cached = self._months.get(month)
        if cached is None:
            draw = rng(self.seed, self.size, NAME, month)
            cached = tuple(
                int(self._per_day * weekly(day.weekday()) * draw.uniform(0.0, 2.0))
                if draw.random() > 0.1
                else 0
                for day in month_days(month)
            )
            self._months[month] = cached
        return cached

    def requests_on(self, day: date, today: date) -> int:
        if day < self.first_use or day > today:
            return 0
        return int(self._final_month(month_index(day))[day.day - 1] * completeness(day, today))

    def usage(self, start: date, end: date, today: date) -> list[dict[str, Any]]:
        records = []
        for day in day_range(max(start, self.first_use), min(end, today)):
            count = self.requests_on(day, today)
            if count:
                records.append({"date": day.isoformat(), "request_count": count})
        return records

    def truth(self, start: date, today: date) -> dict[str, list[dict[str, Any]]]:
        return {"daily_usage": self.usage(start, today, today)}


def _envelope(
    status: int, message: str, long_message: str, meta: dict[str, str] | None = None
) -> web.Response:
    body = {
        "error": {"code": status, "message": message, "long_message": long_message, "meta": meta},
        "wp_trace_id": uuid.uuid4().hex,
    }
    return json_reply(body, status)


def error(status: int, message: str, path: str = "") -> web.Response:
    return _envelope(status, message, message)


def _bad_request(
    long_message: str, field: str | None = None, validation_error: str | None = None
) -> web.Response:
    meta = None if field is None else {"field": field, "validation_error": validation_error or long_message}
    return _envelope(400, "Bad Request", long_message, meta)


def too_many(retry_after: float | None) -> web.Response:
    return json_reply({"message": "Too Many Requests"}, 429, retry_after_header(retry_after))


def quota_exhausted(status: int) -> web.Response:
    """A used-up monthly or trial quota: the gateway's 429 (403 has been seen too), never a Retry-After."""
    return json_reply({"message": "Limit Exceeded"}, status)


class WhitepagesApi:
    def __init__(self, runtime: Runtime, data: WhitepagesData) -> None:
        self.runtime, self.data = runtime, data

    async def usage(self, request: web.Request) -> web.Response:
        key = request.headers.get("X-Api-Key")
        if key != WHITEPAGES_API_KEY:
            return json_reply({"message": "Forbidden"}, 403)
        wait = self.runtime.limits.check(NAME, key)
        if wait is not None:
            return too_many(wait)
        texts = {name: request.query.get(name) for name in ("start_date", "end_date")}
        for name, text in texts.items():
            if text is None:
                return _bad_request(f"{name} is required.", name, "Field required")
            if parse_day(text) is None:
                return _bad_request(
                    f"Invalid {name}: '{text}'. Expected YYYY-MM-DD.", name, "Invalid date format"
                )
        start, end = parse_day(texts["start_date"]), parse_day(texts["end_date"])
        assert start is not None and end is not None
        if end < start:
            return _bad_request("end_date must be on or after start_date.", "end_date", "Before start_date")
        if (end - start).days + 1 > MAX_DAYS:
            return _bad_request(
                f"Maximum date range allowed is {MAX_DAYS} days.", "end_date", "Range too long"
            )
        records = self.data.usage(start, end, self.runtime.today)
        return json_reply(
            {
                "time_range": {"start_date": start.isoformat(), "end_date": end.isoformat()},
                "usage_data": records,
                "total_requests_in_timeperiod": sum(record["request_count"] for record in records),
            }
        )


def build(runtime: Runtime) -> VendorSpec:
    api = WhitepagesApi(runtime, WhitepagesData(runtime.seed, runtime.size))
    routes = [
        Route("GET", f"{PREFIX}/v1/account/usage", "usage", api.usage),
        Route("GET", f"{PREFIX}/v1/account/usage/", "usage", api.usage),
    ]
    return VendorSpec(NAME, (PREFIX,), routes, error, too_many, limit=LIMIT, quota_exhausted=quota_exhausted)


def truth(
    seed: int, size: str, start: date, today: date, options: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    return WhitepagesData(seed, size).truth(start, today)
