"""`check` for Leadfeeder and Whitepages: SUCCEEDED when every vendor answers, else one sentence per failing vendor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from airbyte_cdk.models import AirbyteConnectionStatus, Status, Type
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from connector import LEADFEEDER_URL, WHITEPAGES_URL, config, run_check, run_discover

pytestmark = pytest.mark.usefixtures("waits")

RESPONSES = Path(__file__).parent / "responses"
LEADFEEDER_BAD_KEY = (
    f"Leadfeeder rejected the API key at {LEADFEEDER_URL}/v1/accounts (invalid_api_key: The provided API key is "
    "invalid. Please check it and try again.); check leadfeeder.api_key (keys are made in Leadfeeder under "
    "Settings → Personal → API Keys)."
)
WHITEPAGES_BAD_KEY = (
    f"Whitepages rejected the API key at {WHITEPAGES_URL}/v1/account/usage/ (Forbidden); check whitepages.api_key."
)


def template(vendor: str, name: str) -> Dict[str, Any]:
    return json.loads((RESPONSES / vendor / f"{name}.json").read_text())


def answer(vendor: str, name: str, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(template(vendor, name)), status)


# check reads one record per vendor: Leadfeeder's first account, Whitepages' first window from start_date
ACCOUNT_LIST = HttpRequest(f"{LEADFEEDER_URL}/v1/accounts")
FIRST_ACCOUNT = HttpRequest(f"{LEADFEEDER_URL}/v1/accounts", query_params={"account_id": "111111"})
FIRST_WINDOW = HttpRequest(
    f"{WHITEPAGES_URL}/v1/account/usage/", query_params={"start_date": "2026-06-01", "end_date": "2026-08-29"}
)


def check(**vendors: Any) -> AirbyteConnectionStatus:
    output = run_check(config(start_date="2026-06-01", end_date="2026-11-20", **vendors))
    [status] = [message.connectionStatus for message in output.connection_status_messages]
    return status


def test_check_succeeds_when_every_vendor_answers(http_mocker: HttpMocker) -> None:
    http_mocker.get(ACCOUNT_LIST, answer("leadfeeder", "accounts"))
    http_mocker.get(FIRST_ACCOUNT, answer("leadfeeder", "account"))
    http_mocker.get(FIRST_WINDOW, answer("whitepages", "usage"))

    status = check(leadfeeder=True, whitepages=True)

    assert status.status == Status.SUCCEEDED
    http_mocker.assert_number_of_calls(FIRST_WINDOW, 1)


def test_check_reads_the_first_listed_account(http_mocker: HttpMocker) -> None:
    listed = HttpRequest(f"{LEADFEEDER_URL}/v1/accounts", query_params={"account_id": "222222"})
    http_mocker.get(listed, answer("leadfeeder", "account"))

    status = check(leadfeeder={"account_ids": ["222222", "333333"]})

    assert status.status == Status.SUCCEEDED
    http_mocker.assert_number_of_calls(listed, 1)


def test_check_fails_with_one_sentence_per_vendor_on_bad_keys(http_mocker: HttpMocker) -> None:
    http_mocker.get(ACCOUNT_LIST, answer("leadfeeder", "invalid_api_key", 403))
    http_mocker.get(FIRST_WINDOW, answer("whitepages", "forbidden", 403))

    status = check(leadfeeder=True, whitepages=True)

    assert status.status == Status.FAILED
    assert status.message == f"{LEADFEEDER_BAD_KEY} {WHITEPAGES_BAD_KEY}"


def test_check_names_only_the_vendor_that_fails(http_mocker: HttpMocker) -> None:
    http_mocker.get(ACCOUNT_LIST, answer("leadfeeder", "accounts"))
    http_mocker.get(FIRST_ACCOUNT, answer("leadfeeder", "account"))
    http_mocker.get(FIRST_WINDOW, answer("whitepages", "forbidden", 403))

    status = check(leadfeeder=True, whitepages=True)

    assert status.status == Status.FAILED
    assert status.message == WHITEPAGES_BAD_KEY


@pytest.mark.parametrize("status_code", [429, 403])
def test_check_reports_a_used_up_whitepages_quota_at_once_not_a_bad_key(
    http_mocker: HttpMocker, waits: List[float], status_code: int
) -> None:
    http_mocker.get(FIRST_WINDOW, answer("whitepages", "limit_exceeded", status_code))

    status = check(whitepages=True)

    assert status.status == Status.FAILED
    assert status.message.startswith("Whitepages says the request quota of this API key is used up")
    assert "wait until the plan's quota renews" in status.message
    assert "check whitepages.api_key" not in status.message and "max_requests_per_second" not in status.message
    assert waits == []
    http_mocker.assert_number_of_calls(FIRST_WINDOW, 1)


def test_check_names_the_vendor_whose_server_keeps_failing(http_mocker: HttpMocker) -> None:
    http_mocker.get(FIRST_WINDOW, [HttpResponse("Service Unavailable", 503)] * 6)

    status = check(whitepages=True)

    assert status.status == Status.FAILED
    assert "Whitepages kept failing with a server error" in status.message
    assert "\n" not in status.message and "Traceback" not in status.message
    http_mocker.assert_number_of_calls(FIRST_WINDOW, 6)


def test_check_answers_failed_and_exits_0_while_discover_of_a_bad_config_exits_1() -> None:
    """The protocol: `check` is answered (a FAILED status, exit 0); `discover` and `read` fail (exit 1)."""
    future = config(whitepages=True, start_date="2099-01-01", end_date=None)

    checked, discovered = run_check(future), run_discover(future)

    assert checked.connection_status_messages[0].connectionStatus.status.name == "FAILED"
    assert checked.exit_code == 0
    assert discovered.exit_code == 1 and discovered.errors  # type: ignore[attr-defined]
    assert not discovered.get_message_by_types([Type.CATALOG])
