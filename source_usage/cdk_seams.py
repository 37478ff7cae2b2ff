"""The CDK behaviour we change where it offers no component or public API, written for airbyte-cdk 7.39.1:
unit_tests/test_cdk_seams.py checks the version and every CDK name used here, so an upgrade fails there, loudly."""

import functools
import json
import logging
import threading
from datetime import datetime
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, MutableMapping, Optional, Tuple

import requests
import requests_cache
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative import concurrent_declarative_source as declarative
from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource
from airbyte_cdk.sources.declarative.datetime.datetime_parser import DatetimeParser
from airbyte_cdk.sources.declarative.parsers import model_to_component_factory
from airbyte_cdk.sources.declarative.requesters import http_requester
from airbyte_cdk.sources.declarative.requesters.error_handlers.http_response_filter import HttpResponseFilter
from airbyte_cdk.sources.declarative.retrievers.simple_retriever import SimpleRetriever
from airbyte_cdk.sources.streams.call_rate import CachedLimiterSession
from airbyte_cdk.sources.streams.concurrent.state_converters.datetime_stream_state_converter import (
    CustomFormatConcurrentStreamStateConverter,
)
from airbyte_cdk.sources.streams.http import HttpClient
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.types import Record, StreamSlice
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage.windows import StreamSteps, Window, forget_steps, steps_of

CDK_VERSION = "7.39.1"
_LOGGER = logging.getLogger("airbyte")
_DATETIME_PARSER = DatetimeParser()


class WindowEndStateConverter(CustomFormatConcurrentStreamStateConverter):
    """The CDK's state is the newest record of the completed windows, ours their end: an empty window moves it too."""

    def _get_latest_complete_time(self, slices: List[MutableMapping[str, Any]]) -> Any:
        if not slices:
            raise RuntimeError("a date cursor's state holds at least one window")
        return self.merge_intervals(slices)[0][self.END_KEY]

    def parse_timestamp(self, timestamp: str) -> datetime:
        """Cached: the cursor parses every record's date (twice under a partition router), and answers repeat a few."""
        return _parse_timestamp(timestamp, tuple(self._input_datetime_formats))

    def output_format(self, timestamp: datetime) -> str:
        return _format_timestamp(timestamp, self._datetime_format)


@lru_cache(maxsize=8192)
def _parse_timestamp(timestamp: str, formats: Tuple[str, ...]) -> datetime:
    for datetime_format in formats:
        try:
            return _DATETIME_PARSER.parse(timestamp, datetime_format)
        except ValueError:
            pass
    raise ValueError(f"No format in {list(formats)} matching {timestamp}")


_format_timestamp = lru_cache(maxsize=8192)(_DATETIME_PARSER.format)

# The parents' answers of one sync (Leadfeeder's accounts, Leaf's contracts and users), shared by every stream that
# reads them; in memory, emptied when a check or read starts (SourceUsage). One lock per parent page.
PARENT_ANSWERS = requests_cache.BaseCache(cache_name="parents")
_PARENT_LOCKS: Dict[str, threading.Lock] = {}


class _ParentSession(CachedLimiterSession):
    """Streams ask for the same parent page at once: the first asks, the others wait and take its answer from cache."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Any:  # type: ignore[override]
        with _PARENT_LOCKS.setdefault(f"{request.method} {request.url}", threading.Lock()):  # setdefault is atomic
            return super().send(request, **kwargs)


class ParentCacheHttpClient(HttpClient):
    """The CDK's HTTP cache keeps a 200 whose body cannot be read and replays it on every retry; this one does not."""

    def _request_session(self) -> requests.Session:
        if not self._use_cache:
            return super()._request_session()
        return _ParentSession(
            cache_name="parents",
            backend=PARENT_ANSWERS,
            api_budget=self._api_budget,
            match_headers=True,
            filter_fn=_readable,
            autoclose=False,
        )


def _readable(response: requests.Response) -> bool:
    """A JSON list, or a JSON object that is not empty: what the error handler reads as an answer."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, (list, dict)) and body != {}


def forget_parent_answers() -> None:
    """A new check or sync reads the parents afresh, and learns each vendor's longest range afresh."""
    PARENT_ANSWERS.clear()
    _PARENT_LOCKS.clear()
    forget_steps()


def validate_each_manifest_once() -> None:
    """From now on, in this process and the ones it forks, the CDK reads its component schema once and validates
    each distinct manifest once; it does both for every source built (~0.15 s of CPU each). For processes that build
    many sources from one manifest (the tests and the process their connector runs fork from), never the connector.
    """
    if getattr(declarative.validate_manifest, "validates_once", False):
        return
    validate, valid = declarative.validate_manifest, set()

    def validate_once(manifest: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
        text = json.dumps(manifest, sort_keys=True, default=str)
        if text not in valid:
            validate(manifest, schema)  # raises for an invalid one, which is never remembered
            valid.add(text)

    validate_once.validates_once = True  # type: ignore[attr-defined]
    declarative.get_declarative_component_schema = functools.cache(declarative.get_declarative_component_schema)
    declarative.validate_manifest = validate_once


# The CDK lets 10,000 records wait for the writer and 10,000 partitions for a worker (Leaf's 3,000 contract x user
# pairs are made long before they can be read), with no setting: lower bounds keep the memory flat (RSS growth).
RECORD_QUEUE_SIZE = 1_000
PENDING_PARTITIONS = 200


def bound_queues(source: ConcurrentDeclarativeSource) -> None:
    source._concurrent_source._queue.maxsize = RECORD_QUEUE_SIZE
    source._concurrent_source._threadpool._max_concurrent_tasks = PENDING_PARTITIONS


class _Refused(Exception):
    """A 400 the vendor's error handler let through (its `refused` filter ignores it) for the retriever to judge."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class WindowSplittingRetriever(SimpleRetriever):
    """SimpleRetriever splits a refused window only under a positive cursor_granularity, in fixed-length units,
    and forgets the step it found: our windows are half-open days, months and years (windows.py)."""

    def read_records(
        self, records_schema: Mapping[str, Any], stream_slice: Optional[StreamSlice] = None
    ) -> Iterable[Any]:
        bounds = stream_slice.cursor_slice if stream_slice is not None else {}
        window = Window.parse(bounds.get("start_time"), bounds.get("end_time"))
        if stream_slice is None or window is None:
            try:
                yield from super().read_records(records_schema, stream_slice)
            except _Refused as refused:
                raise self._failure(refused, None) from None
            return
        yield from self._read_span(records_schema, stream_slice, window, steps_of(self.name))

    def _read_span(
        self, records_schema: Mapping[str, Any], original: StreamSlice, span: Window, steps: StreamSteps
    ) -> Iterable[Any]:
        """Read `span` in windows of the stream's step, which a refusal may shorten as they are read."""
        remaining: Optional[Window] = span
        while remaining is not None:
            refused: Optional[_Refused] = None
            emitted = 0
            with steps.turn(remaining) as window:
                bounds = {"start_time": window.start_text, "end_time": window.end_text}
                whole = bounds == {name: original.cursor_slice.get(name) for name in bounds}
                piece = (
                    original
                    if whole
                    else StreamSlice(
                        partition=original.partition, cursor_slice=bounds, extra_fields=original.extra_fields
                    )
                )
                try:
                    for record in super().read_records(records_schema, piece):
                        emitted += 1
                        # the cursor closes the partition it made: a piece's records say they came from it
                        if not whole and isinstance(record, Record):
                            record = Record(record.data, record.stream_name, original)
                        yield record
                    steps.answer(window)
                except _Refused as error:
                    refused = error
                    if not emitted and window.units > 1:  # before its turn ends: the next window asks in the new step
                        steps.refuse(window)
            if refused is not None:
                if emitted or window.units == 1:
                    raise self._failure(refused, window) from None
                _LOGGER.info(
                    f"Stream {self.name}: {window.units} {window.unit}s at once ({window.describe()}) were"
                    f" refused; asking for at most {steps.step} at a time from now on."
                )
                continue  # the same remaining span, in the shorter step
            remaining = remaining.rest(window)

    def _fetch_next_page(self, *args: Any, **kwargs: Any) -> Optional[requests.Response]:
        response = super()._fetch_next_page(*args, **kwargs)
        if response is not None and response.status_code == 400:
            raise _Refused(response)
        return response

    def _failure(self, refused: _Refused, window: Optional[Window]) -> AirbyteTracedException:
        """The sentence of the vendor's `refused` filter, told which window could not be split any further."""
        response = refused.response
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = self._refused_filter().error_message.eval(  # type: ignore[union-attr]
            self.config,
            response=body if isinstance(body, dict) else {},
            headers=response.headers,
            request_url=HttpResponseFilter._request_url(response),
        )  # as the filter itself writes it
        if window is not None and window.units == 1:
            message += (
                f" for {window.describe()}, a single {window.unit} that cannot be split any further; check"
                " start_date, or ask the vendor which ranges it accepts"
            )
        elif window is not None:
            message += f" for {window.describe()}, after records of that range had been read"
        return AirbyteTracedException(
            message=f"{message}.",
            internal_message=f"400 from {response.url}: {response.text[:500]}",
            failure_type=FailureType.system_error,
        )

    def _refused_filter(self) -> Any:
        """The error handler's filter that let the 400 through: the manifest's `refused`."""
        handler = getattr(self.requester, "error_handler", None)
        return next(
            rule
            for rule in getattr(handler, "response_filters", None) or []
            if 400 in rule.http_codes and rule.action == ResponseAction.IGNORE
        )


class DeclaredFailureFilter(HttpResponseFilter):
    """A filter's declared failure_type for every action: the CDK keeps it for FAIL alone and otherwise takes the
    status code's default, so a 200 whose body is not JSON, retried to the end, failed as a system_error."""

    def matches(self, response_or_exception: Any) -> Optional[ErrorResolution]:
        resolution = super().matches(response_or_exception)
        if resolution is None or not self.failure_type or resolution.failure_type == self.failure_type:
            return resolution
        return ErrorResolution(
            response_action=resolution.response_action,
            failure_type=self.failure_type,
            error_message=resolution.error_message,
        )


# The factory builds the state converter of every date cursor, every response filter, HttpRequester its HttpClient,
# and every stream its SimpleRetriever, by their modules' names, with no option to choose another.
model_to_component_factory.CustomFormatConcurrentStreamStateConverter = WindowEndStateConverter  # type: ignore[misc]
model_to_component_factory.HttpResponseFilter = DeclaredFailureFilter  # type: ignore[misc]
http_requester.HttpClient = ParentCacheHttpClient  # type: ignore[misc]
model_to_component_factory.SimpleRetriever = WindowSplittingRetriever  # type: ignore[misc]
