"""Records compared with the sandbox's ground truth, by the primary keys the connector's `discover` states.

Importable as `integration_tests.truth_compare` from the repository's root, by the tests and by benchmarks/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import jsonschema

from integration_tests.discovered import PRIMARY_KEYS, SANDBOX_SECRETS, json_schema

Records = dict[str, list[dict[str, Any]]]
Keyed = dict[str, dict[tuple[Any, ...], dict[str, Any]]]

# Fields a sync adds that the ground truth cannot know: the time of the snapshot.
SYNC_TIME_FIELDS = {"credits": {"observed_at"}}


def comparable(stream: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as the ground truth states it: no None values (the CDK omits them), no sync time."""
    omitted = SYNC_TIME_FIELDS.get(stream, set())
    return {name: value for name, value in record.items() if value is not None and name not in omitted}


def key_of(stream: str, record: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(record.get(name) for name in PRIMARY_KEYS[stream])


def keyed(stream: str, records: Iterable[Mapping[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Comparable records by primary key; a later record replaces an earlier one with the same key."""
    return {key_of(stream, record): comparable(stream, record) for record in records}


def merge(*record_sets: Records) -> Keyed:
    """Records merged by primary key as a deduplicating destination does: the later record wins."""
    merged: Keyed = {}
    for records in record_sets:
        for stream, rows in records.items():
            merged.setdefault(stream, {}).update(keyed(stream, rows))
    return merged


def duplicated_keys(records: Records) -> dict[str, list[tuple[Any, ...]]]:
    """Primary keys that one run emitted more than once, per stream."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for stream, rows in records.items():
        seen: set[tuple[Any, ...]] = set()
        for row in rows:
            key = key_of(stream, row)
            if key in seen:
                found.setdefault(stream, []).append(key)
            seen.add(key)
    return found


def differences(got: Keyed, truth: Records, streams: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per stream, the keys missing, the keys that should not be there and the records that differ."""
    found: dict[str, dict[str, Any]] = {}
    for stream in streams:
        expected = keyed(stream, truth.get(stream, []))
        actual = got.get(stream, {})
        missing = sorted(set(expected) - set(actual), key=repr)
        extra = sorted(set(actual) - set(expected), key=repr)
        changed = [
            (key, expected[key], actual[key]) for key in expected if key in actual and expected[key] != actual[key]
        ]
        if missing or extra or changed:
            found[stream] = {
                "missing": missing[:5],
                "extra": extra[:5],
                "changed": changed[:3],
                "counts": (len(missing), len(extra), len(changed)),
            }
    return found


def assert_same_records(stream: str, got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """`got` holds each primary key once, and exactly the records `expected` holds."""
    got_by_key, expected_by_key = keyed(stream, got), keyed(stream, expected)
    duplicated = len(got) - len(got_by_key)
    missing = sorted(set(expected_by_key) - set(got_by_key), key=str)
    extra = sorted(set(got_by_key) - set(expected_by_key), key=str)
    differing = [k for k in expected_by_key if k in got_by_key and got_by_key[k] != expected_by_key[k]]
    assert not (duplicated or missing or extra or differing), (
        f"{stream}: {duplicated} duplicated, {len(missing)} missing (first {missing[:3]}), "
        f"{len(extra)} extra (first {extra[:3]}), {len(differing)} differing"
        + (f"; first got {got_by_key[differing[0]]}, expected {expected_by_key[differing[0]]}" if differing else "")
    )


def schema_violations(records: Records) -> list[str]:
    """One line per record that breaks its stream's JSON Schema."""
    found = []
    for stream, rows in records.items():
        validator = _validator(stream)
        for row in rows:
            for error in validator.iter_errors(row):
                found.append(f"{stream}: {error.message} in {json.dumps(row)[:200]}")
    return found


@cache
def _validator(stream: str) -> jsonschema.protocols.Validator:
    schema = json_schema(stream)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def leaks(text: str, secrets: Iterable[str] = SANDBOX_SECRETS) -> list[str]:
    """The secrets that appear in the text."""
    return [secret for secret in secrets if secret and secret in text]
