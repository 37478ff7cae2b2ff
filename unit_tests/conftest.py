"""Fixtures every vendor's tests share: mocked HTTP, sleeps of a second or more skipped, no login kept."""

from __future__ import annotations

import time
from typing import Any, Iterator, List

import pytest
from airbyte_cdk.test.mock_http import HttpMocker

from source_usage import components


@pytest.fixture
def http_mocker() -> Iterator[HttpMocker]:
    with HttpMocker() as mocker:
        yield mocker


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """Makes every sleep of a second or more (retry backoff, Retry-After) return at once, and lists them.

    Shorter sleeps (the API budget's pacing, the CDK's queue polling) still happen.
    """
    skipped: List[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if seconds >= 1:
            skipped.append(seconds)
            return
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    return skipped


@pytest.fixture
def fresh_sessions() -> Iterator[None]:
    """Logins are cached per process; every test starts without one."""
    components._SESSIONS.clear()
    yield
    components._SESSIONS.clear()


def _validated_once() -> None:
    """The CDK reads its component schema and validates the manifest against it on every source built (a quarter
    of a second); the tests build hundreds from one manifest, so each is read and checked once per process."""
    import functools
    import json

    from airbyte_cdk.sources.declarative import concurrent_declarative_source as declarative

    declarative.get_declarative_component_schema = functools.cache(declarative.get_declarative_component_schema)
    validate = declarative.validate_manifest
    valid: set[str] = set()

    def validate_once(manifest: Any, schema: Any) -> None:
        text = json.dumps(manifest, sort_keys=True, default=str)
        if text not in valid:
            validate(manifest, schema)
            valid.add(text)

    declarative.validate_manifest = validate_once


_validated_once()
