"""The CDK behaviour we change where it offers no component or public API, written for airbyte-cdk 7.39.1:
unit_tests/test_cdk_seams.py checks the version and every CDK name used here, so an upgrade fails there, loudly."""

import threading
from datetime import datetime
from functools import lru_cache
from typing import Any, Dict, List, MutableMapping, Tuple

import requests
import requests_cache
from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource
from airbyte_cdk.sources.declarative.datetime.datetime_parser import DatetimeParser
from airbyte_cdk.sources.declarative.parsers import model_to_component_factory
from airbyte_cdk.sources.declarative.requesters import http_requester
from airbyte_cdk.sources.streams.call_rate import CachedLimiterSession
from airbyte_cdk.sources.streams.concurrent.state_converters.datetime_stream_state_converter import (
    CustomFormatConcurrentStreamStateConverter,
)
from airbyte_cdk.sources.streams.http import HttpClient

CDK_VERSION = "7.39.1"
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
        return _ParentSession(cache_name="parents", backend=PARENT_ANSWERS, api_budget=self._api_budget,
                              match_headers=True, filter_fn=_readable, autoclose=False)

def _readable(response: requests.Response) -> bool:
    """A JSON list, or a JSON object that is not empty: what the error handler reads as an answer."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, (list, dict)) and body != {}

def forget_parent_answers() -> None:
    """A new check or sync reads the parents afresh."""
    PARENT_ANSWERS.clear()
    _PARENT_LOCKS.clear()

# The CDK lets 10,000 records wait for the writer and 10,000 partitions for a worker (Leaf's 3,000 contract x user
# pairs are made long before they can be read), with no setting: lower bounds keep the memory flat (RSS growth).
RECORD_QUEUE_SIZE = 1_000
PENDING_PARTITIONS = 200

def bound_queues(source: ConcurrentDeclarativeSource) -> None:
    source._concurrent_source._queue.maxsize = RECORD_QUEUE_SIZE
    source._concurrent_source._threadpool._max_concurrent_tasks = PENDING_PARTITIONS

# The factory builds the state converter of every date cursor, and HttpRequester its HttpClient, by their modules'
# names, with no option to choose another.
model_to_component_factory.CustomFormatConcurrentStreamStateConverter = WindowEndStateConverter  # type: ignore[misc]
http_requester.HttpClient = ParentCacheHttpClient  # type: ignore[misc]
