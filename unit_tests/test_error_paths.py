"""The error paths the vendors share, once for each: for the API-key vendors' streams 429 with and without
Retry-After, 5xx retried then given up after five retries, a 400 quoting the vendor, an unreadable 200 retried;
for the login vendors a 401 that logs in again, tokens rejected after every login, and a check with a wrong secret."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

import pytest
import test_insideview as insideview
import test_leadfeeder as leadfeeder
import test_leaf as leaf
import test_whitepages as whitepages
from airbyte_cdk.models import FailureType, Status
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from connector import assert_succeeded, catalog, config, first_error, records, run_check, run_read

pytestmark = pytest.mark.usefixtures("waits", "fresh_sessions")


@dataclass(frozen=True)
class Case:
    vendor: str
    request: Callable[[], HttpRequest]
    success: Callable[[], HttpResponse]
    read: Callable[[], EntrypointOutput]
    field: str  # of the one record `success` gives, and its value
    value: str
    answer: Callable[[str, int, Optional[Dict[str, str]]], HttpResponse]
    retry_after: int
    server_error: str  # the body of a 5xx
    gives_up_with: int  # the status and body of the 5xx that never ends
    gives_up_body: str
    bad_request: str  # the 400 answer's template, and what of it the message quotes
    quoted: str
    unreadable: List[str]  # 200 answers that are not JSON
    unreadable_headers: Dict[str, str]
    # a 400 for a date window of one unit, which cannot be split further (None: the stream reads no windows), and
    # the sentence's end that names it
    single: Optional[Callable[[], tuple[HttpRequest, Callable[[], EntrypointOutput]]]] = None
    single_named: str = "."


def _leadfeeder(stream: str, **changes: Any) -> Case:
    defaults: Dict[str, Any] = dict(
        vendor="Leadfeeder",
        request=lambda: leadfeeder.usage_request("111111", "2026-01", "2026-11"),
        success=lambda: leadfeeder.usage("2026-05"),
        read=lambda: leadfeeder.run_read(leadfeeder.listed("111111"), catalog(stream)),
        field="period",
        value="2026-05",
        answer=leadfeeder.answer,
        retry_after=9,
        server_error='{"code": "internal_error"}',
        gives_up_with=504,
        gives_up_body="Gateway Timeout",
        bad_request="invalid_parameter",
        quoted="invalid_parameter: The period between start_period and end_period may not exceed 24 months.",
        unreadable=['{"data": {"type": "account", "id": "1111'],
        unreadable_headers={},
    )
    return Case(**{**defaults, **changes})


CASES = {
    "leadfeeder-accounts": _leadfeeder(
        "accounts",
        request=lambda: leadfeeder.account_request("111111"),
        success=lambda: leadfeeder.account("111111"),
        field="id",
        value="111111",
    ),
    "leadfeeder-api_usage": _leadfeeder(
        "api_usage",
        single=lambda: (
            leadfeeder.usage_request("111111", "2026-11", "2026-11"),
            lambda: leadfeeder.run_read(leadfeeder.listed("111111", start_date="2026-11-01"), catalog("api_usage")),
        ),
        single_named=" for 2026-11, a single month that cannot be split any further; check start_date, or ask the"
        " vendor which ranges it accepts.",
    ),
    "whitepages-daily_usage": Case(
        vendor="Whitepages",
        request=lambda: whitepages.window("2026-09-01", "2026-11-20"),
        success=lambda: whitepages.usage("2026-11-20"),
        read=lambda: whitepages.read_daily_usage(
            config(whitepages=True, start_date="2026-09-01", end_date="2026-11-20")
        ),
        field="date",
        value="2026-11-20",
        answer=whitepages.answer,
        retry_after=7,
        server_error="upstream failed",
        gives_up_with=503,
        gives_up_body="upstream failed",
        bad_request="bad_request",
        quoted="The date range may span at most 90 days.",
        unreadable=["<html><body><h1>502 Bad Gateway</h1></body></html>", '{"usage_data": [{"date": "2026-11-2'],
        unreadable_headers={"Content-Type": "text/html"},
        single=lambda: (
            whitepages.window("2026-11-20", "2026-11-20"),
            lambda: whitepages.read_daily_usage(
                config(whitepages=True, start_date="2026-11-20", end_date="2026-11-20")
            ),
        ),
        single_named=" for 2026-11-20, a single day that cannot be split any further; check start_date, or ask the"
        " vendor which ranges it accepts.",
    ),
}
each_case = pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))


def _values(case: Case, output: EntrypointOutput) -> List[Any]:
    return [record[case.field] for record in records(output)]


@each_case
def test_429_waits_for_retry_after_then_succeeds(http_mocker: HttpMocker, waits: List[float], case: Case) -> None:
    request = case.request()
    retry_after = {"Retry-After": str(case.retry_after)}
    http_mocker.get(request, [case.answer("too_many_requests", 429, retry_after), case.success()])

    output = case.read()

    assert_succeeded(output)
    assert len(waits) == 1 and waits[0] >= case.retry_after
    http_mocker.assert_number_of_calls(request, 2)
    assert _values(case, output) == [case.value]


@each_case
def test_429_without_retry_after_backs_off_then_succeeds(
    http_mocker: HttpMocker, waits: List[float], case: Case
) -> None:
    request = case.request()
    http_mocker.get(request, [case.answer("too_many_requests", 429, None), case.success()])

    output = case.read()

    assert_succeeded(output)
    assert len(waits) == 1 and 1 <= waits[0] < case.retry_after
    http_mocker.assert_number_of_calls(request, 2)
    assert _values(case, output) == [case.value]


@each_case
def test_server_errors_are_retried_then_succeed(http_mocker: HttpMocker, waits: List[float], case: Case) -> None:
    request = case.request()
    failures = [HttpResponse(case.server_error, status) for status in (500, 502, 503, 504)]
    http_mocker.get(request, [*failures, case.success()])

    output = case.read()

    assert_succeeded(output)
    http_mocker.assert_number_of_calls(request, 5)
    assert waits == sorted(waits) and len(waits) == 4
    assert _values(case, output) == [case.value]


@each_case
def test_server_error_forever_fails_after_five_retries(http_mocker: HttpMocker, case: Case) -> None:
    request = case.request()
    http_mocker.get(request, [HttpResponse(case.gives_up_body, case.gives_up_with)] * 6)

    output = case.read()

    assert f"{case.vendor} kept failing with a server error" in first_error(output).message
    http_mocker.assert_number_of_calls(request, 6)


@each_case
def test_bad_request_fails_naming_the_vendor_the_stream_and_its_message(http_mocker: HttpMocker, case: Case) -> None:
    """A 400 that no split can mend: a stream without windows, or a window of a single day or month."""
    request, read = case.single() if case.single else (case.request(), case.read)
    http_mocker.get(request, case.answer(case.bad_request, 400, None))

    output = read()

    error = first_error(output)
    assert error.message.startswith(f"{case.vendor} refused the request of stream {error.stream_descriptor.name} at")
    assert f"({case.quoted})" in error.message and error.message.endswith(case.single_named)
    assert error.failure_type == FailureType.system_error
    http_mocker.assert_number_of_calls(request, 1)


@pytest.mark.parametrize(
    ("case", "body"),
    [
        pytest.param(case, body, id=f"{name}-{index}")
        for name, case in CASES.items()
        for index, body in enumerate(case.unreadable)
    ],
)
def test_unreadable_200_is_retried(http_mocker: HttpMocker, case: Case, body: str) -> None:
    request = case.request()
    http_mocker.get(request, [HttpResponse(body, 200, case.unreadable_headers), case.success()])

    output = case.read()

    assert_succeeded(output)
    http_mocker.assert_number_of_calls(request, 2)
    assert _values(case, output) == [case.value]


@dataclass(frozen=True)
class LoginCase:
    vendor: str
    login: Callable[[str], HttpRequest]  # with this secret
    secret: str  # the config's
    wrong_secret: Dict[str, Any]  # the config block that carries a wrong one
    logged_in: Callable[[str], HttpResponse]  # the login answer with this token
    request: Callable[[str], HttpRequest]  # sent with this token
    success: Callable[[], HttpResponse]
    stream: str
    count: Callable[[EntrypointOutput], Any]
    counted: Any
    rejected: Callable[[], HttpResponse]  # a 401 to a request
    bad_login: Callable[[], HttpResponse]  # a 401 to the login
    rejected_again: str  # how the message of tokens rejected after every login starts
    check_message: str  # how the check's message starts; all of it when exact
    exact: bool


LOGIN_CASES = {
    "insideview": LoginCase(
        vendor="InsideView",
        login=insideview.login,
        secret=insideview.INSIDEVIEW_CLIENT_SECRET,
        wrong_secret={"insideview": {"client_secret": insideview.WRONG_SECRET}},
        logged_in=insideview.token,
        request=insideview.credits_request,
        success=lambda: insideview.answer(insideview.usage_body()),
        stream="credits",
        count=lambda output: len(records(output, "credits")),
        counted=1,
        rejected=lambda: insideview.answer(json.loads(insideview.template("token_missing.json")), 401),
        bad_login=lambda: HttpResponse(insideview.template("token_rejected.json"), 401),
        rejected_again="InsideView kept rejecting freshly issued access tokens at ",
        check_message="InsideView rejected the client credentials at "
        "https://login.insideview.com/Auth/login/v1/token.json (401 401-002 Invalid client credentials.)",
        exact=False,
    ),
    "leaf": LoginCase(
        vendor="Leaf",
        login=leaf.login,
        secret=leaf.LEAF_PASSWORD,
        wrong_secret={"leaf": {"password": leaf.WRONG_PASSWORD}},
        logged_in=leaf.authenticated,
        request=leaf.contracts_request,
        success=lambda: leaf.contracts(leaf.CONTRACT_A),
        stream="contracts",
        count=lambda output: [record["id"] for record in records(output)],
        counted=[leaf.CONTRACT_A],
        rejected=lambda: leaf.reply(leaf.template("unauthorized"), 401),
        bad_login=lambda: leaf.reply(leaf.template("bad_credentials"), 401),
        rejected_again="Leaf kept rejecting freshly issued tokens at ",
        check_message="Leaf rejected the username or password at https://api.withleaf.io/api/authenticate (401 "
        "Unauthorized Bad credentials); check leaf.username and leaf.password.",
        exact=True,
    ),
}
each_login_case = pytest.mark.parametrize("case", list(LOGIN_CASES.values()), ids=list(LOGIN_CASES))
FIRST, SECOND = "unit-token-first-5c0e9a7d2b", "unit-token-second-8f3b1d6e4a"


def _vendor_config(case: LoginCase) -> Dict[str, Any]:
    return config(**{case.vendor.lower(): True})


@each_login_case
def test_401_logs_in_again_once_and_retries(http_mocker: HttpMocker, case: LoginCase) -> None:
    login = case.login(case.secret)
    http_mocker.post(login, [case.logged_in(FIRST), case.logged_in(SECOND)])
    revoked, fresh = case.request(FIRST), case.request(SECOND)
    http_mocker.get(revoked, case.rejected())
    http_mocker.get(fresh, case.success())

    output = run_read(_vendor_config(case), catalog(case.stream))

    assert_succeeded(output)
    http_mocker.assert_number_of_calls(login, 2)
    http_mocker.assert_number_of_calls(revoked, 1)
    http_mocker.assert_number_of_calls(fresh, 1)
    assert case.count(output) == case.counted


@each_login_case
def test_token_rejected_after_every_new_login_fails_with_a_config_error(
    http_mocker: HttpMocker, case: LoginCase
) -> None:
    login = case.login(case.secret)
    http_mocker.post(login, [case.logged_in(FIRST), case.logged_in(SECOND)])
    revoked, fresh = case.request(FIRST), case.request(SECOND)
    http_mocker.get(revoked, case.rejected())
    http_mocker.get(fresh, case.rejected())

    output = run_read(_vendor_config(case), catalog(case.stream))

    # each 401 drops the token and the retry logs in again, for as many retries as the handler allows
    http_mocker.assert_number_of_calls(login, 6)
    http_mocker.assert_number_of_calls(revoked, 1)
    http_mocker.assert_number_of_calls(fresh, 5)
    assert records(output) == []
    error = first_error(output)
    assert error.failure_type == FailureType.config_error
    assert error.message.startswith(case.rejected_again)


@each_login_case
def test_check_fails_on_a_wrong_secret(http_mocker: HttpMocker, case: LoginCase) -> None:
    [(key, block)] = case.wrong_secret.items()
    [wrong] = block.values()
    login = case.login(wrong)
    http_mocker.post(login, case.bad_login())

    output = run_check(config(**{key: block}))

    http_mocker.assert_number_of_calls(login, 1)
    [status] = output.connection_status_messages
    assert status.connectionStatus.status == Status.FAILED
    message = status.connectionStatus.message
    assert message == case.check_message if case.exact else message.startswith(case.check_message)
