"""Malformed answers: the connector reads them correctly or fails that stream clearly, and never emits a
record that breaks its stream's schema.

The sandbox's malformed-answer profiles (see usage_sandbox/faults.py) hit a full sync; each scenario has a
sandbox of its own and all run side by side (scenarios.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from integration_tests.connector_runs import Run, read
from integration_tests.discovered import PRIMARY_KEYS
from integration_tests.sandboxes import logged_sandbox
from integration_tests.scenarios import Settings, side_by_side
from integration_tests.truth_compare import (
    comparable,
    differences,
    duplicated_keys,
    key_of,
    leaks,
    merge,
    schema_violations,
)

Outcomes = Callable[[str], Any]

START = "2026-11-14"
TODAY = "2026-11-20"
UNREADABLE = ("invalid_json", "html_200", "empty_body")
# one huge count per stream: each vendor's integer counts plus 10**24, Leaf's areas (floats) plus 1e300
HUGE_INTEGERS = {
    "daily_usage": ("Whitepages", "request_count"),
    "api_usage": ("Leadfeeder", "num_requests"),
    "credits": ("InsideView", "allocated_credits"),
    "api_transactions": ("InsideView", "transactions"),
}
HUGE_FLOAT = 1e300
HUGE_FLOATS = ("total_area", "daily_area", "total_unique_area")
HUGE_VENDOR_FIELDS = (
    *(field for _, field in HUGE_INTEGERS.values()),
    "allocatedCredits",
    "totalArea",
    "dailyArea",
    "totalUniqueArea",
)
VENDOR_NAMES = ("Leadfeeder", "InsideView", "Whitepages", "Leaf")


@dataclass
class Outcome:
    run: Run
    truth: dict[str, list[dict[str, Any]]]
    stats: dict[str, Any]
    access_log: str = ""


@dataclass
class Scenario:
    profiles: list[dict[str, Any]]
    vendors: tuple[str, ...] = ()
    streams: list[str] | None = None


SCENARIOS = {
    # bodies that cannot be read, twice in a row for every Whitepages and InsideView request (one per window)
    **{
        name: Scenario(
            [{"name": name, "vendor": vendor, "rate": 1.0} for vendor in ("whitepages", "insideview")],
            ("whitepages", "insideview"),
        )
        for name in UNREADABLE
    },
    # the same for the Leadfeeder account list, which is also the parent of accounts and api_usage
    "empty_body_parent": Scenario([{"name": "empty_body", "vendor": "leadfeeder", "rate": 1.0}], ("leadfeeder",)),
    # the same for the InsideView login: an HTML page from a proxy where the token should be
    "html_200_login": Scenario(
        [{"name": "html_200", "vendor": "insideview", "rate": 1.0, "include_login": True}], ("insideview",)
    ),
    # Whitepages answering a body that is not JSON for ever
    "invalid_json_for_ever": Scenario(
        [{"name": "invalid_json", "vendor": "whitepages", "rate": 1.0, "max_streak": 1000}],
        ("whitepages", "insideview"),
        ["daily_usage", "api_transactions"],
    ),
    **{name: Scenario([{"name": name}]) for name in ("missing_fields", "mistyped_fields")},
    "huge_numbers": Scenario([{"name": "huge_numbers", "fields": [*HUGE_VENDOR_FIELDS, *HUGE_FLOATS]}]),
    "extra_fields": Scenario([{"name": "extra_fields"}]),
}


def _scenario(settings: Settings, scenario: Scenario) -> Outcome:
    with logged_sandbox(settings.seed, settings.size, TODAY) as (box, log):
        box.set_faults(*scenario.profiles)
        # what comes after the retries is tested here, not how long they wait (test_faults.py waits them out)
        config = box.config(*scenario.vendors, start_date=START)
        run = read(config, streams=scenario.streams, timeout=200, instant_waits=True)
        outcome = Outcome(run, box.truth(START), box.stats())
        outcome.access_log = log.read_text(errors="replace")  # flushed line by line
    return outcome


@pytest.fixture(scope="module")
def outcomes(sandbox: Any) -> Iterator[Outcomes]:
    """Every scenario, each against its own sandbox, all started side by side on first use."""
    settings = Settings.of(sandbox)
    jobs = {name: partial(_scenario, settings, scenario=scenario) for name, scenario in SCENARIOS.items()}
    with side_by_side(jobs) as outcome:
        yield outcome


def _streams(outcome: Outcome) -> list[str]:
    return sorted({stream for stream in outcome.run.record_data()} | set(outcome.run.statuses()))


def _assert_exact(outcome: Outcome) -> None:
    run = outcome.run
    assert run.succeeded, run.describe()
    assert duplicated_keys(run.record_data()) == {}
    assert schema_violations(run.record_data()) == []
    assert differences(merge(run.record_data()), outcome.truth, _streams(outcome)) == {}
    assert leaks(run.text) == []


@pytest.mark.parametrize("name", UNREADABLE)
def test_a_200_that_cannot_be_read_is_retried_until_it_can(outcomes: Outcomes, name: str) -> None:
    outcome = outcomes(name)
    _assert_exact(outcome)
    vendors = outcome.stats["vendors"]
    assert sum(vendors["whitepages"]["usage"].values()) == 3, vendors  # two unreadable answers, then one
    assert sum(vendors["insideview"]["usage"].values()) == 6, vendors


def test_an_unreadable_200_from_a_parent_stream_is_retried_against_the_vendor(outcomes: Outcomes) -> None:
    """The Leadfeeder account list, parent of accounts and api_usage, is asked again, not replayed."""
    outcome = outcomes("empty_body_parent")
    _assert_exact(outcome)
    assert sum(outcome.stats["vendors"]["leadfeeder"]["accounts"].values()) >= 3, outcome.stats


def test_an_unreadable_200_from_a_login_endpoint_is_retried_until_it_can_be_read(outcomes: Outcomes) -> None:
    outcome = outcomes("html_200_login")
    _assert_exact(outcome)
    assert sum(outcome.stats["vendors"]["insideview"]["token"].values()) == 3, outcome.stats


def test_whitepages_answering_invalid_json_for_ever_fails_that_stream_clearly(
    outcomes: Outcomes,
) -> None:
    outcome = outcomes("invalid_json_for_ever")
    run = outcome.run
    assert not run.hung and run.exit_code not in (0, None), run.describe()
    assert run.completed_streams() == {"api_transactions"}, run.statuses()
    assert run.last_states()["api_transactions"]["stream"]["stream_state"] == {"date": "2026-11-21"}
    assert differences(merge(run.record_data()), outcome.truth, ["api_transactions"]) == {}
    assert run.record_data().get("daily_usage", []) == []
    errors = [
        e["message"] for e in run.trace_errors() if (e.get("stream_descriptor") or {}).get("name") == "daily_usage"
    ]
    assert len(errors) == 1, run.error_messages()
    assert "Whitepages" in errors[0] and "/v1/account/usage" in errors[0] and "not JSON" in errors[0], errors
    assert sum(outcome.stats["vendors"]["whitepages"]["usage"].values()) == 6  # the request and 5 retries


def test_answers_missing_fields_never_yield_a_record_that_breaks_its_schema(
    outcomes: Outcomes,
) -> None:
    run = outcomes("missing_fields").run
    assert not run.hung, run.describe()
    assert schema_violations(run.record_data()) == []


def test_answers_missing_fields_fail_their_streams_naming_vendor_stream_and_field(
    outcomes: Outcomes,
) -> None:
    run = outcomes("missing_fields").run
    assert not run.hung and run.trace_errors(), run.describe()
    for error in run.trace_errors():
        if error.get("stream_descriptor"):
            message = error["message"]
            assert any(vendor in message for vendor in VENDOR_NAMES), message
            assert any(stream in message for stream in PRIMARY_KEYS), message
            assert re.search(r"'\w+'", message), f"no field named: {message}"
            assert not re.search(r"\b[A-Z][a-z]+(Error|Exception)\b", message), message


def test_answers_missing_fields_never_end_in_a_silent_success(outcomes: Outcomes) -> None:
    run = outcomes("missing_fields").run
    assert not run.hung, run.describe()
    assert not run.succeeded and run.exit_code not in (0, None), run.describe()


def test_numbers_sent_as_strings_are_read_as_numbers(outcomes: Outcomes) -> None:
    _assert_exact(outcomes("mistyped_fields"))


def test_huge_integers_fail_their_stream_with_one_sentence_and_no_record(outcomes: Outcomes) -> None:
    """The CDK's JSON decoder reads an integer beyond 64 bits as an inexact float; the record check stops it."""
    run = outcomes("huge_numbers").run
    assert not run.hung and run.exit_code not in (0, None), run.describe()
    for stream, (vendor, field) in HUGE_INTEGERS.items():
        errors = {  # a set: the CDK reports each failed partition (api_usage: one per Leadfeeder account)
            (e["failure_type"], e["message"])
            for e in run.trace_errors()
            if (e.get("stream_descriptor") or {}).get("name") == stream
        }
        article = "an" if stream[0] in "aeiou" else "a"
        assert errors == {
            (
                "system_error",
                f"{vendor} sent {article} {stream} record whose '{field}' does not fit the stream's schema "
                "(float 1e+24); the sync stops rather than write it, so retry later or report the vendor's answer.",
            )
        }, run.error_messages()
        assert run.record_data().get(stream, []) == [], stream
        assert run.statuses()[stream][-1] == "INCOMPLETE", run.statuses()


def _plus_huge(value: Any) -> Any:
    """The truth as the huge_numbers profile rewrites it: each huge float field plus 1e300, at every depth."""
    if isinstance(value, list):
        return [_plus_huge(item) for item in value]
    if isinstance(value, dict):
        return {name: item + HUGE_FLOAT if name in HUGE_FLOATS else _plus_huge(item) for name, item in value.items()}
    return value


def test_huge_floats_are_kept_and_every_other_stream_equals_the_truth(outcomes: Outcomes) -> None:
    outcome = outcomes("huge_numbers")
    run = outcome.run
    assert schema_violations(run.record_data()) == []
    others = sorted(set(outcome.truth) - set(HUGE_INTEGERS))
    assert {stream: run.statuses()[stream][-1] for stream in others} == dict.fromkeys(others, "COMPLETE")
    truth = {stream: [_plus_huge(row) for row in rows] for stream, rows in outcome.truth.items()}
    assert differences(merge(run.record_data()), truth, others) == {}
    leaf_values = [
        row[field] for row in run.record_data()["contract_consumption"] for field in ("total_area", "daily_area")
    ]
    assert leaf_values and all(value >= HUGE_FLOAT for value in leaf_values)


def _holds(got: Any, expected: Any) -> bool:
    """Got holds everything expected holds, at every depth, and maybe more fields."""
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(name in got and _holds(got[name], v) for name, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(map(_holds, got, expected))
    return got == expected


def test_unexpected_extra_fields_leave_the_vendor_fields_read_exactly(outcomes: Outcomes) -> None:
    outcome = outcomes("extra_fields")
    run = outcome.run
    assert run.succeeded, run.describe()
    assert schema_violations(run.record_data()) == []
    assert duplicated_keys(run.record_data()) == {}
    for stream, rows in outcome.truth.items():
        expected = {key_of(stream, row): comparable(stream, row) for row in rows}
        got = {key_of(stream, row): row for row in run.record_data().get(stream, [])}
        assert set(got) == set(expected), stream
        for key, record in expected.items():
            assert _holds(got[key], record), (stream, got[key], record)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_output_and_no_request_line_under_malformed_answers_holds_a_secret(outcomes: Outcomes, name: str) -> None:
    outcome = outcomes(name)
    assert outcome.access_log.count("HTTP/1.1") > 1, outcome.access_log[-1000:]
    assert leaks(outcome.access_log) == [] and leaks(outcome.run.text) == [], outcome.run.describe()
