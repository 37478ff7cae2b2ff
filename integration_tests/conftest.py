"""The `sandbox` fixture: one usage_sandbox server per session (per xdist worker) on a free port.

Environment overrides: USAGE_SANDBOX_TODAY (default 2026-11-20), USAGE_SANDBOX_SEED (42),
USAGE_SANDBOX_SIZE (small), USAGE_SANDBOX_URL (use a sandbox that is already running instead of starting one).
"""

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import container
import pytest
import requests

from integration_tests.answers_sync import answers_sync  # noqa: F401  (the answers' tests share one sync)
from usage_sandbox.connector_config import VENDORS, connector_config
from usage_sandbox.process import SandboxServer, wait_until_healthy
from usage_sandbox.truth import truth

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TODAY = "2026-11-20"
START_TIMEOUT_SECONDS = 30.0


class Sandbox:
    """A running sandbox: its URL and today, connector configs pointing at it, and its control API."""

    def __init__(self, url: str, seed: int, size: str, today: str) -> None:
        self.url, self.seed, self.size = url, seed, size
        self.today = self.default_today = today
        self.http = requests.Session()

    def config(self, *vendors: str, start_date: str | None = None, **overrides: Any) -> dict[str, Any]:
        """A complete connector config for the given vendors (all four when none are named)."""
        fields = {"end_date": self.today, "lookback_days": 3, **overrides}
        return connector_config(self.url, start_date or self.default_start_date(), *vendors, **fields)

    def default_start_date(self) -> str:
        first_of_month = date.fromisoformat(self.today).replace(day=1)
        return (first_of_month - timedelta(days=1)).replace(day=1).isoformat()

    def _post(self, path: str, body: Any) -> Any:
        response = self.http.post(f"{self.url}/_sandbox/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/_sandbox/stats", timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._post("reset", {})

    def set_faults(self, *profiles: str | dict[str, Any], **profile: Any) -> list[dict[str, Any]]:
        """`set_faults("5xx")`, `set_faults(name="stall", vendor="leaf", stall_seconds=2)` or dicts."""
        specs = list(profiles) + ([profile] if profile else [])
        return self._post("faults", {"profiles": specs or ["none"]})["profiles"]

    def set_today(self, today: str) -> None:
        self._post("today", {"today": today})
        self.today = today

    def set_limits(self, limits: dict[str, Any]) -> dict[str, Any]:
        return self._post("limits", limits)

    def set_page_cap(self, cap: int | None) -> None:
        """At most `cap` items on every page of every list (None: as many as asked for)."""
        self._post("pages", {"cap": cap})

    def restore(self) -> None:
        """Back to how the session started: no faults, the default today, limits and pages, counters cleared."""
        self.set_faults("none")
        self.set_page_cap(None)
        self.set_today(self.default_today)
        self.set_limits({vendor: "default" for vendor in VENDORS})
        self.reset()

    def truth(self, start_date: str, **kw: Any) -> dict[str, list[dict[str, Any]]]:
        return truth(self.seed, self.size, kw.pop("today", self.today), start_date, **kw)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    seed = int(os.environ.get("USAGE_SANDBOX_SEED", "42"))
    size = os.environ.get("USAGE_SANDBOX_SIZE", "small")
    today = os.environ.get("USAGE_SANDBOX_TODAY", DEFAULT_TODAY)
    external = os.environ.get("USAGE_SANDBOX_URL")
    if external:
        wait_until_healthy(external, START_TIMEOUT_SECONDS)
        yield Sandbox(external.rstrip("/"), seed, size, today)
        return
    with SandboxServer(seed, size, today, cwd=ROOT, start_timeout=START_TIMEOUT_SECONDS) as server:
        yield Sandbox(server.url, seed, size, today)


@pytest.fixture
def fresh_sandbox(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox with counters cleared, restored to its defaults after the test."""
    sandbox.restore()
    yield sandbox
    sandbox.restore()


@pytest.fixture(autouse=True)
def _image_tests_need_the_built_image(request: pytest.FixtureRequest) -> None:
    """Image tests run the image `make image` built (container.IMAGE_ENV), never one built or pulled here."""
    if not request.node.get_closest_marker("image_tests"):
        return
    if not container.image_under_test():
        pytest.skip(f"the image tests run the image of `make image`; run `make test`, or set {container.IMAGE_ENV}")
    if not container.engine_answers():
        pytest.fail(f"{container.IMAGE_ENV} names an image to test, but no engine answers `docker info`.")
