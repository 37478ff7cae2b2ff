"""The layered manifest: what each stream receives from the shared pieces through `$ref` and `$parameters`.

The components are built by the CDK's own factory from SourceUsage's resolved manifest (references resolved,
`$parameters` propagated), so these tests see what a sync runs with: every stream's schema found from its name,
each vendor named in the shared error sentences, the one login error handler worded for each vendor, and every
window's end derived from the one "end_date, or else today".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Mapping, Optional

import pytest
import requests
import requests_mock
import time_machine
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.models.declarative_component_schema import (
    DefaultErrorHandler,
    JsonFileSchemaLoader,
    MinMaxDatetime,
)
from airbyte_cdk.sources.declarative.parsers.model_to_component_factory import ModelToComponentFactory

from source_usage.source import SourceUsage

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
END_DATE = "2026-12-31"
CONFIG: dict[str, Any] = {
    "start_date": "2026-01-01",
    "end_date": END_DATE,
    "leadfeeder": {"api_key": "lf-manifest-test-key", "account_ids": []},
    "insideview": {"client_id": "iv-manifest-client", "client_secret": "iv-manifest-secret", "period": "day"},
    "whitepages": {"api_key": "wp-manifest-test-key"},
    "leaf": {"username": "leaf-manifest-user", "password": "leaf-manifest-password"},
}


def _resolved() -> Mapping[str, Any]:
    return SourceUsage(config=CONFIG).resolved_manifest


RESOLVED = _resolved()
# Every stream the manifest can give, under each condition that gives it (accounts twice, api_transactions thrice).
STREAMS: dict[str, Mapping[str, Any]] = {
    f"{stream['name']}#{index}": stream
    for index, group in enumerate(RESOLVED["streams"])
    for stream in group["streams"]
}
VENDOR_TITLES = {
    key: block["title"].split()[0]
    for key, block in RESOLVED["spec"]["connection_specification"]["properties"].items()
    if block.get("group") == "vendors"
}


def _vendor_of(requester: Mapping[str, Any]) -> str:
    """The vendor whose config block the requester's URL reads, as the spec titles it (its first word)."""
    [key] = [key for key in VENDOR_TITLES if f"config.{key}." in requester["url_base"]]
    return VENDOR_TITLES[key]


def _answer(status: int, body: str, content_type: str = "application/json") -> requests.Response:
    url = "https://vendor.example/some/path"
    with requests_mock.Mocker() as mocker:
        mocker.get(url, status_code=status, text=body, headers={"Content-Type": content_type})
        return requests.get(f"{url}?secret=not-in-messages", timeout=5)


def _message(error_handler: Mapping[str, Any], answer: requests.Response) -> Optional[str]:
    handler = ModelToComponentFactory().create_component(DefaultErrorHandler, dict(error_handler), CONFIG)
    return handler.interpret_response(answer).error_message


def _evaluate(template: str, component: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """A template as the component holding it evaluates it: with the config and the component's parameters."""
    return str(InterpolatedString.create(template, parameters=component.get("$parameters", {})).eval(config))


def _without_end_date() -> dict[str, Any]:
    return {key: value for key, value in CONFIG.items() if key != "end_date"}


def test_the_manifest_gives_the_ten_streams_of_design_md_under_their_conditions() -> None:
    names = sorted({stream["name"] for stream in STREAMS.values()})
    assert names == sorted(path.stem for path in SCHEMAS.glob("*.json"))
    assert len(names) == 10 and len(STREAMS) == 14


@pytest.mark.parametrize("key", sorted(STREAMS))
def test_each_stream_reads_the_schema_named_after_it(key: str) -> None:
    stream = STREAMS[key]
    loader = ModelToComponentFactory().create_component(JsonFileSchemaLoader, dict(stream["schema_loader"]), CONFIG)

    assert loader.get_json_schema() == json.loads((SCHEMAS / f"{stream['name']}.json").read_text())


@pytest.mark.parametrize("key", sorted(STREAMS))
def test_each_stream_names_its_vendor_in_the_shared_retry_sentences(key: str) -> None:
    requester = STREAMS[key]["retriever"]["requester"]
    vendor, handler = _vendor_of(requester), requester["error_handler"]
    url = "https://vendor.example/some/path"

    assert _message(handler, _answer(429, "{}")).startswith(f"{vendor} kept answering 429 Too Many Requests")
    assert _message(handler, _answer(502, "Bad Gateway", "text/html")) == (
        f"{vendor} kept failing with a server error at {url}; retry the sync later."
    )
    assert _message(handler, _answer(200, "<html>maintenance</html>", "text/html")) == (
        f"{vendor} kept answering {url} with a body that is not JSON; retry the sync later."
    )


LOGINS = {
    "InsideView": "check insideview.client_id and insideview.client_secret.",
    "Leaf": "check leaf.username and leaf.password.",
}
REJECTED = {"InsideView": "the client credentials", "Leaf": "the username or password"}


@pytest.mark.parametrize(
    "key",
    sorted(
        key for key, stream in STREAMS.items() if "login_requester" in stream["retriever"]["requester"]["authenticator"]
    ),
)
def test_each_login_names_its_vendor_and_the_fields_to_fix(key: str) -> None:
    requester = STREAMS[key]["retriever"]["requester"]
    vendor, login = _vendor_of(requester), requester["authenticator"]["login_requester"]
    url = "https://vendor.example/some/path"

    for status in (400, 401, 403):
        assert _message(login["error_handler"], _answer(status, json.dumps({"status": status}))) == (
            f"{vendor} rejected {REJECTED[vendor]} at {url} ({status}); {LOGINS[vendor]}"
        )
    assert _message(login["error_handler"], _answer(503, "")) == (
        f"{vendor} kept failing with a server error at {url}; retry the sync later."
    )
    assert _message(login["error_handler"], _answer(429, "{}")).startswith(f"{vendor} kept answering 429 Too Many")
    assert requester["authenticator"]["vendor"] == vendor


# The exclusive end of the last window: one unit after the last day to read, in the cursor's format.
UNITS = {
    "%Y-%m-%d": (lambda day: day + timedelta(days=1)),
    "%Y-%m": (lambda day: day.replace(day=1) + timedelta(days=32)),
    "%Y": (lambda day: day.replace(year=day.year + 1, month=1, day=1)),
}


NOW = datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)  # the connector's clock where a test reads today: a leap day's end


def _today() -> datetime:
    return NOW


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("end_date", [END_DATE, "2024-02-29", None])
@pytest.mark.parametrize("key", sorted(key for key, stream in STREAMS.items() if "incremental_sync" in stream))
def test_every_window_ends_one_unit_after_end_date_or_today(key: str, end_date: Optional[str]) -> None:
    end = STREAMS[key]["incremental_sync"]["end_datetime"]
    config = {**CONFIG, "end_date": end_date} if end_date else _without_end_date()
    last_day = datetime.strptime(end_date, "%Y-%m-%d") if end_date else _today()

    component = ModelToComponentFactory().create_component(MinMaxDatetime, dict(end), config)
    evaluated = component.get_datetime(config).strftime(end["datetime_format"])

    assert evaluated == UNITS[end["datetime_format"]](last_day).strftime(end["datetime_format"])


@time_machine.travel(NOW, tick=False)
def test_credits_asks_for_the_last_day_itself() -> None:
    [requester] = [stream["retriever"]["requester"] for stream in STREAMS.values() if stream["name"] == "credits"]
    start, end = requester["request_parameters"]["start"], requester["request_parameters"]["end"]

    for config, day in ((CONFIG, END_DATE), (_without_end_date(), _today().strftime("%Y-%m-%d"))):
        assert _evaluate(start, requester, config) == _evaluate(end, requester, config) == day
