"""Fixtures every vendor's tests share: mocked HTTP, sleeps of a second or more skipped, no login kept."""

from __future__ import annotations

import time
from typing import Iterator, List

import pytest
from airbyte_cdk.test.mock_http import HttpMocker

from source_usage import cdk_seams, components


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


# the tests build hundreds of sources from one manifest
cdk_seams.validate_each_manifest_once()
