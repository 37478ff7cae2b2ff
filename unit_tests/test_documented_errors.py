"""Every sentence the connector's manifest can show a user, and every error body providers.md documents, word for
word: one sentence that quotes the vendor's own words, names the config field to fix where the user can fix it,
and carries the failure type (`config_error` for what the user must fix, `transient_error` for what passes,
`system_error` for the rest). Each `error_message` of the manifest is met by at least one case here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
import test_insideview as insideview
import test_leadfeeder as leadfeeder
import test_leaf as leaf
import test_whitepages as whitepages
import yaml
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from connector import catalog, config, first_error, run_read

import source_usage

pytestmark = pytest.mark.usefixtures("waits", "fresh_sessions")

CONFIG, TRANSIENT, SYSTEM = FailureType.config_error, FailureType.transient_error, FailureType.system_error


@dataclass(frozen=True)
class Documented:
    answer: Callable[[HttpMocker], None]  # mocks the requests up to the error body
    read: Callable[[], EntrypointOutput]
    sentence: str  # all the user sees
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
    body = {
        "errorType": "Bad Request",
        "status": 400,
        "errorNumber": number,
        "message": message,
        "diagnosticCode": "5a1b",
    }
    return Documented(
        _insideview_usage(body),
        _read_insideview,
        f"InsideView refused the request of stream credits at {IV_USAGE} ({number}: {message}).",
        SYSTEM,
    )


def _problem(status: int, title: str) -> dict[str, Any]:
    return {
        "type": "https://api.withleaf.io/problem/problem-with-message",
        "title": title,
        "status": status,
        "path": "/api/billing/contracts",
        "message": "error.http." + str(status),
        "errorKey": "http",
    }


def _again(
    request: Callable[[], HttpRequest], response: HttpResponse, login: Callable[[HttpMocker], None], times: int = 7
) -> Callable[[HttpMocker], None]:
    """The same answer to every try of a request (the first and all its retries), after a login when given."""

    def answer(http_mocker: HttpMocker) -> None:
        login(http_mocker)
        http_mocker.get(request(), [response] * times)

    return answer


def _no_login(http_mocker: HttpMocker) -> None:
    pass


def _insideview_logged_in(http_mocker: HttpMocker) -> None:
    http_mocker.post(insideview.login(), insideview.token())


def _leaf_logged_in(http_mocker: HttpMocker) -> None:
    http_mocker.post(leaf.login(), leaf.authenticated())


LF_ACCOUNTS = "https://api.leadfeeder.com/v1/accounts"
LF_KEY_FIX = "check leadfeeder.api_key (keys are made in Leadfeeder under Settings → Personal → API Keys)."
IV_LOGIN = "https://login.insideview.com/Auth/login/v1/token.json"
IV_USAGE = "https://api.insideview.com/api/v1/admin/usage"
WP_USAGE = "https://api.whitepages.com/v1/account/usage/"
WP_QUOTA = (
    'Whitepages says the request quota of this API key is used up ("Limit Exceeded" at '
    f"{WP_USAGE}); the key itself is valid: wait until the plan's quota renews, or raise the plan's "
    "limit with Whitepages, then sync again."
)
LEAF_LOGIN = "https://api.withleaf.io/api/authenticate"
LEAF_CONTRACTS = "https://api.withleaf.io/services/billingapplication/api/billing/contracts"
LEADFEEDER_RATE = "You've exceeded the maximum amount of allowed requests. Please try again later."
NGINX_502 = "<html><body><h1>502 Bad Gateway</h1></body></html>"
DOCUMENTED = {
    "leadfeeder-missing_token": Documented(
        _leadfeeder(403, {"code": "missing_token", "message": "You need to pass a header named `X-Api-Key`."}),
        _read_leadfeeder,
        f"Leadfeeder rejected the API key at {LF_ACCOUNTS} (missing_token: You need to pass a "
        f"header named `X-Api-Key`.); {LF_KEY_FIX}",
        CONFIG,
    ),
    "leadfeeder-invalid_api_key": Documented(
        _leadfeeder(403, {"code": "invalid_api_key", "message": "The provided API key is invalid."}),
        _read_leadfeeder,
        f"Leadfeeder rejected the API key at {LF_ACCOUNTS} (invalid_api_key: The provided API key "
        f"is invalid.); {LF_KEY_FIX}",
        CONFIG,
    ),
    "leadfeeder-access_denied": Documented(
        _leadfeeder(403, {"code": "access_denied", "message": "The provided API key is invalid."}),
        _read_leadfeeder,
        f"Leadfeeder rejected the API key at {LF_ACCOUNTS} (access_denied: The provided API key "
        f"is invalid.); {LF_KEY_FIX}",
        CONFIG,
    ),
    "leadfeeder-forbidden-account": Documented(
        _again(
            lambda: leadfeeder.usage_request("222222", "2026-01", "2026-11"),
            HttpResponse('{"code": "forbidden", "message": "You have no access to this account."}', 403),
            _no_login,
            times=1,
        ),
        lambda: run_read(leadfeeder.listed("222222"), catalog("api_usage")),
        "Leadfeeder refused https://api.leadfeeder.com/v1/usage (403 forbidden: You have no access to this "
        "account.); check that leadfeeder.account_ids lists accounts this API key may read.",
        CONFIG,
    ),
    "leadfeeder-no-account": Documented(
        _leadfeeder(200, {"data": [], "meta": {"request_id": "r-1"}}),
        _read_leadfeeder,
        f"Leadfeeder lists no account for this API key at {LF_ACCOUNTS} among leadfeeder.account_ids (111111); "
        "check leadfeeder.account_ids and that the key's user may see those accounts.",
        CONFIG,
    ),
    "leadfeeder-not-found": Documented(
        _leadfeeder(404, {"code": "not_found", "message": "Account not found."}),
        _read_leadfeeder,
        f"Leadfeeder answered 404 Not Found at {LF_ACCOUNTS}; check leadfeeder.account_ids and leadfeeder.base_url.",
        CONFIG,
    ),
    "leadfeeder-too_many_requests": Documented(
        _again(
            lambda: leadfeeder.account_request("111111"),
            HttpResponse(json.dumps({"code": "too_many_requests", "message": LEADFEEDER_RATE}), 429),
            _no_login,
        ),
        _read_leadfeeder,
        f"Leadfeeder kept answering 429 Too Many Requests at {LF_ACCOUNTS} (too_many_requests: "
        f"{LEADFEEDER_RATE}): either the per-second limit (10 requests a second per API key, shared with every other "
        "client of that key) or the monthly quota of 100,000 requests is used up; lower max_requests_per_second, stop "
        "other clients of leadfeeder.api_key, or wait for the quota to reset at the start of the month.",
        TRANSIENT,
    ),
    "leadfeeder-invalid_parameter": Documented(
        _leadfeeder(400, {"code": "invalid_parameter", "message": "account_id must be a number."}),
        _read_leadfeeder,
        f"Leadfeeder refused the request of stream accounts at {LF_ACCOUNTS} (invalid_parameter: "
        "account_id must be a number.).",
        SYSTEM,
    ),
    "insideview-bad-client-credentials": Documented(
        _insideview_login,
        _read_insideview,
        f"InsideView rejected the client credentials at {IV_LOGIN} (401 401-002 "
        "Invalid client credentials.); check insideview.client_id and insideview.client_secret.",
        CONFIG,
    ),
    "insideview-400-701": _insideview_400("400-701", "Parameters period, start and end are required."),
    "insideview-400-702": _insideview_400("400-702", "period must be one of day, month or year."),
    "insideview-400-705": _insideview_400("400-705", "At most 92 days can be requested at once."),
    "insideview-400-706": _insideview_400("400-706", "start and end must match the format of period 'day'."),
    "insideview-403": Documented(
        _insideview_usage(
            {"errorType": "Forbidden", "status": 403, "errorNumber": "403-001", "message": "Access denied to this API."}
        ),
        _read_insideview,
        f"InsideView refused access to {IV_USAGE} (403 403-001: Access denied to this API.); check "
        "that insideview.client_id may call the usage API.",
        CONFIG,
    ),
    "insideview-403-bare": Documented(
        _insideview_usage({"status": 403}),
        _read_insideview,
        f"InsideView refused access to {IV_USAGE} (403); check that insideview.client_id may call the usage API.",
        CONFIG,
    ),
    "insideview-throttled": Documented(
        _again(
            insideview.credits_request,
            insideview.answer({"errorType": "Too Many Requests", "status": 429, "message": "Throttled"}, 429),
            _insideview_logged_in,
        ),
        _read_insideview,
        f"InsideView kept answering 429 Too Many Requests at {IV_USAGE} after waiting out its "
        "5-minute throttling window; InsideView throttles the whole account, so another client of it is using up the "
        "limit: sync again later, or ask InsideView about the account's limits.",
        TRANSIENT,
    ),
    "insideview-tokens-rejected": Documented(
        _again(
            insideview.credits_request,
            insideview.answer(json.loads(insideview.template("token_missing.json")), 401),
            _insideview_logged_in,
        ),
        _read_insideview,
        f"InsideView kept rejecting freshly issued access tokens at {IV_USAGE} (401); check that "
        "insideview.client_id may call the usage API.",
        CONFIG,
    ),
    "whitepages-forbidden": Documented(
        _whitepages(403, {"message": "Forbidden"}),
        _read_whitepages,
        f"Whitepages rejected the API key at {WP_USAGE} (Forbidden); check whitepages.api_key.",
        CONFIG,
    ),
    "whitepages-unauthorized": Documented(
        _whitepages(401, {"message": "Unauthorized"}),
        _read_whitepages,
        f"Whitepages rejected the API key at {WP_USAGE} (Unauthorized); check whitepages.api_key.",
        CONFIG,
    ),
    "whitepages-too-many-requests": Documented(
        _again(
            lambda: whitepages.window("2026-11-20", "2026-11-20"),
            HttpResponse(json.dumps({"message": "Too Many Requests"}), 429),
            _no_login,
        ),
        _read_whitepages,
        f"Whitepages kept answering 429 Too Many Requests at {WP_USAGE} (Too Many Requests); the "
        "plan's rate limit is lower than max_requests_per_second allows: lower max_requests_per_second.",
        TRANSIENT,
    ),
    "whitepages-limit-exceeded-429": Documented(
        _whitepages(429, {"message": "Limit Exceeded"}), _read_whitepages, WP_QUOTA, TRANSIENT
    ),
    "whitepages-limit-exceeded-403": Documented(
        _whitepages(403, {"message": "Limit Exceeded"}), _read_whitepages, WP_QUOTA, TRANSIENT
    ),
    "whitepages-bad-request": Documented(
        _whitepages(
            400,
            {
                "error": {
                    "code": 400,
                    "message": "Bad Request",
                    "long_message": "Invalid start_date.",
                    "meta": {"field": "start_date", "validation_error": "bad"},
                },
                "wp_trace_id": "9f",
            },
        ),
        _read_whitepages,
        f"Whitepages refused the request of stream daily_usage at {WP_USAGE} (Invalid start_date.) "
        "for 2026-11-20, a single day that cannot be split any further; check start_date, or ask the vendor which "
        "ranges it accepts.",
        SYSTEM,
    ),
    "whitepages-server-error": Documented(
        _again(lambda: whitepages.window("2026-11-20", "2026-11-20"), HttpResponse("upstream failed", 503), _no_login),
        _read_whitepages,
        f"Whitepages kept failing with a server error at {WP_USAGE}; retry the sync later.",
        TRANSIENT,
    ),
    "whitepages-not-json": Documented(
        _again(
            lambda: whitepages.window("2026-11-20", "2026-11-20"),
            HttpResponse(NGINX_502, 200, {"Content-Type": "text/html"}),
            _no_login,
        ),
        _read_whitepages,
        f"Whitepages kept answering {WP_USAGE} with a body that is not JSON; retry the sync later.",
        TRANSIENT,
    ),
    "leaf-bad-credentials": Documented(
        _leaf_login,
        _read_leaf,
        f"Leaf rejected the username or password at {LEAF_LOGIN} (401 Unauthorized Bad "
        "credentials); check leaf.username and leaf.password.",
        CONFIG,
    ),
    "leaf-tokens-rejected": Documented(
        _again(leaf.contracts_request, leaf.reply(leaf.template("unauthorized"), 401), _leaf_logged_in),
        _read_leaf,
        f"Leaf kept rejecting freshly issued tokens at {LEAF_CONTRACTS} (401); check that leaf.username "
        "may read billing data.",
        CONFIG,
    ),
    "leaf-403-problem": Documented(
        _leaf_contracts(_problem(403, "Access is denied")),
        _read_leaf,
        f"Leaf refused access to {LEAF_CONTRACTS} "
        "(403 Access is denied); check that leaf.username may read billing data.",
        CONFIG,
    ),
    "leaf-404-problem": Documented(
        _leaf_contracts(_problem(404, "Contract not found")),
        _read_leaf,
        f"Leaf answered 404 at {LEAF_CONTRACTS} "
        "(Contract not found); check leaf.base_url, or sync again if a contract or user was just removed.",
        SYSTEM,
    ),
    "leaf-400-problem": Documented(
        _leaf_contracts(_problem(400, "Invalid page size")),
        _read_leaf,
        f"Leaf refused the request of stream contracts at {LEAF_CONTRACTS} (Invalid page size).",
        SYSTEM,
    ),
    "leaf-400-older": Documented(
        _leaf_contracts({"status": 400, "detail": "size must be at most 100"}),
        _read_leaf,
        f"Leaf refused the request of stream contracts at {LEAF_CONTRACTS} (size must be at most 100).",
        SYSTEM,
    ),
    "leaf-429": Documented(
        _again(
            leaf.contracts_request,
            leaf.reply({"title": "Too Many Requests", "status": 429, "detail": "Rate limit exceeded."}, 429),
            _leaf_logged_in,
        ),
        _read_leaf,
        f"Leaf kept answering 429 Too Many Requests at {LEAF_CONTRACTS} (Too Many Requests: Rate limit "
        "exceeded.); lower max_requests_per_second or wait for the vendor's limit to reset.",
        TRANSIENT,
    ),
}


@pytest.mark.parametrize("case", list(DOCUMENTED.values()), ids=list(DOCUMENTED))
def test_each_error_is_one_sentence_in_the_vendors_words_naming_the_field_to_fix(
    http_mocker: HttpMocker, case: Documented
) -> None:
    case.answer(http_mocker)

    output = case.read()

    error = first_error(output)
    assert (error.message, error.failure_type) == (case.sentence, case.failure)
    assert {e.trace.error.message for e in output.errors if e.trace.error.stream_descriptor} == {case.sentence}


def _error_messages(node: Any) -> Iterator[str]:
    """Every `error_message` template of the manifest, wherever it is written."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "error_message":
                yield value
            else:
                yield from _error_messages(value)
    elif isinstance(node, list):
        for item in node:
            yield from _error_messages(item)


MANIFEST = yaml.safe_load((Path(source_usage.__file__).parent / "manifest.yaml").read_text())
TEMPLATES: List[str] = list(_error_messages(MANIFEST))


def _pattern(template: str) -> re.Pattern[str]:
    """The template's words, anything where it interpolates."""
    return re.compile(".*?".join(re.escape(words) for words in re.split(r"{{.*?}}", template)), re.DOTALL)


@pytest.mark.parametrize("template", TEMPLATES, ids=[f"{index}-{t[:40]}" for index, t in enumerate(TEMPLATES)])
def test_every_error_message_of_the_manifest_is_pinned_word_for_word_above(template: str) -> None:
    assert any(_pattern(template).match(case.sentence) for case in DOCUMENTED.values()), template


def test_the_manifest_has_every_error_message_it_had() -> None:
    """The walk above finds them: as many as the manifest writes `error_message:`."""
    written = (Path(source_usage.__file__).parent / "manifest.yaml").read_text().count("error_message:")
    assert len(TEMPLATES) == written == 19
