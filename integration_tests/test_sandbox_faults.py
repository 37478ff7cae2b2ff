"""Faults and latency injected in front of every vendor, the control API and the request counters."""

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from usage_sandbox.credentials import (
    INSIDEVIEW_CLIENT_ID,
    INSIDEVIEW_CLIENT_SECRET,
    LEAF_PASSWORD,
    LEAF_USERNAME,
    WHITEPAGES_API_KEY,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _without_rate_limits(fresh_sandbox: Any) -> None:
    """These tests send bursts on purpose; the vendors' rate limits have their own tests."""
    fresh_sandbox.set_limits({"enabled": False})


def _whitepages(sandbox: Any, day: int = 1, timeout: float = 10) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/whitepages/v1/account/usage",
        headers={"X-Api-Key": WHITEPAGES_API_KEY},
        params={"start_date": f"2026-11-{day:02d}", "end_date": "2026-11-20"},
        timeout=timeout,
    )


def _insideview_token(sandbox: Any) -> requests.Response:
    return requests.post(
        f"{sandbox.url}/insideview-login/Auth/login/v1/token.json",
        timeout=10,
        data={
            "clientId": INSIDEVIEW_CLIENT_ID,
            "clientSecret": INSIDEVIEW_CLIENT_SECRET,
            "grantType": "cred",
        },
    )


def _insideview(sandbox: Any, token: str, accept: str = "application/json") -> requests.Response:
    return requests.get(
        f"{sandbox.url}/insideview/api/v1/admin/usage",
        timeout=10,
        headers={"accessToken": token, "Accept": accept},
        params={"period": "month", "start": "2026-10", "end": "2026-11"},
    )


def _leaf_token(sandbox: Any) -> str:
    return requests.post(
        f"{sandbox.url}/leaf/api/authenticate",
        timeout=10,
        json={"username": LEAF_USERNAME, "password": LEAF_PASSWORD},
    ).json()["id_token"]


def _leaf_contracts(sandbox: Any, token: str) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/leaf/services/billingapplication/api/billing/contracts",
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_faults_429_with_retry_after_never_hit_a_request_three_times_in_a_row(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="429_retry_after", vendor="whitepages", rate=1.0)
    answers = [_whitepages(fresh_sandbox) for _ in range(6)]
    assert [a.status_code for a in answers] == [429, 429, 200, 429, 429, 200]
    assert answers[0].json() == {"message": "Too Many Requests"} and answers[0].headers["Retry-After"] == "1"


def test_faults_429_without_retry_after_has_no_header(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="429_no_retry_after", rate=1.0)
    answer = _whitepages(fresh_sandbox)
    assert answer.status_code == 429 and "Retry-After" not in answer.headers


def test_faults_5xx_mixes_the_server_errors_in_the_vendor_envelope(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="5xx", vendor="whitepages", rate=1.0)
    answers = [_whitepages(fresh_sandbox, day) for day in range(1, 21) for _ in range(2)]
    assert {answer.status_code for answer in answers} == {500, 502, 503, 504}
    assert all(answer.json()["error"]["code"] == answer.status_code for answer in answers)


def test_faults_drop_closes_the_connection_without_an_answer(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="drop", rate=1.0)
    for _ in range(2):
        with pytest.raises(requests.ConnectionError):
            _whitepages(fresh_sandbox)
    assert _whitepages(fresh_sandbox).status_code == 200
    assert fresh_sandbox.stats()["vendors"]["whitepages"]["usage"] == {"dropped": 2, "200": 1}


def test_faults_stall_outlasts_a_client_timeout(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="stall", rate=1.0, stall_seconds=1.0)
    with pytest.raises(requests.Timeout):
        _whitepages(fresh_sandbox, timeout=0.3)
    started = time.monotonic()
    assert _whitepages(fresh_sandbox).status_code == 200
    assert time.monotonic() - started >= 0.9


def test_faults_truncate_cuts_a_200_body_short(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="truncate", rate=1.0)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _whitepages(fresh_sandbox)


def test_faults_revoke_token_revokes_each_token_once(fresh_sandbox: Any) -> None:
    old_insideview = _insideview_token(fresh_sandbox).json()["accessTokenDetails"]["accessToken"]
    old_leaf = _leaf_token(fresh_sandbox)
    fresh_sandbox.set_faults("revoke_token")
    assert _insideview(fresh_sandbox, old_insideview).status_code == 401
    assert _leaf_contracts(fresh_sandbox, old_leaf).status_code == 401
    new_leaf = _leaf_token(fresh_sandbox)
    assert _leaf_contracts(fresh_sandbox, new_leaf).status_code == 200
    new_insideview = _insideview_token(fresh_sandbox).json()["accessTokenDetails"]["accessToken"]
    assert _insideview(fresh_sandbox, new_insideview).status_code == 200
    assert fresh_sandbox.stats()["faults"] == {"revoke_token": {"insideview": 1, "leaf": 1}}


@pytest.mark.parametrize(("profile", "status"), [("quota_exhausted", 429), ("quota_exhausted_403", 403)])
def test_faults_quota_exhausted_answers_limit_exceeded_for_ever_without_retry_after(
    fresh_sandbox: Any, profile: str, status: int
) -> None:
    fresh_sandbox.set_faults(profile)
    answers = [_whitepages(fresh_sandbox) for _ in range(4)]
    answers.append(
        requests.get(
            f"{fresh_sandbox.url}/whitepages/v1/account/usage/",
            headers={"X-Api-Key": WHITEPAGES_API_KEY},
            params={"start_date": "2026-11-01", "end_date": "2026-11-02"},
            timeout=10,
        )
    )
    for answer in answers:
        assert answer.status_code == status and answer.json() == {"message": "Limit Exceeded"}
        assert "Retry-After" not in answer.headers
    assert fresh_sandbox.stats()["vendors"]["whitepages"]["usage"] == {str(status): 5}


def test_faults_quota_exhausted_leaves_plain_throttling_as_too_many_requests(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="429_retry_after", vendor="whitepages", rate=1.0)
    answer = _whitepages(fresh_sandbox)
    assert answer.status_code == 429 and answer.json() == {"message": "Too Many Requests"}
    assert answer.headers["Retry-After"] == "1"


def test_faults_xml_answers_xml_where_json_was_asked(fresh_sandbox: Any) -> None:
    token = _insideview_token(fresh_sandbox).json()["accessTokenDetails"]["accessToken"]
    fresh_sandbox.set_faults("xml")
    answer = _insideview(fresh_sandbox, token)
    assert answer.status_code == 200 and answer.text.startswith("<?xml")
    assert _whitepages(fresh_sandbox).headers["Content-Type"].startswith("application/json")
    assert fresh_sandbox.stats()["faults"] == {"xml": {"insideview": 1}}  # only where XML was answered


def test_faults_permanent_500_breaks_one_vendor_and_spares_the_others(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="permanent_500", vendor="leaf")
    token = _leaf_token(fresh_sandbox)
    assert {_leaf_contracts(fresh_sandbox, token).status_code for _ in range(4)} == {500}
    assert _whitepages(fresh_sandbox).status_code == 200


def test_faults_spare_login_endpoints_unless_asked(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="5xx", rate=1.0)
    assert [_insideview_token(fresh_sandbox).status_code for _ in range(3)] == [200, 200, 200]
    fresh_sandbox.set_faults(name="5xx", rate=1.0, include_login=True)
    assert _insideview_token(fresh_sandbox).status_code >= 500


def test_faults_are_deterministic_for_a_seed(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="5xx", vendor="whitepages", rate=0.4)

    def run() -> list[int]:
        return [_whitepages(fresh_sandbox, day).status_code for day in range(1, 21) for _ in range(2)]

    first = run()
    fresh_sandbox.reset()
    assert run() == first
    assert 200 in first and any(status >= 500 for status in first)


def test_faults_let_a_client_retrying_three_times_through(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults({"name": "5xx", "rate": 0.9}, {"name": "429_no_retry_after", "rate": 0.9})
    for day in range(1, 21):
        statuses = [_whitepages(fresh_sandbox, day).status_code for _ in range(3)]
        assert 200 in statuses


def test_faults_latency_delays_every_answer_without_blocking_others(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="latency", latency_ms=300, jitter_ms=50)

    def timed(day: int) -> tuple[int, float]:
        started = time.monotonic()
        status = _whitepages(fresh_sandbox, day % 20 + 1).status_code
        return status, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(timed, range(200)))
    assert {status for status, _ in answers} <= {200, 429}
    assert min(seconds for _, seconds in answers) >= 0.25  # every answer waited its latency
    # ... and not one after another: the sandbox held many in their latency at the same moment
    assert fresh_sandbox.stats()["most_delayed_at_once"] >= 20


def test_stats_count_requests_per_vendor_endpoint_and_status(fresh_sandbox: Any) -> None:
    _whitepages(fresh_sandbox)
    _whitepages(fresh_sandbox)
    requests.get(f"{fresh_sandbox.url}/whitepages/v1/account/usage", timeout=10)
    stats = fresh_sandbox.stats()
    assert stats == {"vendors": {"whitepages": {"usage": {"200": 2, "403": 1}}}, "total": 3, "faults": {}}
    fresh_sandbox.set_faults(name="5xx", vendor="whitepages", rate=1.0)
    _whitepages(fresh_sandbox)
    assert fresh_sandbox.stats()["faults"] == {"5xx": {"whitepages": 1}}
    fresh_sandbox.reset()
    assert fresh_sandbox.stats() == {"vendors": {}, "total": 0, "faults": {}}


PAGING = {"leadfeeder": "links", "truncated": False}  # the other switches of the pages setting, as they start


def test_control_pages_sets_and_removes_the_cap_and_refuses_bad_ones(fresh_sandbox: Any) -> None:
    url = f"{fresh_sandbox.url}/_sandbox/pages"
    assert requests.post(url, json={"cap": 3}, timeout=10).json() == {"cap": 3, **PAGING}
    assert requests.get(f"{fresh_sandbox.url}/_sandbox/health", timeout=10).json()["page_cap"] == 3
    for bad in ({"cap": 0}, {"cap": "2"}, {"cap": True}, {}, [2]):
        assert requests.post(url, json=bad, timeout=10).status_code == 400, bad
    assert requests.post(url, json={"cap": None}, timeout=10).json() == {"cap": None, **PAGING}
    assert requests.get(f"{fresh_sandbox.url}/_sandbox/health", timeout=10).json()["page_cap"] is None


def test_control_refuses_unknown_fault_profiles(fresh_sandbox: Any) -> None:
    answer = requests.post(f"{fresh_sandbox.url}/_sandbox/faults", json={"name": "gremlins"}, timeout=10)
    assert answer.status_code == 400
    listed = requests.get(f"{fresh_sandbox.url}/_sandbox/faults", timeout=10).json()
    assert listed == {"profiles": []}


def test_cli_starts_with_faults_without_rate_limits_and_with_a_page_cap() -> None:
    faults = '{"name": "5xx", "rate": 1.0}'
    serve = ["serve", "--port", "0", "--today", "2026-11-20", "--faults", faults, "--no-rate-limits", "--page-cap", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "usage_sandbox", *serve],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        headers = {"X-Api-Key": WHITEPAGES_API_KEY}
        params = {"start_date": "2026-11-01", "end_date": "2026-11-02"}
        statuses = [
            requests.get(f"{url}/whitepages/v1/account/usage", headers=headers, params=params, timeout=10).status_code
            for _ in range(30)
        ]
        assert statuses.count(200) == 10 and all(s >= 500 for s in statuses if s != 200)
        limits = requests.get(f"{url}/_sandbox/limits", timeout=10).json()
        assert not any(limit["enabled"] for limit in limits.values())
        assert requests.get(f"{url}/_sandbox/health", timeout=10).json()["page_cap"] == 2
        assert requests.get(f"{url}/_sandbox/pages", timeout=10).json() == {"cap": 2, **PAGING}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_faults_invalid_json_answers_200_with_single_quoted_json_then_lets_the_third_try_through(
    fresh_sandbox: Any,
) -> None:
    fresh_sandbox.set_faults(name="invalid_json", vendor="whitepages", rate=1.0)
    answers = [_whitepages(fresh_sandbox) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    for answer in answers[:2]:
        assert answer.text.startswith("{'time_range'")
        with pytest.raises(ValueError):
            answer.json()
    assert answers[2].json()["usage_data"]


def test_faults_html_200_answers_an_nginx_page_that_is_neither_json_nor_xml(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="html_200", rate=1.0)
    answer = _whitepages(fresh_sandbox)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in answer.text and "<hr>" in answer.text


def test_faults_empty_body_answers_200_with_nothing(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="empty_body", rate=1.0)
    answer = _whitepages(fresh_sandbox)
    assert answer.status_code == 200 and answer.content == b""


def test_faults_max_streak_makes_a_transient_fault_last_for_ever(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="empty_body", vendor="whitepages", rate=1.0, max_streak=1000)
    assert {_whitepages(fresh_sandbox).content for _ in range(5)} == {b""}


def test_faults_missing_fields_drops_one_seeded_field_from_each_listed_object(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="missing_fields", vendor="whitepages")
    days = _whitepages(fresh_sandbox).json()["usage_data"]
    assert days and all(len(day) == 1 and set(day) <= {"date", "request_count"} for day in days)
    assert _whitepages(fresh_sandbox).json()["usage_data"] == days


def test_faults_missing_fields_drops_the_named_fields_wherever_they_are(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="missing_fields", vendor="whitepages", fields=["date", "time_range"])
    body = _whitepages(fresh_sandbox).json()
    assert "time_range" not in body and body["usage_data"]
    assert all("date" not in day for day in body["usage_data"])


def test_faults_mistyped_fields_sends_every_number_as_a_string(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="mistyped_fields", vendor="whitepages")
    body = _whitepages(fresh_sandbox).json()
    assert isinstance(body["total_requests_in_timeperiod"], str)
    counts = [day["request_count"] for day in body["usage_data"]]
    assert counts and all(isinstance(count, str) and count.isdigit() for count in counts)


def test_faults_huge_numbers_pushes_every_number_beyond_64_bits(fresh_sandbox: Any) -> None:
    plain = _whitepages(fresh_sandbox).json()["usage_data"]
    fresh_sandbox.set_faults(name="huge_numbers", vendor="whitepages")
    huge = _whitepages(fresh_sandbox).json()["usage_data"]
    assert [day["request_count"] - 10**24 for day in huge] == [day["request_count"] for day in plain]
    fresh_sandbox.set_faults(name="huge_numbers", vendor="whitepages", fields=["total_requests_in_timeperiod"])
    named = _whitepages(fresh_sandbox).json()
    assert named["usage_data"] == plain and named["total_requests_in_timeperiod"] >= 10**24


def test_faults_extra_fields_adds_unknown_fields_to_every_object(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(name="extra_fields", vendor="whitepages")
    body = _whitepages(fresh_sandbox).json()
    for depth, item in [(0, body), (1, body["time_range"]), *[(2, day) for day in body["usage_data"]]]:
        assert item[f"sandboxExtra{depth}"] == {"nested": [1, "two", None]}
        assert item[f"sandbox_extra_{depth}"] == 3.5


def test_faults_rewrites_spare_errors_xml_and_logins(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults("mistyped_fields", "extra_fields")
    forbidden = requests.get(f"{fresh_sandbox.url}/whitepages/v1/account/usage", timeout=10)
    assert forbidden.status_code == 403 and forbidden.json() == {"message": "Forbidden"}
    login = _insideview_token(fresh_sandbox).json()
    assert "sandboxExtra0" not in login
    xml = _insideview(fresh_sandbox, login["accessTokenDetails"]["accessToken"], accept="application/xml")
    assert xml.text.startswith("<?xml") and "sandboxExtra" not in xml.text
