"""The `sandbox` fixture: one usage_sandbox server per session (per xdist worker) on a free port.

Environment overrides: USAGE_SANDBOX_TODAY (default 2026-11-20), USAGE_SANDBOX_SEED (42),
USAGE_SANDBOX_SIZE (small), USAGE_SANDBOX_URL (use a sandbox that is already running instead of starting one).
"""

import copy
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from usage_sandbox import credentials
from usage_sandbox.truth import truth

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TODAY = "2026-11-20"
VENDORS = ("leadfeeder", "insideview", "whitepages", "leaf")
START_TIMEOUT_SECONDS = 30.0


class Sandbox:
    """A running sandbox: its URL and today, connector configs pointing at it, and its control API."""

    def __init__(self, url: str, seed: int, size: str, today: str) -> None:
        self.url, self.seed, self.size = url, seed, size
        self.today = self.default_today = today
        self.http = requests.Session()

    def config(self, *vendors: str, start_date: str | None = None, **overrides: Any) -> dict[str, Any]:
        """A complete connector config for the given vendors (all four when none are named)."""
        url = self.url
        blocks = {
            "leadfeeder": {
                "api_key": credentials.LEADFEEDER_API_KEY,
                "account_ids": [],
                "base_url": f"{url}/leadfeeder",
            },
            "insideview": {
                "client_id": credentials.INSIDEVIEW_CLIENT_ID,
                "client_secret": credentials.INSIDEVIEW_CLIENT_SECRET,
                "period": "day",
                "base_url": f"{url}/insideview",
                "token_url": f"{url}/insideview-login/Auth/login/v1/token.json",
            },
            "whitepages": {"api_key": credentials.WHITEPAGES_API_KEY, "base_url": f"{url}/whitepages"},
            "leaf": {
                "username": credentials.LEAF_USERNAME,
                "password": credentials.LEAF_PASSWORD,
                "base_url": f"{url}/leaf",
            },
        }
        unknown = set(vendors) - set(VENDORS)
        if unknown:
            raise ValueError(f"unknown vendors {sorted(unknown)}")
        config: dict[str, Any] = {
            "start_date": start_date or self.default_start_date(),
            "end_date": self.today,
            "lookback_days": 3,
        }
        for vendor in vendors or VENDORS:
            config[vendor] = copy.deepcopy(blocks[vendor])
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key].update(value)
            else:
                config[key] = value
        return config

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

    def restore(self) -> None:
        """Back to how the session started: no faults, the default today and limits, counters cleared."""
        self.set_faults("none")
        self.set_today(self.default_today)
        self.set_limits({vendor: "default" for vendor in VENDORS})
        self.reset()

    def truth(self, start_date: str, **kw: Any) -> dict[str, list[dict[str, Any]]]:
        return truth(self.seed, self.size, kw.pop("today", self.today), start_date, **kw)


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    found: list[str] = []
    reader = threading.Thread(
        target=lambda: found.append(process.stdout.readline() if process.stdout else "")
    )
    reader.daemon = True
    reader.start()
    reader.join(START_TIMEOUT_SECONDS)
    line = found[0] if found else ""
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"usage-sandbox did not start: {line!r}")
    return line.strip().rsplit(" ", 1)[-1]


def _wait_for_health(url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            if requests.get(f"{url}/_sandbox/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"usage-sandbox at {url} is not healthy")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    seed = int(os.environ.get("USAGE_SANDBOX_SEED", "42"))
    size = os.environ.get("USAGE_SANDBOX_SIZE", "small")
    today = os.environ.get("USAGE_SANDBOX_TODAY", DEFAULT_TODAY)
    external = os.environ.get("USAGE_SANDBOX_URL")
    if external:
        _wait_for_health(external)
        yield Sandbox(external.rstrip("/"), seed, size, today)
        return
    command = [
        sys.executable,
        "-m",
        "usage_sandbox",
        "serve",
        "--port",
        "0",
        "--seed",
        str(seed),
        "--size",
        size,
        "--today",
        today,
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        url = _wait_for_url(process)
        _wait_for_health(url)
        yield Sandbox(url, seed, size, today)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def fresh_sandbox(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox with counters cleared, restored to its defaults after the test."""
    sandbox.restore()
    yield sandbox
    sandbox.restore()
