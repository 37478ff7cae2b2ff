"""The compiled normalization converts exactly as the CDK's `schema_normalization: Default` does."""

import copy
import json
from pathlib import Path
from typing import Any, Dict

import pytest
from airbyte_cdk.sources.utils.transform import TransformConfig, TypeTransformer

from source_usage.record_rules import RecordProblem, RecordRules

SCHEMAS = Path(__file__).parent.parent / "schemas"
VALUES = [
    "42",
    "4.5",
    "-3",
    "1e3",
    " 7 ",
    "abc",
    "",
    "true",
    "False",
    "yes",
    "off",
    "2026-11-20",
    0,
    1,
    42,
    -7,
    4.5,
    0.0,
    float("nan"),
    True,
    False,
    [1, 2],
    ["a"],
    {"a": 1},
    2**70,
]
TYPES = [
    "string",
    "integer",
    "number",
    "boolean",
    ["null", "string"],
    ["null", "integer"],
    ["null", "number"],
    ["null", "boolean"],
    ["string", "integer"],
    {"type": "array", "items": {"type": "integer"}},
    {"type": ["null", "array"], "items": {"type": "object", "properties": {"n": {"type": "number"}}}},
    {"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}},
]


def _schema(declared: Any) -> Dict[str, Any]:
    spec = declared if isinstance(declared, dict) else {"type": declared}
    return {"type": "object", "properties": {"field": spec}}


def _same(left: Any, right: Any) -> bool:
    """Equal, of the same types all the way down (1 == 1.0 == True would hide a conversion), NaN equal to NaN."""
    return json.dumps(left, default=repr) == json.dumps(right, default=repr) and repr(left) == repr(right)


@pytest.mark.parametrize("declared", TYPES, ids=json.dumps)
def test_compiled_normalization_converts_every_value_as_the_cdk_does(declared: Any) -> None:
    schema = _schema(declared)
    rules = RecordRules({"probe": schema})
    cdk = TypeTransformer(TransformConfig.DefaultSchemaNormalization)
    nested = [{"n": "2.5", "s": 3}, {"n": 7}, "x"]
    for value in [*VALUES, nested, {"n": "12", "s": 4.5}]:
        ours: Dict[str, Any] = {"field": copy.deepcopy(value)}
        theirs: Dict[str, Any] = {"field": copy.deepcopy(value)}
        try:
            rules.normalize("probe", ours)
        except RecordProblem:
            pass  # the check that follows; what matters here is the conversion already made in place
        cdk.transform(theirs, schema)
        if _an_inexact_float_for_an_integer(declared, value):
            continue  # the one place we differ: see the test below
        assert _same(ours, theirs), f"{declared} {value!r}: ours {ours!r}, the CDK {theirs!r}"


def _an_inexact_float_for_an_integer(declared: Any, value: Any) -> bool:
    integer = declared == "integer" or declared == ["null", "integer"]
    return integer and isinstance(value, float) and not (value.is_integer() and abs(value) <= 2**53)


@pytest.mark.parametrize("value", [4.5, float("nan"), float(10**24 + 1), -0.25])
def test_a_float_that_is_no_exact_integer_is_not_truncated_and_stops_the_record(value: float) -> None:
    """The CDK would write int(value): 4 for 4.5, 999999999999999983222784 for 10**24 + 1, or fail on NaN."""
    schema = json.loads((SCHEMAS / "daily_usage.json").read_text())
    record = {"date": "2026-11-20", "request_count": value}

    with pytest.raises(RecordProblem, match="'request_count' does not fit the stream's schema \\(float "):
        RecordRules({"daily_usage": schema}).normalize("daily_usage", record)


def test_a_whole_float_in_an_integer_field_becomes_the_integer() -> None:
    schema = json.loads((SCHEMAS / "daily_usage.json").read_text())
    record: Dict[str, Any] = {"date": "2026-11-20", "request_count": 42.0}
    RecordRules({"daily_usage": schema}).normalize("daily_usage", record)

    assert record["request_count"] == 42 and type(record["request_count"]) is int


def test_a_null_where_the_schema_allows_none_stays_null_and_stops_the_record() -> None:
    """The CDK would write the string 'None'; the check must see the null instead."""
    schema = json.loads((SCHEMAS / "api_transactions.json").read_text())
    record = {"account_id": "1", "period_type": "day", "date": "2026-11-20", "api": None, "transactions": 3}

    with pytest.raises(RecordProblem, match="'api' does not fit the stream's schema \\(it is missing\\)"):
        RecordRules({"api_transactions": schema}).normalize("api_transactions", record)


def test_leaf_user_areas_inside_an_array_are_converted() -> None:
    schema = json.loads((SCHEMAS / "daily_consumption.json").read_text())
    record = {
        "contract_id": "c1",
        "date": "2026-11-20",
        "total_unique_area": 2,
        "leaf_users_areas": [{"leaf_user_id": 7, "total_area": "1.25"}],
    }
    RecordRules({"daily_consumption": schema}).normalize("daily_consumption", record)

    assert record["total_unique_area"] == 2.0 and isinstance(record["total_unique_area"], float)
    assert record["leaf_users_areas"] == [{"leaf_user_id": "7", "total_area": 1.25}]


def test_a_schema_that_is_not_ours_is_left_to_the_cdk() -> None:
    record: Dict[str, Any] = {"count": "5", "name": None}
    RecordRules().transform(
        record, {"type": "object", "properties": {"count": {"type": "integer"}, "name": {"type": "string"}}}
    )

    assert record == {"count": 5, "name": "None"}


def test_an_object_inside_an_array_missing_a_required_field_stops_the_stream_naming_it() -> None:
    record = {
        "area_unit": "Acre",
        "date": "2026-11-19",
        "total_unique_area": 1.26,
        "leaf_users_areas": [{"leaf_user_id": "u-1", "total_area": "0.5"}, {"total_area": 1.42}],
        "contract_id": "c-1",
    }

    with pytest.raises(RecordProblem, match=r"'leaf_users_areas' .*\(its item 1 has no 'leaf_user_id'\)"):
        RecordRules().normalize("daily_consumption", record)
