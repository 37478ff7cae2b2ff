"""Whitepages in the sandbox: its data (a pure function of seed and size), its routes and handlers, its error
format, `build(runtime)` for the server and `truth(...)` for the ground truth."""

import uuid
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from usage_sandbox.days import completeness, day_range, month_days, month_index, parse_day
from usage_sandbox.errors import BadRequest, Forbidden, QuotaExhausted, TooManyRequests, VendorError
from usage_sandbox.noise import rng, weekly
from usage_sandbox.replies import json_reply
from usage_sandbox.runtime import Runtime
from usage_sandbox.vendor import ApiKey, Limit, Route, VendorSpec
from usage_sandbox.vendors.whitepages import API_KEY, NAME, PREFIX

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
                int(self._per_day * weekly(day.weekday()) * draw.uniform(0.0, 2.0)) if draw.random() > 0.1 else 0
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


class InvalidField(BadRequest):
    """A 400 about one query parameter, which the envelope names in `meta`."""

    def __init__(self, detail: str, field: str, validation_error: str) -> None:
        super().__init__(detail)
        self.field, self.validation_error = field, validation_error


# The gateway in front of the API answers these itself, flat: {"message": ...}.
_GATEWAY = {Forbidden: "Forbidden", TooManyRequests: "Too Many Requests", QuotaExhausted: "Limit Exceeded"}


def render(error: VendorError, request: web.Request) -> web.Response:
    """The gateway's flat answers, else the API's envelope (`meta` naming the field of a bad parameter)."""
    for kind, message in _GATEWAY.items():
        if isinstance(error, kind):
            return json_reply({"message": message}, error.status, error.headers())
    message, meta = error.detail, None
    if isinstance(error, InvalidField):
        message, meta = "Bad Request", {"field": error.field, "validation_error": error.validation_error}
    body = {
        "error": {"code": error.status, "message": message, "long_message": error.detail, "meta": meta},
        "wp_trace_id": uuid.uuid4().hex,
    }
    return json_reply(body, error.status)


class WhitepagesApi:
    def __init__(self, runtime: Runtime, data: WhitepagesData) -> None:
        self.runtime, self.data = runtime, data

    async def usage(self, request: web.Request) -> web.Response:
        texts = {name: request.query.get(name) for name in ("start_date", "end_date")}
        for name, text in texts.items():
            if text is None:
                raise InvalidField(f"{name} is required.", name, "Field required")
            if parse_day(text) is None:
                raise InvalidField(f"Invalid {name}: '{text}'. Expected YYYY-MM-DD.", name, "Invalid date format")
        start, end = parse_day(texts["start_date"]), parse_day(texts["end_date"])
        assert start is not None and end is not None
        if end < start:
            raise InvalidField("end_date must be on or after start_date.", "end_date", "Before start_date")
        longest = self.runtime.ranges.longest(NAME, "day")
        if (end - start).days + 1 > longest:
            raise InvalidField(f"Maximum date range allowed is {longest} days.", "end_date", "Range too long")
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
    refused = lambda: Forbidden("Forbidden")  # noqa: E731  (missing, wrong and revoked keys alike)
    auth = ApiKey("X-Api-Key", API_KEY, missing=refused, invalid=refused)
    return VendorSpec(NAME, (PREFIX,), routes, render, auth, limit=LIMIT, quota=True, ranges={"day": MAX_DAYS})


def truth(seed: int, size: str, start: date, today: date, options: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return WhitepagesData(seed, size).truth(start, today)
