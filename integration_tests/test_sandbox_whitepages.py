"""Whitepages as providers.md describes it, exercised with plain HTTP."""

from datetime import date, timedelta
from typing import Any

import requests

from usage_sandbox.credentials import WHITEPAGES_API_KEY

KEY = {"X-Api-Key": WHITEPAGES_API_KEY}


def _usage(
    sandbox: Any, start: str | None, end: str | None, headers: dict[str, str] | None = None
) -> requests.Response:
    params = {name: value for name, value in (("start_date", start), ("end_date", end)) if value is not None}
    return requests.get(
        f"{sandbox.url}/whitepages/v1/account/usage",
        params=params,
        headers=KEY if headers is None else headers,
        timeout=10,
    )


def test_whitepages_returns_daily_counts_and_their_total(fresh_sandbox: Any) -> None:
    body = _usage(fresh_sandbox, "2026-09-01", "2026-11-20").json()
    assert body["time_range"] == {"start_date": "2026-09-01", "end_date": "2026-11-20"}
    assert body["usage_data"] and all(day["request_count"] > 0 for day in body["usage_data"])
    assert body["total_requests_in_timeperiod"] == sum(day["request_count"] for day in body["usage_data"])


def test_whitepages_omits_days_without_use(fresh_sandbox: Any) -> None:
    days = [day["date"] for day in _usage(fresh_sandbox, "2026-08-23", "2026-11-20").json()["usage_data"]]
    assert days == sorted(days)
    assert len(days) < 90


def test_whitepages_returns_nothing_before_the_first_use(fresh_sandbox: Any) -> None:
    body = _usage(fresh_sandbox, "2023-10-01", "2023-12-29").json()
    assert body["usage_data"] == [] and body["total_requests_in_timeperiod"] == 0


def test_whitepages_forbids_a_missing_or_wrong_key(fresh_sandbox: Any) -> None:
    for headers in ({}, {"X-Api-Key": "wrong"}):
        response = _usage(fresh_sandbox, "2026-11-01", "2026-11-02", headers)
        assert response.status_code == 403 and response.json() == {"message": "Forbidden"}


def test_whitepages_accepts_90_days_and_rejects_ranges_over_90_days(fresh_sandbox: Any) -> None:
    start = date(2026, 6, 1)
    assert _usage(fresh_sandbox, start.isoformat(), (start + timedelta(days=89)).isoformat()).status_code == 200
    response = _usage(fresh_sandbox, start.isoformat(), (start + timedelta(days=90)).isoformat())
    body = response.json()
    assert response.status_code == 400
    assert body["error"]["code"] == 400 and body["error"]["message"] == "Bad Request" and body["wp_trace_id"]


def test_whitepages_rejects_bad_dates_missing_dates_and_end_before_start(fresh_sandbox: Any) -> None:
    for start, end in (
        ("2026-11-31", "2026-12-01"),
        ("20261101", "2026-11-02"),
        ("2026-11-05", "2026-11-04"),
        (None, "2026-11-02"),
        ("2026-11-01", None),
    ):
        response = _usage(fresh_sandbox, start, end)
        assert response.status_code == 400 and response.json()["error"]["meta"]["field"]


def test_whitepages_today_keeps_growing(fresh_sandbox: Any) -> None:
    def count_on(day: str) -> int:
        return sum(d["request_count"] for d in _usage(fresh_sandbox, day, day).json()["usage_data"])

    early = [count_on(day) for day in ("2026-11-18", "2026-11-19", "2026-11-20")]
    fresh_sandbox.set_today("2026-11-24")
    late = [count_on(day) for day in ("2026-11-18", "2026-11-19", "2026-11-20")]
    assert all(a <= b for a, b in zip(early, late, strict=True)) and sum(late) > sum(early)


def test_whitepages_days_after_today_have_no_data(fresh_sandbox: Any) -> None:
    assert _usage(fresh_sandbox, "2026-11-21", "2026-12-31").json()["usage_data"] == []


def test_whitepages_rate_limit_answers_429_too_many_requests(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"whitepages": {"rate": 0.5, "burst": 1}})
    first, second = (_usage(fresh_sandbox, "2026-11-01", "2026-11-02") for _ in range(2))
    assert first.status_code == 200 and second.status_code == 429
    assert second.json() == {"message": "Too Many Requests"} and int(second.headers["Retry-After"]) >= 1


def test_whitepages_usage_path_works_with_and_without_the_trailing_slash(fresh_sandbox: Any) -> None:
    answers = [
        requests.get(
            f"{fresh_sandbox.url}/whitepages/v1/account/usage{slash}",
            params={"start_date": "2026-10-01", "end_date": "2026-11-20"},
            headers=KEY,
            timeout=10,
        )
        for slash in ("", "/")
    ]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json()["usage_data"] == answers[1].json()["usage_data"] != []


def test_whitepages_undocumented_paths_answer_404_in_its_envelope(fresh_sandbox: Any) -> None:
    response = requests.get(f"{fresh_sandbox.url}/whitepages/v1/account/usages", headers=KEY, timeout=10)
    assert response.status_code == 404 and response.json()["error"]["code"] == 404
