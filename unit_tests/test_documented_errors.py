"""Every error body providers.md documents, for all four vendors, as the user sees it: one sentence that quotes
the vendor's own words, names the config field to fix where the user can fix it, and carries the failure type
(`config_error` for what the user must fix, `transient_error` for what passes, `system_error` for the rest)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pytest
import test_insideview as insideview
import test_leadfeeder as leadfeeder
import test_leaf as leaf
import test_whitepages as whitepages
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from connector import catalog, config, first_error, run_read

pytestmark = pytest.mark.usefixtures("waits", "fresh_sessions")

CONFIG, TRANSIENT, SYSTEM = FailureType.config_error, FailureType.transient_error, FailureType.system_error


@dataclass(frozen=True)
class Documented:
    answer: Callable[[HttpMocker], None]  # mocks the requests up to the documented error body
    read: Callable[[], EntrypointOutput]
    quoted: str  # the vendor's own words, as the sentence quotes them
    field: Optional[str]  # the config field the sentence names (None: nothing the user can change)
    failure: FailureType


def _leadfeeder(status: int, body: dict[str, Any]) -> Callable[[HttpMocker], None]:
    def answer(http_mocker: HttpMocker) -> None:
        http_mocker.get(leadfeeder.account_request("111111"), HttpResponse(json.dumps(body), status))

    return answer


def _read_leadfeeder() -> EntrypointOutput:
    return run_read(leadfeeder.listed("111111"), catalog("accounts"))


def _whitepages(status: int, body: dict[str, Any]) -> Callable[[HttpMocker], None]:
    def answer(http_mocker: HttpMocker) -> None:
        http_mocker.get(whitepages.window("2026-11-20", "2026-11-20"), HttpResponse(json.dumps(body), status))

    return answer


def _read_whitepages() -> EntrypointOutput:
    return whitepages.read_daily_usage(config(whitepages=True, start_date="2026-11-20", end_date="2026-11-20"))


def _insideview_usage(body: dict[str, Any]) -> Callable[[HttpMocker], None]:
    def answer(http_mocker: HttpMocker) -> None:
        http_mocker.post(insideview.login(), insideview.token())
        http_mocker.get(insideview.credits_request(), HttpResponse(json.dumps(body), body["status"]))

    return answer


def _insideview_login(http_mocker: HttpMocker) -> None:
    http_mocker.post(insideview.login(), HttpResponse(insideview.template("token_rejected.json"), 401))


def _read_insideview() -> EntrypointOutput:
    return run_read(config(insideview=True), catalog("credits"))


def _leaf_contracts(body: dict[str, Any]) -> Callable[[HttpMocker], None]:
    def answer(http_mocker: HttpMocker) -> None:
        http_mocker.post(leaf.login(), leaf.authenticated())
        http_mocker.get(leaf.contracts_request(), leaf.reply(body, body["status"]))

    return answer


def _leaf_login(http_mocker: HttpMocker) -> None:
    http_mocker.post(leaf.login(), leaf.reply(leaf.template("bad_credentials"), 401))


def _read_leaf() -> EntrypointOutput:
    return run_read(config(leaf=True), catalog("contracts"))


def _insideview_400(number: str, message: str) -> Documented:
    body = {"errorType": "Bad Request", "status": 400, "errorNumber": number, "message": message,
            "diagnosticCode": "5a1b"}
    return Documented(_insideview_usage(body), _read_insideview, f"{number}: {message}", None, SYSTEM)


def _problem(status: int, title: str) -> dict[str, Any]:
    return {"type": "https://api.withleaf.io/problem/problem-with-message", "title": title, "status": status,
            "path": "/api/billing/contracts", "message": "error.http." + str(status), "errorKey": "http"}


VENDOR_OF_READ = {"_read_leadfeeder": "Leadfeeder", "_read_insideview": "InsideView",
                  "_read_whitepages": "Whitepages", "_read_leaf": "Leaf"}
LEADFEEDER_RATE = "You've exceeded the maximum amount of allowed requests. Please try again later."
DOCUMENTED = {
    "leadfeeder-missing_token": Documented(
        _leadfeeder(403, {"code": "missing_token", "message": "You need to pass a header named `X-Api-Key`."}),
        _read_leadfeeder, "missing_token: You need to pass a header named `X-Api-Key`.", "leadfeeder.api_key", CONFIG),
    "leadfeeder-invalid_api_key": Documented(
        _leadfeeder(403, {"code": "invalid_api_key", "message": "The provided API key is invalid."}),
        _read_leadfeeder, "invalid_api_key: The provided API key is invalid.", "leadfeeder.api_key", CONFIG),
    "leadfeeder-access_denied": Documented(
        _leadfeeder(403, {"code": "access_denied", "message": "The provided API key is invalid."}),
        _read_leadfeeder, "access_denied: The provided API key is invalid.", "leadfeeder.api_key", CONFIG),
    "leadfeeder-too_many_requests": Documented(
        _leadfeeder(429, {"code": "too_many_requests", "message": LEADFEEDER_RATE}),
        _read_leadfeeder, f"too_many_requests: {LEADFEEDER_RATE}", "max_requests_per_second", TRANSIENT),
    "leadfeeder-invalid_parameter": Documented(
        _leadfeeder(400, {"code": "invalid_parameter", "message": "account_id must be a number."}),
        _read_leadfeeder, "invalid_parameter: account_id must be a number.", None, SYSTEM),
    "insideview-bad-client-credentials": Documented(
        _insideview_login, _read_insideview, "401-002 Invalid client credentials.",
        "insideview.client_id and insideview.client_secret", CONFIG),
    "insideview-400-701": _insideview_400("400-701", "Parameters period, start and end are required."),
    "insideview-400-702": _insideview_400("400-702", "period must be one of day, month or year."),
    "insideview-400-705": _insideview_400("400-705", "At most 92 days can be requested at once."),
    "insideview-400-706": _insideview_400("400-706", "start and end must match the format of period 'day'."),
    "whitepages-forbidden": Documented(
        _whitepages(403, {"message": "Forbidden"}), _read_whitepages, "Forbidden", "whitepages.api_key", CONFIG),
    "whitepages-too-many-requests": Documented(
        _whitepages(429, {"message": "Too Many Requests"}), _read_whitepages, "(Too Many Requests)",
        "max_requests_per_second", TRANSIENT),
    "whitepages-limit-exceeded-429": Documented(
        _whitepages(429, {"message": "Limit Exceeded"}), _read_whitepages, '"Limit Exceeded"', None, TRANSIENT),
    "whitepages-limit-exceeded-403": Documented(
        _whitepages(403, {"message": "Limit Exceeded"}), _read_whitepages, '"Limit Exceeded"', None, TRANSIENT),
    "whitepages-bad-request": Documented(
        _whitepages(400, {"error": {"code": 400, "message": "Bad Request", "long_message": "Invalid start_date.",
                                    "meta": {"field": "start_date", "validation_error": "bad"}},
                          "wp_trace_id": "9f"}),
        _read_whitepages, "(Invalid start_date.)", "start_date", SYSTEM),
    "leaf-bad-credentials": Documented(
        _leaf_login, _read_leaf, "Unauthorized Bad credentials", "leaf.username and leaf.password", CONFIG),
    "leaf-403-problem": Documented(
        _leaf_contracts(_problem(403, "Access is denied")), _read_leaf, "Access is denied", "leaf.username", CONFIG),
    "leaf-404-problem": Documented(
        _leaf_contracts(_problem(404, "Contract not found")), _read_leaf, "Contract not found", "leaf.base_url",
        SYSTEM),
    "leaf-400-problem": Documented(
        _leaf_contracts(_problem(400, "Invalid page size")), _read_leaf, "(Invalid page size)", None, SYSTEM),
    "leaf-400-older": Documented(
        _leaf_contracts({"status": 400, "detail": "size must be at most 100"}), _read_leaf,
        "(size must be at most 100)", None, SYSTEM),
    "leaf-429": Documented(
        _leaf_contracts({"title": "Too Many Requests", "status": 429, "detail": "Rate limit exceeded."}), _read_leaf,
        "(Too Many Requests: Rate limit exceeded.)", "max_requests_per_second", TRANSIENT),
}


@pytest.mark.parametrize("case", list(DOCUMENTED.values()), ids=list(DOCUMENTED))
def test_each_documented_error_body_is_one_sentence_in_the_vendors_words_naming_the_field_to_fix(
    http_mocker: HttpMocker, case: Documented
) -> None:
    case.answer(http_mocker)

    output = case.read()

    error = first_error(output)
    message = error.message
    assert case.quoted in message, message
    if case.field:
        assert case.field in message, message
    assert error.failure_type == case.failure, message
    vendor = VENDOR_OF_READ[case.read.__name__]
    assert message.startswith(vendor) and message.endswith(".") and "\n" not in message, message
