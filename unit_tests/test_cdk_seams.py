"""source_usage/cdk_seams.py: what each seam does, and that the CDK code it relies on is still the one it was
written for (an upgrade that moves any of it fails here, not silently in a sync)."""

from __future__ import annotations

import inspect
import logging
from datetime import UTC, datetime
from importlib.metadata import version
from queue import Queue
from typing import Any, Dict, List, Optional

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.concurrent_source.thread_pool_manager import ThreadPoolManager
from airbyte_cdk.sources.declarative import concurrent_declarative_source as declarative
from airbyte_cdk.sources.declarative.models.declarative_component_schema import (
    HttpResponseFilter as HttpResponseFilterModel,
)
from airbyte_cdk.sources.declarative.parsers import model_to_component_factory
from airbyte_cdk.sources.declarative.requesters import http_requester
from airbyte_cdk.sources.declarative.requesters.error_handlers.http_response_filter import HttpResponseFilter
from airbyte_cdk.sources.declarative.requesters.http_requester import HttpRequester
from airbyte_cdk.sources.declarative.retrievers.simple_retriever import SimpleRetriever
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.concurrent.state_converters.abstract_stream_state_converter import (
    AbstractStreamStateConverter,
)
from airbyte_cdk.sources.streams.concurrent.state_converters.datetime_stream_state_converter import (
    CustomFormatConcurrentStreamStateConverter,
)
from airbyte_cdk.sources.streams.http import HttpClient
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction
from airbyte_cdk.sources.types import Record, StreamSlice
from connector import config
from jsonschema import ValidationError

from source_usage.cdk_seams import (
    CDK_VERSION,
    PENDING_PARTITIONS,
    RECORD_QUEUE_SIZE,
    DeclaredFailureFilter,
    ParentCacheHttpClient,
    WindowEndStateConverter,
    WindowSplittingRetriever,
    validate_each_manifest_once,
)
from source_usage.source import SourceUsage


def test_the_seams_were_written_for_the_installed_cdk() -> None:
    assert version("airbyte-cdk") == CDK_VERSION, "review every seam in source_usage/cdk_seams.py for this CDK"


def test_the_factory_still_builds_the_state_converter_by_its_module_name() -> None:
    factory = inspect.getsource(model_to_component_factory.ModelToComponentFactory)
    parameters = list(inspect.signature(CustomFormatConcurrentStreamStateConverter.__init__).parameters)
    overridden = inspect.signature(AbstractStreamStateConverter._get_latest_complete_time)
    theirs = CustomFormatConcurrentStreamStateConverter("%Y-%m-%d", ["%Y"])

    assert factory.count("connector_state_converter = CustomFormatConcurrentStreamStateConverter(") == 2
    assert model_to_component_factory.CustomFormatConcurrentStreamStateConverter is WindowEndStateConverter
    assert parameters == [
        "self",
        "datetime_format",
        "input_datetime_formats",
        "is_sequential_state",
        "cursor_granularity",
    ]
    assert list(overridden.parameters) == ["self", "slices"]
    for cached in ("parse_timestamp", "output_format"):  # the parse and format caches override these
        assert list(inspect.signature(getattr(CustomFormatConcurrentStreamStateConverter, cached)).parameters) == [
            "self",
            "timestamp",
        ]
    assert (theirs._datetime_format, theirs._input_datetime_formats) == ("%Y-%m-%d", ["%Y", "%Y-%m-%d"])
    assert (theirs.END_KEY, callable(theirs.merge_intervals)) == ("end", True)


def test_the_requester_still_builds_its_http_client_by_its_module_name() -> None:
    budget = APIBudget(policies=[])
    client = HttpClient(name="probe", logger=logging.getLogger("probe"), use_cache=True, api_budget=budget)

    assert "self._http_client = HttpClient(" in inspect.getsource(HttpRequester.__post_init__)
    assert http_requester.HttpClient is ParentCacheHttpClient
    assert list(inspect.signature(HttpClient._request_session).parameters) == ["self"]
    assert (client._use_cache, client._api_budget) == (True, budget)


def test_the_factory_still_builds_every_retriever_by_its_module_name_and_lets_an_ignored_400_through() -> None:
    factory = model_to_component_factory.ModelToComponentFactory
    reads_pages = inspect.getsource(SimpleRetriever._read_pages)
    ignoring = inspect.getsource(HttpClient._handle_error_resolution)
    record = Record({"date": "2026-11-20"}, "daily_usage", StreamSlice(partition={}, cursor_slice={}))

    assert "return SimpleRetriever(" in inspect.getsource(factory.create_simple_retriever)
    assert model_to_component_factory.SimpleRetriever is WindowSplittingRetriever
    assert "response = self._fetch_next_page(" in reads_pages
    assert list(inspect.signature(SimpleRetriever._fetch_next_page).parameters) == [
        "self",
        "stream_slice",
        "next_page_token",
        "page_size_override",
    ]
    assert list(inspect.signature(SimpleRetriever.read_records).parameters) == [
        "self",
        "records_schema",
        "stream_slice",
    ]
    # IGNORE only logs: the response goes back to the retriever, which splits the window or fails
    assert "elif error_resolution.response_action == ResponseAction.IGNORE:" in ignoring
    assert (record.stream_name, record.associated_slice.partition) == ("daily_usage", {})
    assert {"http_codes", "action", "error_message"} <= set(HttpResponseFilter.__dataclass_fields__)
    # the refused sentence writes the URL as the filters do: no query, no credentials
    assert list(inspect.signature(HttpResponseFilter._request_url).parameters) == ["response"]


def _answer(status: int, body: str, content_type: str) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, body.encode()
    response.headers["Content-Type"] = content_type
    response.url = "https://api.example.com/v1/usage?key=secret"
    return response


def test_the_factory_still_builds_every_response_filter_by_its_module_name_and_keeps_its_failure_type() -> None:
    factory = model_to_component_factory.ModelToComponentFactory
    unreadable = {
        "type": "HttpResponseFilter",
        "predicate": "{{ response == {} }}",
        "action": "RETRY",
        "failure_type": "transient_error",
        "error_message": "not JSON at {{ request_url }}",
    }
    built = factory().create_component(HttpResponseFilterModel, unreadable, config={})

    assert "return HttpResponseFilter(" in inspect.getsource(factory.create_http_response_filter)
    assert model_to_component_factory.HttpResponseFilter is DeclaredFailureFilter
    # the CDK keeps a declared failure_type for FAIL alone; a 200 has no default, so it would be a system_error
    assert "if self.failure_type and filter_action == ResponseAction.FAIL:" in inspect.getsource(
        HttpResponseFilter.matches
    )
    assert isinstance(built, DeclaredFailureFilter)
    resolution = built.matches(_answer(200, "<html>502</html>", "text/html"))
    assert (resolution.response_action, resolution.failure_type, resolution.error_message) == (
        ResponseAction.RETRY,
        FailureType.transient_error,
        "not JSON at https://api.example.com/v1/usage",
    )
    assert built.matches(_answer(200, "{}", "application/json")).failure_type == FailureType.transient_error
    assert built.matches(_answer(200, '{"data": []}', "application/json")) is None


def test_every_stream_reads_through_the_window_splitting_retriever() -> None:
    every_vendor = config(leadfeeder=True, insideview=True, whitepages=True, leaf=True)
    streams = SourceUsage(config=every_vendor).streams(every_vendor)

    assert len(streams) == 10
    for stream in streams:
        retriever = stream._stream_partition_generator._partition_factory._retriever
        assert isinstance(retriever, WindowSplittingRetriever), stream.name
        refused = retriever._refused_filter()
        assert refused.action == ResponseAction.IGNORE and 400 in refused.http_codes


def test_the_record_queue_is_the_one_every_message_goes_through() -> None:
    source = SourceUsage()

    assert isinstance(source._concurrent_source._queue, Queue)
    assert source._concurrent_source._queue is source._message_repository._queue
    assert isinstance(source._concurrent_source._threadpool, ThreadPoolManager)
    assert "len(self._futures) >= self._max_concurrent_tasks" in inspect.getsource(ThreadPoolManager)


def day(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


def converter() -> WindowEndStateConverter:
    """As the factory builds it for the manifest's date cursors: day format, zero granularity (so none)."""
    return WindowEndStateConverter(datetime_format="%Y-%m-%d", input_datetime_formats=["%Y-%m-%d"])


def window(start: str, end: str, newest_record: Optional[str] = None) -> Dict[str, Any]:
    """A completed window [start, end), its end exclusive as in the manifest."""
    interval: Dict[str, Any] = {"start": day(start), "end": day(end)}
    if newest_record:
        interval["most_recent_cursor_value"] = day(newest_record)
    return interval


def test_window_end_state_is_the_end_of_the_first_merged_interval() -> None:
    contiguous = [window("2026-09-01", "2026-11-21"), window("2026-06-01", "2026-09-01")]
    with_gap = [window("2026-06-01", "2026-09-01"), window("2026-09-05", "2026-11-21")]

    assert converter()._get_latest_complete_time(contiguous) == day("2026-11-21")
    assert converter()._get_latest_complete_time(with_gap) == day("2026-09-01")


def test_window_end_state_ignores_the_newest_record_and_moves_on_empty_windows() -> None:
    windows = [
        window("2026-06-01", "2026-09-01", newest_record="2026-06-03"),
        window("2026-09-01", "2026-11-21"),
    ]

    assert converter()._get_latest_complete_time(windows) == day("2026-11-21")


def test_window_end_state_is_written_in_the_cursor_format() -> None:
    class Field:
        cursor_field_key = "date"

    state = {
        "state_type": "date-range",
        "slices": [window("2026-06-01", "2026-11-21", newest_record="2026-07-01")],
    }

    assert converter().convert_to_state_message(Field(), state) == {"date": "2026-11-21"}  # type: ignore[arg-type]


def test_window_end_state_without_windows_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        converter()._get_latest_complete_time([])


def test_window_end_state_converter_replaces_the_cdk_one_in_the_factory() -> None:
    assert model_to_component_factory.CustomFormatConcurrentStreamStateConverter is WindowEndStateConverter


@pytest.mark.parametrize(
    ("formats", "value"),
    [(["%Y-%m-%d"], "2026-11-20"), (["%Y-%m"], "2026-02"), (["%Y"], "2026"), (["%Y-%m-%d"], "2026-1-5")],
)
def test_window_state_converter_parses_and_formats_as_the_cdk_does(formats: List[str], value: str) -> None:
    ours = WindowEndStateConverter(formats[0], list(formats))
    theirs = CustomFormatConcurrentStreamStateConverter(formats[0], list(formats))

    assert ours.parse_timestamp(value) == ours.parse_timestamp(value) == theirs.parse_timestamp(value)
    assert ours.output_format(theirs.parse_timestamp(value)) == theirs.output_format(theirs.parse_timestamp(value))


def test_window_state_converter_refuses_a_date_in_another_format_every_time() -> None:
    converter = WindowEndStateConverter("%Y-%m-%d", ["%Y-%m-%d"])
    for _ in range(2):
        with pytest.raises(ValueError, match="No format"):
            converter.parse_timestamp("20/11/2026")


def test_records_and_partitions_wait_in_bounded_queues() -> None:
    """The CDK lets 10,000 records and 10,000 partitions wait; ours are bounded lower so peak memory stays flat.

    The attributes are the CDK's own: this fails when an upgrade renames them and the bounds stop applying.
    """
    source = SourceUsage()

    assert (RECORD_QUEUE_SIZE, PENDING_PARTITIONS) == (1_000, 200)
    assert source._concurrent_source._queue.maxsize == RECORD_QUEUE_SIZE
    assert source._concurrent_source._threadpool._max_concurrent_tasks == PENDING_PARTITIONS


def test_after_validate_each_manifest_once_a_manifest_is_validated_once_and_an_invalid_one_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tests' conftest has called it (and the forkserver of the integration tests' connector runs does); the
    CDK's own validation runs, once per distinct manifest, and still refuses an invalid one on every build."""
    validate_each_manifest_once()  # a second call changes nothing
    checked: List[Any] = []
    validator_for = declarative.validator_for
    monkeypatch.setattr(declarative, "validator_for", lambda schema: checked.append(schema) or validator_for(schema))
    manifest = {**SourceUsage().resolved_manifest, "description": "a manifest no other test builds"}
    schema = declarative.get_declarative_component_schema()

    for _ in range(3):
        declarative.validate_manifest(manifest, schema)
    assert len(checked) == 1 and declarative.get_declarative_component_schema() is schema
    for _ in range(2):
        with pytest.raises(ValidationError):
            declarative.validate_manifest({**manifest, "streams": "not a list"}, schema)
    assert len(checked) == 3
