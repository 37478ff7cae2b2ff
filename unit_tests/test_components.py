"""source_usage/components.py and record_rules.py, each piece called directly with hand-made responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage import components
from source_usage.components import (
    InsideViewDecoder,
    LinkHeaderPages,
    LoginTokenAuthenticator,
    ThrottleWindowBackoff,
)
from source_usage.record_rules import ConnectedProviders, EnvelopeExtractor, RecordRules, SnakeCaseKeys

pytestmark = pytest.mark.usefixtures("fresh_sessions")

RESPONSES = Path(__file__).parent / "responses"
INSIDEVIEW_EXPIRY_FORMAT = "%a, %b %d, %Y %I:%M:%S %p GMT"


def response(
    body: Union[str, Mapping[str, Any], List[Any]], headers: Optional[Mapping[str, str]] = None
) -> requests.Response:
    answer = requests.Response()
    answer.status_code = 200
    answer.encoding = "utf-8"
    answer._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    answer.headers.update(headers or {})
    return answer


def insideview(name: str) -> str:
    return (RESPONSES / "insideview" / name).read_text()


def extractor(field_path: List[str], envelope_fields: List[str]) -> EnvelopeExtractor:
    return EnvelopeExtractor(
        field_path=field_path,
        config={},
        parameters={},
        decoder=InsideViewDecoder(parameters={}),
        envelope_fields=envelope_fields,
    )


# ---------------------------------------------------------------- EnvelopeExtractor


def test_envelope_extractor_copies_the_envelope_fields_onto_every_record() -> None:
    body = {
        "areaUnit": "Hectare",
        "ignored": "not an envelope field",
        "areaPerDay": [{"date": "2026-11-18", "totalArea": 1.5}, {"date": "2026-11-19", "totalArea": 2.0}],
    }

    extracted = list(extractor(["areaPerDay"], ["areaUnit"]).extract_records(response(body)))

    assert extracted == [
        {"areaUnit": "Hectare", "date": "2026-11-18", "totalArea": 1.5},
        {"areaUnit": "Hectare", "date": "2026-11-19", "totalArea": 2.0},
    ]


def test_envelope_extractor_turns_each_detail_into_a_field() -> None:
    body = {
        "accountId": "acc-1",
        "usageForAccount": [
            {
                "api": "ENRICH_ENRICH",
                "transactions": 4,
                "details": [
                    {"type": "matchRate", "value": "74.0"},
                    {"type": "hits", "value": "3"},
                    {"value": "x"},
                ],
            },
            {"api": "NEWS_FETCH", "transactions": 1, "details": None},
        ],
    }

    extracted = list(extractor(["usageForAccount"], ["accountId", "accountName"]).extract_records(response(body)))

    assert extracted == [
        {
            "accountId": "acc-1",
            "accountName": None,
            "api": "ENRICH_ENRICH",
            "transactions": 4,
            "matchRate": "74.0",
            "hits": "3",
        },
        {"accountId": "acc-1", "accountName": None, "api": "NEWS_FETCH", "transactions": 1},
    ]


def test_envelope_extractor_reads_a_single_object_and_skips_what_is_not_a_record() -> None:
    single = {"accountId": "acc-1", "creditsForAccount": {"allocatedCredits": 10}}
    odd = {"accountId": "acc-1", "creditsForAccount": [{"allocatedCredits": 10}, "text", 3]}
    missing = {"accountId": "acc-1"}

    chosen = extractor(["creditsForAccount"], ["accountId"])

    assert list(chosen.extract_records(response(single))) == [{"accountId": "acc-1", "allocatedCredits": 10}]
    assert list(chosen.extract_records(response(odd))) == [{"accountId": "acc-1", "allocatedCredits": 10}]
    assert list(chosen.extract_records(response(missing))) == []


# ---------------------------------------------------------------- InsideViewDecoder


def test_insideview_decoder_reads_the_xml_answer_as_its_json_shape() -> None:
    [from_xml] = InsideViewDecoder(parameters={}).decode(response(insideview("usage_year.xml")))
    [from_json] = InsideViewDecoder(parameters={}).decode(response(insideview("usage_year.json")))

    # XML carries every value as text; the records' schema makes numbers of them later
    assert from_xml["accountId"] == from_json["accountId"]
    assert from_xml["accountName"] == from_json["accountName"]
    assert (from_xml["period"], from_xml["start"], from_xml["end"]) == ("year", "2016", "2017")
    assert from_xml["creditsForAccount"] == [{"allocatedCredits": "99999", "consumedCredits": "2815"}]
    assert from_xml["usageForAccount"] == [
        {key: (str(value) if key == "transactions" else value) for key, value in entry.items()}
        for entry in from_json["usageForAccount"]
    ]


def test_insideview_decoder_reads_json_as_json() -> None:
    body = json.loads(insideview("usage_day.json"))

    assert list(InsideViewDecoder(parameters={}).decode(response(body))) == [body]


def test_insideview_decoder_reads_xml_without_credits_or_usage() -> None:
    xml = "<?xml version='1.0'?>\n<accountUsage><accountId>acc-1</accountId></accountUsage>"

    [document] = InsideViewDecoder(parameters={}).decode(response(xml))

    assert document["accountId"] == "acc-1"
    assert document["creditsForAccount"] == []
    assert document["usageForAccount"] == []


def test_insideview_decoder_keeps_the_account_of_empty_xml_credits() -> None:
    xml = "<accountUsage><accountId>acc-1</accountId><creditsForAccount/></accountUsage>"

    [document] = InsideViewDecoder(parameters={}).decode(response(xml))

    # one credits entry, so the account still gets its (empty) credits record
    assert document["creditsForAccount"] == [{}]


def test_insideview_decoder_reports_broken_xml_as_transient() -> None:
    with pytest.raises(AirbyteTracedException) as raised:
        list(InsideViewDecoder(parameters={}).decode(response("<accountUsage><accountId>acc-1")))

    assert raised.value.failure_type == FailureType.transient_error
    assert raised.value.message.startswith("InsideView sent an XML answer that could not be read")


# ---------------------------------------------------------------- LinkHeaderPages

USERS = "https://api.withleaf.io/services/usermanagement/api/users"


def next_page(
    page_size: int, headers: Mapping[str, str], last_page_size: int, last_page: Optional[int], url: str = USERS
) -> Optional[Any]:
    strategy = LinkHeaderPages(config={}, page_size=page_size, parameters={})
    answer = response([], headers)
    answer.url = url
    return strategy.next_page_token(answer, last_page_size, None, last_page)


def test_link_header_pages_follow_next_after_a_page_shorter_than_asked() -> None:
    links = {
        "Link": f'<{USERS}?page=1&size=100>; rel="next",<{USERS}?page=2&size=100>; rel="last"',
        "X-Total-Count": "7",
    }

    assert next_page(100, links, 3, None) == 1


def test_link_header_pages_take_the_page_a_relative_next_link_names() -> None:
    links = {"Link": '</services/usermanagement/api/users?page=4&size=100>; rel="next"'}

    assert next_page(100, links, 2, 3) == 4


def test_link_header_pages_stop_where_link_has_no_next_even_after_a_full_page() -> None:
    links = {"Link": f'<{USERS}?page=0&size=100>; rel="first",<{USERS}?page=1&size=100>; rel="prev"'}

    assert next_page(100, links, 100, 1) is None


def test_link_header_pages_without_headers_end_at_a_short_or_empty_page() -> None:
    assert next_page(100, {}, 100, None) == 1
    assert next_page(100, {}, 100, 1) == 2
    assert next_page(100, {}, 50, 2) is None
    assert next_page(100, {}, 0, 2) is None


def read_pages(total: str, sizes: Sequence[int]) -> List[Optional[Any]]:
    """The token after each page of a list read in order, the pages holding `sizes` records."""
    tokens: List[Optional[Any]] = []
    for size in sizes:
        tokens.append(next_page(100, {"X-Total-Count": total}, size, tokens[-1] if tokens else None))
    return tokens


@pytest.mark.parametrize(
    ("total", "sizes", "expected"),
    [
        ("200", [100, 100], [1, None]),
        ("201", [100, 100, 1], [1, 2, None]),
        (" 250 ", [100, 7], [1, 2]),
        ("300", [100, 100, 30, 70], [1, 2, 3, None]),
        ("many", [100, 100, 4], [1, 2, None]),
    ],
)
def test_link_header_pages_without_link_stop_when_x_total_count_is_reached(
    total: str, sizes: List[int], expected: List[Optional[int]]
) -> None:
    """Counted in records read, not in pages: a page shorter than asked does not end the list."""
    assert read_pages(total, sizes) == expected


def test_link_header_pages_that_end_short_of_x_total_count_fail_naming_both_counts() -> None:
    with pytest.raises(AirbyteTracedException) as raised:
        read_pages("250", [100, 40, 0])

    assert raised.value.message == (
        "Leaf's list /services/usermanagement/api/users ended after 140 of the 250 records it says it holds, with no "
        "further page offered; sync again, and if it persists, tell the vendor."
    )


# ---------------------------------------------------------------- ThrottleWindowBackoff


def test_throttle_window_backoff_waits_a_whole_window_on_429_only() -> None:
    strategy = ThrottleWindowBackoff(window="PT5M")
    throttled = response({"message": "throttled"})
    throttled.status_code = 429
    failed = response({})
    failed.status_code = 503

    assert strategy.backoff_time(throttled, 1) == 300
    assert strategy.backoff_time(failed, 1) is None
    assert strategy.backoff_time(requests.ConnectionError(), 1) is None


# ---------------------------------------------------------------- ConnectedProviders


def test_connected_providers_keeps_names_and_drops_every_credential() -> None:
    record: Dict[str, Any] = {
        "id": "u-1",
        "johnDeereCredentials": {"clientSecret": "s-1", "accessToken": "t-1"},
        "climateFieldViewCredentials": {"refreshToken": "r-1"},
        "trimbleCredentials": None,
        "somethingNewCredentials": {"token": "t-2"},
        "profile": {"nestedCredentials": {"token": "t-3"}, "city": "Ames"},
    }

    ConnectedProviders().transform(record)

    assert record == {
        "id": "u-1",
        "profile": {"city": "Ames"},
        "connected_providers": ["climate_field_view", "john_deere", "something_new"],
    }


# ---------------------------------------------------------------- SnakeCaseKeys


def test_snake_case_keys_deep_renames_keys_inside_arrays_and_objects() -> None:
    record: Dict[str, Any] = {
        "areaUnit": "Acre",
        "totalUniqueArea": 0.8,
        "leafUsersAreas": [{"leafUserId": "u-1", "totalArea": 0.6, "byField": {"fieldId": "f-1"}}, "plain"],
        "nested": {"innerList": [[{"deepKey": 1}]]},
    }

    SnakeCaseKeys(deep=True).transform(record)

    assert record == {
        "area_unit": "Acre",
        "total_unique_area": 0.8,
        "leaf_users_areas": [
            {"leaf_user_id": "u-1", "total_area": 0.6, "by_field": {"field_id": "f-1"}},
            "plain",
        ],
        "nested": {"inner_list": [[{"deep_key": 1}]]},
    }


def test_snake_case_keys_not_deep_renames_as_the_cdk_does_and_leaves_arrays_alone() -> None:
    from airbyte_cdk.sources.declarative.transformations.keys_to_snake_transformation import (
        KeysToSnakeCaseTransformation,
    )

    record: Dict[str, Any] = {"areaUnit": "Acre", "byField": {"fieldId": "f-1"}, "leafUsersAreas": [{"leafUserId": 1}]}
    theirs = json.loads(json.dumps(record))
    SnakeCaseKeys().transform(record)
    KeysToSnakeCaseTransformation().transform(theirs)

    assert (
        record
        == theirs
        == {"area_unit": "Acre", "by_field": {"field_id": "f-1"}, "leaf_users_areas": [{"leafUserId": 1}]}
    )


def test_connected_providers_drops_credentials_inside_arrays_too() -> None:
    record: Dict[str, Any] = {"id": "u-2", "devices": [{"name": "tractor", "trimbleCredentials": {"token": "t-4"}}]}

    ConnectedProviders().transform(record)

    assert record == {"id": "u-2", "devices": [{"name": "tractor"}], "connected_providers": []}


# ---------------------------------------------------------------- LoginTokenAuthenticator


class FakeLogin:
    """The login requester: answers each login with the next body and counts the logins."""

    def __init__(self, *bodies: Any, identity: str = "client-1") -> None:
        self.bodies = list(bodies)
        self.identity = identity
        self.logins = 0

    def get_url_base(self) -> str:
        return "https://login.example.com/token"

    def get_request_body_data(self) -> Mapping[str, Any]:
        return {"clientId": self.identity}

    def get_request_body_json(self) -> Mapping[str, Any]:
        return {}

    def send_request(self) -> requests.Response:
        body = self.bodies[min(self.logins, len(self.bodies) - 1)]
        self.logins += 1
        return response(body if isinstance(body, (str, dict)) else json.dumps(body))


def insideview_token(token: str, expires: Optional[str]) -> Dict[str, Any]:
    details: Dict[str, Any] = {"accessToken": token, "tokenType": "bearer"}
    if expires is not None:
        details["expirationTime"] = expires
    return {"accessTokenDetails": details}


def insideview_authenticator(login: FakeLogin, vendor: str = "InsideView") -> LoginTokenAuthenticator:
    return LoginTokenAuthenticator(
        login_requester=login,  # type: ignore[arg-type]
        token_path=["accessTokenDetails", "accessToken"],
        vendor=vendor,
        header="accessToken",
        expiry_path=["accessTokenDetails", "expirationTime"],
        expiry_format=INSIDEVIEW_EXPIRY_FORMAT,
        fallback_lifetime="PT1H",
    )


def expires_at(authenticator: LoginTokenAuthenticator) -> datetime:
    return authenticator._session.expires_at


def test_login_token_expiry_is_read_from_insideview_expiration_time_less_five_minutes() -> None:
    login = FakeLogin(insideview_token("tok-1", "Tue, Jul 21, 2099 09:08:17 PM GMT"))
    authenticator = insideview_authenticator(login)

    assert authenticator.get_auth_header() == {"accessToken": "tok-1"}
    assert expires_at(authenticator) == datetime(2099, 7, 21, 21, 3, 17, tzinfo=UTC)


@pytest.mark.parametrize("expires", [None, "in an hour", "2099-07-21T21:08:17Z"])
def test_login_token_falls_back_to_its_lifetime_without_a_readable_expiry(expires: Optional[str]) -> None:
    authenticator = insideview_authenticator(FakeLogin(insideview_token("tok-1", expires)))
    before = datetime.now(UTC)

    assert authenticator.token == "tok-1"

    assert before + timedelta(hours=1) <= expires_at(authenticator) <= datetime.now(UTC) + timedelta(hours=1)


def test_login_token_without_expiry_path_uses_the_fallback_lifetime_and_prefix() -> None:
    login = FakeLogin({"id_token": "leaf-tok"})
    authenticator = LoginTokenAuthenticator(
        login_requester=login,  # type: ignore[arg-type]
        token_path=["id_token"],
        vendor="Leaf",
        prefix="Bearer ",
        fallback_lifetime="PT23H",
    )
    before = datetime.now(UTC)

    assert authenticator.get_auth_header() == {"Authorization": "Bearer leaf-tok"}
    assert before + timedelta(hours=23) <= expires_at(authenticator) <= datetime.now(UTC) + timedelta(hours=23)


def test_login_token_is_kept_until_it_expires_then_fetched_again() -> None:
    login = FakeLogin(
        insideview_token("expired", "Tue, Jul 21, 2015 09:08:17 PM GMT"),
        insideview_token("fresh", "Tue, Jul 21, 2099 09:08:17 PM GMT"),
    )
    authenticator = insideview_authenticator(login)

    assert authenticator.token == "expired"
    # a token stated as already expired (clock skew) still serves 30 s instead of a login per request
    assert authenticator.token == "expired"
    assert expires_at(authenticator) <= datetime.now(UTC) + timedelta(seconds=30)
    authenticator._session.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert authenticator.token == "fresh"
    assert authenticator.token == "fresh"
    assert login.logins == 2


def test_login_token_is_shared_by_authenticators_with_the_same_login_only() -> None:
    far = "Tue, Jul 21, 2099 09:08:17 PM GMT"
    first_login, same_login = (
        FakeLogin(insideview_token("shared", far)),
        FakeLogin(insideview_token("other", far)),
    )
    other_client = FakeLogin(insideview_token("own", far), identity="client-2")

    assert insideview_authenticator(first_login).token == "shared"
    assert insideview_authenticator(same_login).token == "shared"
    assert insideview_authenticator(other_client).token == "own"
    assert (first_login.logins, same_login.logins, other_client.logins) == (1, 0, 1)


def rejected(status: int, sent: str) -> Tuple[requests.PreparedRequest, requests.Response]:
    """A request sent with the token `sent` in InsideView's header, and the vendor's answer to it."""
    request = requests.Request("GET", "https://api.insideview.com/api/v1/admin/usage", headers={"accessToken": sent})
    answer = response({})
    answer.status_code = status
    return request.prepare(), answer


def test_login_token_rejected_with_401_logs_in_again_even_before_expiry_once() -> None:
    far = "Tue, Jul 21, 2099 09:08:17 PM GMT"
    login = FakeLogin(*(insideview_token(token, far) for token in ("revoked", "replacement", "third")))
    authenticator = insideview_authenticator(login)
    assert authenticator.token == "revoked"

    authenticator.update_from_response(*rejected(403, "revoked"))
    assert authenticator.token == "revoked"
    authenticator.update_from_response(*rejected(401, "revoked"))
    assert authenticator.token == "replacement"
    # a late 401 to the token already replaced (another stream's request) keeps the new one
    authenticator.update_from_response(*rejected(401, "revoked"))

    assert authenticator.token == "replacement"
    assert login.logins == 2


@pytest.mark.parametrize("body", [{"accessTokenDetails": {}}, {"accessTokenDetails": {"accessToken": 7}}, "<html/>"])
def test_login_answer_without_a_token_is_a_config_error_naming_the_vendor(body: Any) -> None:
    authenticator = insideview_authenticator(FakeLogin(body))

    with pytest.raises(AirbyteTracedException) as raised:
        authenticator.get_auth_header()

    assert raised.value.failure_type == FailureType.config_error
    assert raised.value.message == "InsideView answered the login without a token; check the login URL in the config."


def test_record_fields_lifts_an_object_copies_partition_keys_cuts_days_and_adds_constants() -> None:
    from airbyte_cdk.sources.types import StreamSlice

    from source_usage.record_rules import RecordFields

    fields = RecordFields(
        config={"insideview": {"period": "month"}},
        parameters={},
        flatten="attributes",
        partition_fields=["contract_id", "leaf_user_id"],
        day_fields=["date", "end_date"],
        constants={"period_type": "{{ config.insideview.get('period') or 'day' }}"},
    )
    record: Dict[str, Any] = {
        "attributes": {"period": "2026-01", "num_requests": 3},
        "date": "2024-01-15T00:00:00Z",
        "end_date": None,
    }
    fields.transform(
        record, stream_slice=StreamSlice(partition={"contract_id": "c-1", "leaf_user_id": 7}, cursor_slice={})
    )

    assert record == {
        "period": "2026-01",
        "num_requests": 3,
        "date": "2024-01-15",
        "end_date": None,
        "contract_id": "c-1",
        "leaf_user_id": "7",
        "period_type": "month",
    }


def test_record_fields_takes_a_missing_day_from_the_window_it_asked_for() -> None:
    from airbyte_cdk.sources.types import StreamSlice

    from source_usage.record_rules import RecordFields

    fields = RecordFields(config={}, parameters={}, day_fields=["date"], day_from_window="date")
    record: Dict[str, Any] = {"total_unique_area": 0}
    fields.transform(
        record,
        stream_slice=StreamSlice(partition={}, cursor_slice={"start_time": "2026-11-20", "end_time": "2026-11-21"}),
    )

    assert record["date"] == "2026-11-20"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"request_count": 3}, "date"),
        ({"date": "2026-11-20"}, "request_count"),
        ({"date": "20-11-2026", "request_count": 3}, "date"),
        ({"date": "2026-11-20", "request_count": "many"}, "request_count"),
    ],
    ids=["missing-date", "missing-count", "malformed-date", "count-not-a-number"],
)
def test_checked_normalization_fails_a_record_that_breaks_its_schema_naming_vendor_and_field(
    record: Dict[str, Any], field: str
) -> None:
    schema = json.loads((Path(components.__file__).parent / "schemas" / "daily_usage.json").read_text())
    with pytest.raises(AirbyteTracedException) as raised:
        RecordRules().transform(dict(record), schema)

    assert raised.value.message.startswith(f"Whitepages sent a daily_usage record whose '{field}' does not fit")


def test_checked_normalization_converts_numbers_sent_as_strings() -> None:
    schema = json.loads((Path(components.__file__).parent / "schemas" / "daily_usage.json").read_text())
    record: Dict[str, Any] = {"date": "2026-11-20", "request_count": "42"}
    RecordRules().transform(record, schema)

    assert record == {"date": "2026-11-20", "request_count": 42}


@pytest.mark.parametrize("key", ["accountId", "APIKey", "leafUsersAreas", "totalArea2", "already_snake", "Ünïcode Key"])
def test_cached_snake_case_converts_keys_as_the_cdk_does_on_every_call(key: str) -> None:
    from airbyte_cdk.sources.declarative.transformations.keys_to_snake_transformation import (
        KeysToSnakeCaseTransformation,
    )

    from source_usage.record_rules import snake_key

    expected = KeysToSnakeCaseTransformation().process_key(key)

    assert [snake_key(key) for _ in range(3)] == [expected] * 3
