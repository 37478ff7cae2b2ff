"""The few pieces the manifest language cannot say; each class says why in its first line."""

import hashlib
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Dict, Generator, List, Mapping, MutableMapping, Optional, Union
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

import dpath
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.auth.declarative_authenticator import DeclarativeAuthenticator
from airbyte_cdk.sources.declarative.decoders.json_decoder import JsonDecoder
from airbyte_cdk.sources.declarative.requesters.paginators.strategies.page_increment import PageIncrement
from airbyte_cdk.sources.declarative.requesters.paginators.strategies.pagination_strategy import PaginationStrategy
from airbyte_cdk.sources.declarative.requesters.requester import Requester
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy
from airbyte_cdk.sources.types import Record, StreamSlice
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from isodate import parse_duration

from source_usage import cdk_seams  # noqa: F401 - the seams apply wherever a component is built


@dataclass
class _Session:
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: Optional[str] = None
    expires_at: datetime = datetime.min.replace(tzinfo=UTC)


# Every stream builds its own authenticator; one login per vendor and credentials serves them all.
_SESSIONS: Dict[str, _Session] = {}


@dataclass
class LoginTokenAuthenticator(DeclarativeAuthenticator):
    """SessionTokenAuthenticator neither reads the expiry from the login answer nor logs in again after a 401."""

    login_requester: Requester
    token_path: List[str]
    vendor: str = "the vendor"
    header: str = "Authorization"
    prefix: str = ""
    expiry_path: Optional[List[str]] = None
    expiry_format: Optional[str] = None
    fallback_lifetime: str = "PT1H"

    def __post_init__(self) -> None:
        login = self.login_requester
        identity = (self.vendor, login.get_url_base(), login.get_request_body_data(), login.get_request_body_json())
        # setdefault is atomic: streams built at once still share one session
        self._session = _SESSIONS.setdefault(hashlib.sha256(repr(identity).encode()).hexdigest(), _Session())

    @property
    def auth_header(self) -> str:
        return self.header

    @property
    def token(self) -> str:
        session = self._session
        with session.lock:
            if session.token is None or datetime.now(UTC) >= session.expires_at:
                self._login()
            return f"{self.prefix}{session.token}"

    def update_from_response(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        """A 401 means the vendor revoked or expired the token: drop it, so the retry logs in again."""
        if response.status_code != 401:  # every answer passes here: only a 401 needs the session's lock
            return
        session = self._session
        with session.lock:
            if request.headers.get(self.header) == f"{self.prefix}{session.token}":
                session.token = None

    def _login(self) -> None:
        response = self.login_requester.send_request()
        body = next(JsonDecoder(parameters={}).decode(response)) if response is not None else {}
        token = dpath.get(body, self.token_path, default=None) if isinstance(body, Mapping) else None
        if not token or not isinstance(token, str):
            raise AirbyteTracedException(
                message=f"{self.vendor} answered the login without a token; check the login URL in the config.",
                internal_message=f"no token at {'/'.join(self.token_path)}",
                failure_type=FailureType.config_error,
            )
        self._session.token, self._session.expires_at = token, self._expiry(body)

    def _expiry(self, body: Mapping[str, Any]) -> datetime:
        """A little before the stated expiry, but never so early that a short-lived token expires on arrival."""
        now = datetime.now(UTC)
        if self.expiry_path and self.expiry_format:
            try:
                stated = datetime.strptime(str(dpath.get(body, self.expiry_path)), self.expiry_format)
                left = stated.replace(tzinfo=UTC) - now
                return now + max(left - min(timedelta(minutes=5), left / 10), timedelta(seconds=30))
            except (KeyError, TypeError, ValueError):
                pass
        return now + parse_duration(self.fallback_lifetime)


class InsideViewDecoder(JsonDecoder):
    """No CDK decoder chooses JSON or XML by the answer's content: InsideView answers XML when a proxy drops Accept."""

    parameters: Mapping[str, Any]  # the factory passes a custom component only the fields its class annotates

    def decode(self, response: requests.Response) -> Generator[MutableMapping[str, Any], None, None]:
        text = response.text.lstrip()
        if not text.startswith("<"):
            yield from super().decode(response)
            return
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as error:
            raise AirbyteTracedException(
                message="InsideView sent an XML answer that could not be read; retry the sync.",
                internal_message=str(error),
                failure_type=FailureType.transient_error,
            ) from error
        document = {child.tag: _xml_value(child) for child in root if child.tag != "usage"}
        credits = root.find("creditsForAccount")
        document["creditsForAccount"] = [] if credits is None else [_xml_value(credits) if len(credits) else {}]
        document["usageForAccount"] = [_xml_value(usage) for usage in root.iter("usage")]
        yield document


def _xml_value(element: ElementTree.Element) -> Any:
    """The seed's XML as its JSON shape: `details` a list of its `usageDetail`, every value as text."""
    if element.tag == "details":
        return [_xml_value(detail) for detail in element]
    return {child.tag: _xml_value(child) for child in element} if len(element) else element.text


_READ = threading.local()  # records read so far of the list each thread is reading (its pages come in turn)


def _records_read(last_page_size: int, first_page: bool) -> int:
    """The records read of the list so far, this page's included."""
    _READ.count = last_page_size + (0 if first_page else getattr(_READ, "count", 0))
    return int(_READ.count)


def _whole_list(
    vendor: str, response: requests.Response, read: int, next_page: Optional[Any], total: Optional[int]
) -> Optional[Any]:
    """The next page, or None where the list ends; a list that ends short of the total it states fails the stream."""
    if next_page is None and total is not None and read < total:
        raise AirbyteTracedException(
            message=f"{vendor}'s list {urlsplit(response.url).path} ended after {read} of the {total} records it "
            "says it holds, with no further page offered; sync again, and if it persists, tell the vendor.",
            internal_message=f"{response.url}: {read} records read, {total} stated",
            failure_type=FailureType.transient_error,
        )
    return next_page


def _stated_total(response: requests.Response, body: Any) -> Optional[int]:
    """`X-Total-Count`, or Leadfeeder's `meta.total_records` (or its `meta.pagination.total_count`)."""
    header = (response.headers.get("X-Total-Count") or "").strip()
    if header.isdigit():
        return int(header)
    meta = body.get("meta") if isinstance(body, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    pagination = meta.get("pagination") if isinstance(meta.get("pagination"), Mapping) else {}
    total = meta.get("total_records", pagination.get("total_count"))
    return total if isinstance(total, int) and not isinstance(total, bool) else None


@dataclass
class LinkHeaderPages(PageIncrement):
    """PageIncrement ends at a short page, Leaf's lists where `Link` has no `next` or `X-Total-Count` is reached."""

    vendor: str = "Leaf"

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Optional[Record],
        last_page_token_value: Optional[Any],
        page_size_override: Optional[int] = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> Optional[Any]:
        current = self.start_from_page if last_page_token_value is None else int(last_page_token_value)
        read, total = _records_read(last_page_size, last_page_token_value is None), _stated_total(response, None)
        if response.headers.get("Link"):
            next_page = None
            if "next" in response.links:
                named = parse_qs(urlsplit(response.links["next"]["url"]).query).get("page", [""])[0]
                next_page = int(named) if named.isdigit() and int(named) > current else current + 1
        elif total is not None:  # without `Link`, the list ends where X-Total-Count is reached, or at an empty page
            next_page = None if last_page_size == 0 or read >= total else current + 1
        else:  # with neither, at a short page (a server ignoring `page` cannot loop)
            size = page_size_override or self.get_page_size() or 0
            next_page = None if last_page_size == 0 or last_page_size < size else current + 1
        return _whole_list(self.vendor, response, read, next_page, total)


@dataclass
class OfferedPages(PaginationStrategy):
    """CursorPagination follows one kind of link; Leadfeeder documents no paging, so whatever next page an answer
    offers is followed (`links.next`, else `meta.pagination`'s next `page[number]`)."""

    vendor: str = "Leadfeeder"

    @property
    def initial_token(self) -> Optional[Any]:
        return None

    def get_page_size(self) -> Optional[int]:
        return None

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Optional[Record],
        last_page_token_value: Optional[Any],
        page_size_override: Optional[int] = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> Optional[Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, Mapping) else {}
        next_page = (body.get("links") or {}).get("next") if isinstance(body.get("links"), Mapping) else None
        pagination = (body.get("meta") or {}).get("pagination") if isinstance(body.get("meta"), Mapping) else None
        if not next_page and isinstance(pagination, Mapping):
            number = pagination.get("next_page")
            current, pages = pagination.get("current_page"), pagination.get("total_pages")
            if not isinstance(number, int) and isinstance(current, int) and isinstance(pages, int) and current < pages:
                number = current + 1
            if isinstance(number, int) and not isinstance(number, bool):
                next_page = _with_query(response.request.url or response.url, {"page[number]": str(number)})
        read = _records_read(last_page_size, last_page_token_value is None)
        return _whole_list(self.vendor, response, read, next_page or None, _stated_total(response, body))


def _with_query(url: str, changes: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in changes]
    return urlunsplit(parts._replace(query=urlencode([*query, *changes.items()])))


@dataclass
class ThrottleWindowBackoff(BackoffStrategy):
    """No CDK strategy waits for one status alone; a throttled InsideView account stays locked a whole window."""

    window: str = "PT5M"

    def backoff_time(
        self, response_or_exception: Optional[Union[requests.Response, requests.RequestException]], attempt_count: int
    ) -> Optional[float]:
        throttled = isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 429
        return parse_duration(self.window).total_seconds() if throttled else None
