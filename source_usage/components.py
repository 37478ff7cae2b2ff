"""The few pieces the manifest language cannot say; each class says why in its first line."""

import hashlib
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import InitVar, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Dict, Generator, Iterable, List, Mapping, MutableMapping, Optional, Union
from urllib.parse import parse_qs, urljoin, urlsplit

import dpath
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.auth.declarative_authenticator import DeclarativeAuthenticator
from airbyte_cdk.sources.declarative.decoders.decoder import Decoder
from airbyte_cdk.sources.declarative.decoders.json_decoder import JsonDecoder
from airbyte_cdk.sources.declarative.extractors.dpath_extractor import DpathExtractor
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.requesters.paginators.strategies.page_increment import PageIncrement
from airbyte_cdk.sources.declarative.requesters.requester import Requester
from airbyte_cdk.sources.declarative.transformations import RecordTransformation
from airbyte_cdk.sources.declarative.transformations.keys_to_snake_transformation import (
    KeysToSnakeCaseTransformation,
)
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy
from airbyte_cdk.sources.types import Config, Record, StreamSlice
from airbyte_cdk.sources.utils.transform import TransformConfig, TypeTransformer
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from isodate import parse_duration

from source_usage import cdk_seams  # noqa: F401 - the seams apply wherever a component is built
from source_usage.record_rules import RecordRules

_EXPIRY_MARGIN = timedelta(minutes=5)


@dataclass
class _Session:
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: Optional[str] = None
    expires_at: datetime = datetime.min.replace(tzinfo=UTC)

    def valid(self) -> bool:
        return self.token is not None and datetime.now(UTC) < self.expires_at


# Every stream builds its own authenticator; one login per vendor and credentials serves them all.
_SESSIONS: Dict[str, _Session] = {}
_SESSIONS_LOCK = threading.Lock()


@dataclass
class LoginTokenAuthenticator(DeclarativeAuthenticator):
    """SessionTokenAuthenticator can neither take the expiry from the login answer nor log in again on a 401.

    Logs in with `login_requester`, keeps the token until `expiry_path` (or `fallback_lifetime`) says it
    expires, and drops a token the vendor answers 401 to, so that the retry of that request logs in again.
    """

    login_requester: Requester
    token_path: List[str]
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    vendor: str = "the vendor"
    header: str = "Authorization"
    prefix: str = ""
    expiry_path: Optional[List[str]] = None
    expiry_format: Optional[str] = None
    fallback_lifetime: str = "PT1H"

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._lifetime = parse_duration(self.fallback_lifetime)
        self._session_key: Optional[str] = None

    @property
    def _session(self) -> _Session:
        if self._session_key is None:
            request = self.login_requester
            identity = repr((self.vendor, request.get_url_base(), request.get_request_body_data(),
                             request.get_request_body_json()))
            self._session_key = hashlib.sha256(identity.encode()).hexdigest()
        with _SESSIONS_LOCK:
            return _SESSIONS.setdefault(self._session_key, _Session())

    @property
    def auth_header(self) -> str:
        return self.header

    @property
    def token(self) -> str:
        session = self._session
        if not session.valid():
            with session.lock:
                if not session.valid():
                    self._login(session)
        return f"{self.prefix}{session.token}"

    def update_from_response(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        """A 401 means the vendor revoked or expired the token: drop it, so the retry logs in again."""
        if response.status_code != 401:
            return
        session = self._session
        sent = str(request.headers.get(self.header) or "")
        with session.lock:
            if session.token is not None and sent == f"{self.prefix}{session.token}":
                session.token = None

    def refresh_and_set_access_token(self) -> None:
        """Called by the HttpClient once per rejected request before it retries."""
        session = self._session
        stale = session.token
        with session.lock:
            if session.token == stale:
                self._login(session)

    def _login(self, session: _Session) -> None:
        response = self.login_requester.send_request()
        try:
            body = response.json() if response is not None else {}
        except ValueError:
            body = {}
        body = body if isinstance(body, Mapping) else {}
        token = dpath.get(body, self.token_path, default=None)
        if not token or not isinstance(token, str):
            raise AirbyteTracedException(
                message=f"{self.vendor} answered the login without a token; check the login URL in the config.",
                internal_message=f"no token at {'/'.join(self.token_path)}",
                failure_type=FailureType.config_error,
            )
        session.token = token
        session.expires_at = self._expiry(body)

    def _expiry(self, body: Mapping[str, Any]) -> datetime:
        now = datetime.now(UTC)
        if self.expiry_path and self.expiry_format:
            try:
                stated = datetime.strptime(str(dpath.get(body, self.expiry_path)), self.expiry_format)
                left = stated.replace(tzinfo=UTC) - now
                # log in again a little early, but never treat a short-lived token as expired on arrival
                return now + max(left - min(_EXPIRY_MARGIN, left / 10), timedelta(seconds=30))
            except (KeyError, TypeError, ValueError):
                pass
        return now + self._lifetime


@dataclass
class InsideViewDecoder(Decoder):
    """No CDK decoder chooses JSON or XML by the answer's content: InsideView answers XML when a proxy drops Accept."""

    parameters: InitVar[Mapping[str, Any]]

    def is_stream_response(self) -> bool:
        return False

    def decode(self, response: requests.Response) -> Generator[MutableMapping[str, Any], None, None]:
        text = response.text.lstrip()
        if text.startswith("<"):
            yield _insideview_xml(text)
        else:
            yield from JsonDecoder(parameters={}).decode(response)


def _insideview_xml(text: str) -> MutableMapping[str, Any]:
    """The seed's XML shape (`accountUsage`, repeated `usage`, `details/usageDetail`) as its JSON shape."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise AirbyteTracedException(
            message="InsideView sent an XML answer that could not be read; retry the sync.",
            internal_message=str(error),
            failure_type=FailureType.transient_error,
        ) from error

    def child(element: ElementTree.Element, tag: str) -> Optional[str]:
        found = element.find(tag)
        return found.text if found is not None else None

    document: MutableMapping[str, Any] = {
        tag: child(root, tag)
        for tag in ("accountId", "accountName", "period", "start", "end", "bulkJobReferenceUrl")
    }
    credits = root.find("creditsForAccount")
    document["creditsForAccount"] = (
        [{"allocatedCredits": child(credits, "allocatedCredits"), "consumedCredits": child(credits, "consumedCredits")}]
        if credits is not None
        else []
    )
    usage = []
    for element in root.iter("usage"):
        entry: MutableMapping[str, Any] = {
            "api": child(element, "api"),
            "date": child(element, "date"),
            "transactions": child(element, "transactions"),
        }
        details = [
            {"type": child(detail, "type"), "value": child(detail, "value")}
            for detail in element.iter("usageDetail")
        ]
        if details:
            entry["details"] = details
        usage.append(entry)
    document["usageForAccount"] = usage
    return document


@dataclass
class LinkHeaderPages(PageIncrement):
    """PageIncrement stops at the first page shorter than asked; Leaf's lists end only where `Link` has no `next`.

    The next page is the one `Link`'s `next` names (relative or absolute URL); without a `Link` header the list
    goes on until `X-Total-Count` is reached or a page comes back empty (providers.md, Leaf pagination). With
    neither header nothing says where the list ends, so a short page does, as it would for PageIncrement: a
    server that ignores `page` then cannot keep the sync reading the same page forever.
    """

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Optional[Record],
        last_page_token_value: Optional[Any],
        page_size_override: Optional[int] = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> Optional[Any]:
        current = int(last_page_token_value) if last_page_token_value is not None else self.start_from_page
        if response.headers.get("Link"):
            following = response.links.get("next")
            if not following:
                return None
            named = parse_qs(urlsplit(urljoin(response.url, following.get("url", ""))).query).get("page")
            return int(named[0]) if named and named[0].isdigit() and int(named[0]) > current else current + 1
        size = page_size_override or self.get_page_size()
        total = (response.headers.get("X-Total-Count") or "").strip()
        if last_page_size == 0:
            return None
        if not total.isdigit():
            return None if size and last_page_size < size else current + 1
        if size and (current + 1 - self.start_from_page) * size >= int(total):
            return None
        return current + 1


@dataclass
class ThrottleWindowBackoff(BackoffStrategy):
    """No CDK backoff strategy can wait for one status alone: a throttled InsideView account stays locked for a
    whole window, for every token (providers.md, InsideView), while a 5xx should still back off exponentially."""

    parameters: InitVar[Mapping[str, Any]]
    config: Config
    window: str = "PT5M"
    status: int = 429

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._seconds = parse_duration(self.window).total_seconds()

    def backoff_time(
        self,
        response_or_exception: Optional[Union[requests.Response, requests.RequestException]],
        attempt_count: int,
    ) -> Optional[float]:
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == self.status:
            return self._seconds
        return None
