"""Faults: a full and an incremental sync survive every sandbox fault profile; permanent faults fail clearly.

Each scenario gets a sandbox of its own, and all scenarios run side by side (scenarios.py), so the module costs
about the longest scenario (a permanent 500: five retries with backoff) instead of their sum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from integration_tests.connector_runs import Run, read
from integration_tests.discovered import CURSORS, PRIMARY_KEYS
from integration_tests.sandboxes import logged_sandbox
from integration_tests.scenarios import Settings, side_by_side
from integration_tests.truth_compare import differences, duplicated_keys, leaks, merge, schema_violations

Outcomes = Callable[[str], Any]

START = "2026-11-14"
FULL_TODAY = "2026-11-18"  # the full sync runs on this day ...
INCREMENTAL_TODAY = "2026-11-20"  # ... and the incremental one two days later, when recent figures have grown
# request_timeout_seconds, and a stall that outlasts it; a timeout with room to spare for an answer slowed by the
# other scenarios sharing two cores, since every request count below is exact
TIMEOUT_SECONDS = 4
STALL_SECONDS = 6
# no scenario may run longer: a permanent 500 is five retries with exponential backoff (~62 s of waiting); the
# tests count requests to show that a failure comes after a bounded number of tries, not by the clock
RUN_TIMEOUT_SECONDS = 240.0

FULL_REFRESH = tuple(stream for stream in PRIMARY_KEYS if stream not in CURSORS)
TRANSIENT = ("429_retry_after", "429_no_retry_after", "5xx", "drop", "stall", "truncate")
# Whitepages and InsideView send one request per window, so every one of theirs meets the fault twice
# before it gets through (the sandbox never faults a request three times in a row); the others a share.
ALWAYS_FAULTED = ("whitepages", "insideview")
EXPECTED_ATTEMPTS = {("whitepages", "usage"): 3, ("insideview", "usage"): 6}


# InsideView's 429 locks the whole account for a 5-minute window, which the connector waits out rather than
# retrying soon (providers.md, InsideView; test_insideview_throttling.py): a passing 429 is not what it sends.
THROTTLED = ("429_retry_after", "429_no_retry_after")
UNTHROTTLED_VENDORS = ("leadfeeder", "whitepages", "leaf")


def transient_profile(name: str) -> list[dict[str, Any]]:
    extra = {"stall_seconds": STALL_SECONDS} if name == "stall" else {}
    if name in THROTTLED:
        return [{"name": name, "vendor": "whitepages", "rate": 1.0}] + [
            {"name": name, "vendor": vendor, "rate": 0.3} for vendor in ("leadfeeder", "leaf")
        ]
    return [{"name": name, "vendor": vendor, "rate": 1.0, **extra} for vendor in ALWAYS_FAULTED] + [
        {"name": name, "rate": 0.3, **extra}
    ]


SURVIVABLE: dict[str, list[dict[str, Any]]] = {
    **{name: transient_profile(name) for name in TRANSIENT},
    # every InsideView token is revoked at its second use (a sync uses one twice), every Leaf token after 1 to 9
    # uses; a new one always works
    "revoke_token": [
        {"name": "revoke_token", "vendor": "insideview", "rate": 1.0},
        {"name": "revoke_token", "vendor": "leaf", "rate": 0.2},
    ],
    "xml": [{"name": "xml"}],
}


@dataclass
class Survival:
    full: Run
    incremental: Run
    full_stats: dict[str, Any]
    incremental_stats: dict[str, Any]
    truth_full: dict[str, list[dict[str, Any]]]
    truth_incremental: dict[str, list[dict[str, Any]]]
    access_log: str = ""

    @property
    def runs(self) -> list[Run]:
        return [self.full, self.incremental]


@dataclass
class Failure:
    run: Run
    truth: dict[str, list[dict[str, Any]]]
    stats: dict[str, Any] = field(default_factory=dict)
    access_log: str = ""

    @property
    def runs(self) -> list[Run]:
        return [self.run]


def _survive(settings: Settings, profiles: list[dict[str, Any]]) -> Survival:
    with logged_sandbox(settings.seed, settings.size, FULL_TODAY) as (box, log):
        box.set_faults(*profiles)
        full = read(box.config(start_date=START, request_timeout_seconds=TIMEOUT_SECONDS), timeout=RUN_TIMEOUT_SECONDS)
        full_stats = box.stats()
        box.set_today(INCREMENTAL_TODAY)
        box.reset()
        config = box.config(start_date=START, request_timeout_seconds=TIMEOUT_SECONDS)
        incremental = read(config, state=full.last_states().values(), timeout=RUN_TIMEOUT_SECONDS)
        truth_full, truth_incremental = box.truth(START, today=FULL_TODAY), box.truth(START)
        survival = Survival(full, incremental, full_stats, box.stats(), truth_full, truth_incremental)
        survival.access_log = log.read_text(errors="replace")  # flushed line by line
    return survival


def _fail(settings: Settings, setup: Callable[[Any], tuple[dict[str, Any], list[str]]]) -> Failure:
    with logged_sandbox(settings.seed, settings.size, INCREMENTAL_TODAY) as (box, log):
        config, streams = setup(box)
        run = read(config, streams=streams, timeout=RUN_TIMEOUT_SECONDS)
        failure = Failure(run, box.truth(START), box.stats())
        failure.access_log = log.read_text(errors="replace")  # flushed line by line
    return failure


def _permanent_500(box: Any) -> tuple[dict[str, Any], list[str]]:
    box.set_faults(name="permanent_500", vendor="whitepages")
    return box.config("whitepages", "insideview", start_date=START), ["daily_usage", "api_transactions"]


def _quota_exhausted(box: Any) -> tuple[dict[str, Any], list[str]]:
    box.set_faults(name="quota_exhausted")
    return box.config("whitepages", "insideview", start_date=START), ["daily_usage", "api_transactions"]


def _revoked_key(box: Any) -> tuple[dict[str, Any], list[str]]:
    config = box.config(
        "leadfeeder", "insideview", start_date=START, leadfeeder={"api_key": "lf-revoked-key-4f1c9a2e7b"}
    )
    return config, ["api_usage", "api_transactions"]


PERMANENT = {
    "permanent_500": _permanent_500,
    "quota_exhausted": _quota_exhausted,
    "revoked_key": _revoked_key,
}


SCENARIOS: dict[str, Callable[[Settings], Survival | Failure]] = {
    **{name: partial(_survive, profiles=profiles) for name, profiles in {"none": [], **SURVIVABLE}.items()},
    **{name: partial(_fail, setup=setup) for name, setup in PERMANENT.items()},
}


@pytest.fixture(scope="module")
def outcomes(sandbox: Any) -> Iterator[Outcomes]:
    """Every scenario, each against its own sandbox, all started side by side on first use."""
    settings = Settings.of(sandbox)
    with side_by_side({name: partial(job, settings) for name, job in SCENARIOS.items()}) as outcome:
        yield outcome


def _assert_complete_and_exact(run: Run, got: dict[str, Any], truth: dict[str, Any], label: str) -> None:
    assert not run.hung, f"{label} hung: {run.describe()}"
    assert run.succeeded, f"{label} did not succeed: {run.describe()}"
    assert duplicated_keys(run.record_data()) == {}, f"{label} emitted a primary key twice"
    assert schema_violations(run.record_data()) == [], f"{label} emitted records that break their schema"
    assert differences(got, truth, PRIMARY_KEYS) == {}, f"{label} lost or changed records"
    assert leaks(run.text) == [], f"{label} printed a secret"


# the vendors whose requests must have met each profile, by the sandbox's own count of the faults it served
MET_BY: dict[str, tuple[str, ...]] = {
    **{name: ("leadfeeder", "whitepages", "insideview", "leaf") for name in TRANSIENT},
    **{name: ("leadfeeder", "whitepages", "leaf") for name in THROTTLED},
    "revoke_token": ("insideview", "leaf"),
    "xml": ("insideview",),
}
LOGINS = {"insideview": "token", "leaf": "authenticate"}


def _assert_fault_was_met(name: str, full: dict[str, Any], incremental: dict[str, Any]) -> None:
    """The sandbox served the fault to every vendor it should reach, and what followed shows it."""
    both = (full, incremental)
    served = [stats["faults"] for stats in both]
    if name == "none":
        assert served == [{}, {}], served
    met = {vendor: sum(faults.get(name, {}).get(vendor, 0) for faults in served) for vendor in MET_BY.get(name, ())}
    assert all(met.values()), (name, served)
    for stats in both:
        vendors, faults = stats["vendors"], stats["faults"].get(name, {})
        if name in TRANSIENT:
            for (vendor, endpoint), attempts in EXPECTED_ATTEMPTS.items():
                if name in THROTTLED and vendor not in UNTHROTTLED_VENDORS:
                    continue
                assert sum(vendors[vendor][endpoint].values()) == attempts, (name, vendor, vendors[vendor])
        if name == "revoke_token":  # each revoked token was refused, then replaced by a new login
            for vendor, login in LOGINS.items():
                refused = sum(counts.get("401", 0) for counts in vendors[vendor].values())
                assert refused >= faults.get(vendor, 0), (vendor, vendors[vendor], faults)
                assert vendors[vendor][login]["200"] >= 1 + faults.get(vendor, 0), (vendor, vendors[vendor], faults)
        if name == "xml":  # every InsideView usage answer was XML
            assert faults == {"insideview": vendors["insideview"]["usage"]["200"]}, (vendors["insideview"], faults)


@pytest.mark.parametrize("name", ["none", *SURVIVABLE])
def test_full_and_incremental_syncs_under_fault_equal_the_truth(outcomes: Outcomes, name: str) -> None:
    survival: Survival = outcomes(name)
    _assert_complete_and_exact(survival.full, merge(survival.full.record_data()), survival.truth_full, f"full ({name})")
    merged = merge(survival.full.record_data(), survival.incremental.record_data())
    _assert_complete_and_exact(survival.incremental, merged, survival.truth_incremental, f"incremental ({name})")
    alone = merge(survival.incremental.record_data())  # merged with the first, a skipped stream would pass
    assert differences(alone, survival.truth_incremental, FULL_REFRESH) == {}, f"incremental ({name})"
    _assert_fault_was_met(name, survival.full_stats, survival.incremental_stats)


def _stream_error(run: Run, stream: str) -> str:
    errors = [e["message"] for e in run.trace_errors() if (e.get("stream_descriptor") or {}).get("name") == stream]
    assert len(errors) == 1, f"expected one error for {stream}, got {errors}: {run.describe()}"
    return errors[0]


def _assert_clear(message: str, vendor: str, endpoint: str) -> None:
    assert vendor in message, f"the error does not name {vendor}: {message!r}"
    assert endpoint in message, f"the error does not name the endpoint {endpoint}: {message!r}"
    assert "Traceback" not in message and "Response (headers)" not in message, message


def _cursor_values(state: Any) -> list[str]:
    """Every date or period a stream state holds, partitions included."""
    if isinstance(state, dict):
        return [v for k, item in state.items() for v in ([item] if k in ("date", "period") else _cursor_values(item))]
    if isinstance(state, list):
        return [value for item in state for value in _cursor_values(item)]
    return []


def _assert_failed_after_saving_the_rest(failure: Failure, failing: str, healthy: str) -> None:
    run = failure.run
    assert not run.hung, run.describe()
    assert run.exit_code not in (0, None), run.describe()
    assert healthy in run.completed_streams() and failing not in run.completed_streams(), run.statuses()
    last = run.last_states()
    assert last[healthy]["stream"]["stream_state"] == {"date": "2026-11-21"}, last
    failing_state = last.get(failing, {}).get("stream", {}).get("stream_state")
    assert all(value <= START for value in _cursor_values(failing_state)), f"{failing} claims progress: {last}"
    got = merge(run.record_data())
    assert differences(got, failure.truth, [healthy]) == {}, f"{healthy} lost records"
    assert run.record_data().get(failing, []) == []
    summary = run.trace_errors()[-1]["message"]  # the CDK's closing list of the streams that failed
    assert failing in summary and healthy not in summary, summary
    assert leaks(run.text) == []


def test_whitepages_answering_500_for_ever_fails_the_stream_after_five_retries_naming_vendor_and_endpoint(
    outcomes: Outcomes,
) -> None:
    failure: Failure = outcomes("permanent_500")
    _assert_failed_after_saving_the_rest(failure, "daily_usage", "api_transactions")
    _assert_clear(_stream_error(failure.run, "daily_usage"), "Whitepages", "/v1/account/usage")
    assert sum(failure.stats["vendors"]["whitepages"]["usage"].values()) == 6  # the request and 5 retries


def test_an_exhausted_whitepages_quota_fails_at_once_naming_vendor_and_endpoint_after_saving_the_rest(
    outcomes: Outcomes,
) -> None:
    failure: Failure = outcomes("quota_exhausted")
    _assert_failed_after_saving_the_rest(failure, "daily_usage", "api_transactions")
    message = _stream_error(failure.run, "daily_usage")
    _assert_clear(message, "Whitepages", "/v1/account/usage")
    assert "quota" in message, message
    assert sum(failure.stats["vendors"]["whitepages"]["usage"].values()) == 1  # not retried


def test_a_revoked_leadfeeder_key_fails_at_once_naming_vendor_and_endpoint_after_saving_the_rest(
    outcomes: Outcomes,
) -> None:
    failure: Failure = outcomes("revoked_key")
    _assert_failed_after_saving_the_rest(failure, "api_usage", "api_transactions")
    message = _stream_error(failure.run, "api_usage")
    _assert_clear(message, "Leadfeeder", "/v1/accounts")
    assert "leadfeeder.api_key" in message, message
    assert sum(failure.stats["vendors"]["leadfeeder"]["accounts"].values()) == 1  # not retried


@pytest.mark.parametrize("name", ["none", *SURVIVABLE, *PERMANENT])
def test_no_output_and_no_request_line_under_fault_holds_a_secret(outcomes: Outcomes, name: str) -> None:
    outcome = outcomes(name)
    assert outcome.access_log.count("HTTP/1.1") >= 3, outcome.access_log[-1000:]
    assert leaks(outcome.access_log) == []
    for run in outcome.runs:
        assert leaks(run.text) == [], run.describe()
