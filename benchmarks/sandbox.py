"""A usage_sandbox server started for one benchmark size, with connector configs pointing at it."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Optional

import requests

from usage_sandbox import credentials

ROOT = Path(__file__).resolve().parent.parent
VENDORS = ("leadfeeder", "insideview", "whitepages", "leaf")
START_TIMEOUT_SECONDS = 60.0


class BenchSandbox:
    """`with BenchSandbox("large", today) as sandbox:` runs the server; configs and the control API."""

    def __init__(self, size: str, today: str, seed: int = 42) -> None:
        self.size, self.today, self.seed = size, today, seed
        self.default_today = today
        self.url = ""
        self.http = requests.Session()
        self._process: Optional[subprocess.Popen[str]] = None

    def __enter__(self) -> BenchSandbox:
        command = [
            sys.executable,
            "-m",
            "usage_sandbox",
            "serve",
            "--port",
            "0",
            "--seed",
            str(self.seed),
            "--size",
            self.size,
            "--today",
            self.today,
        ]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        self._process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        line = self._process.stdout.readline() if self._process.stdout else ""
        if "http://" not in line:
            self._process.kill()
            raise RuntimeError(f"usage-sandbox did not start: {line!r}")
        self.url = line.strip().rsplit(" ", 1)[-1]
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._healthy():
            if time.monotonic() > deadline:
                raise RuntimeError(f"usage-sandbox at {self.url} is not healthy")
            time.sleep(0.05)
        return self

    def __exit__(
        self, kind: Optional[type], error: Optional[BaseException], trace: Optional[TracebackType]
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    @property
    def pid(self) -> int:
        return self._process.pid if self._process else 0

    def _healthy(self) -> bool:
        try:
            return self.http.get(f"{self.url}/_sandbox/health", timeout=2).ok
        except requests.ConnectionError:
            return False

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

    def set_latency(self, latency_ms: float) -> None:
        self._post(
            "faults",
            {"profiles": [{"name": "latency", "latency_ms": latency_ms}] if latency_ms else ["none"]},
        )

    def set_today(self, today: str) -> None:
        self._post("today", {"today": today})
        self.today = today

    def set_limits(self, limits: dict[str, Any]) -> None:
        self._post("limits", limits)

    def prepare(self, latency_ms: float = 0.0, today: Optional[str] = None, limits: bool = True) -> None:
        """Before a measured run: latency, today and limits set, counters and rate-limit state cleared."""
        self.set_latency(latency_ms)
        self.set_today(today or self.default_today)
        self.set_limits({vendor: "default" if limits else False for vendor in VENDORS})
        self.reset()

    def config(self, start_date: str, *vendors: str, **overrides: Any) -> dict[str, Any]:
        """A connector config for the given vendors (all four when none are named)."""
        blocks: dict[str, dict[str, Any]] = {
            "leadfeeder": {
                "api_key": credentials.LEADFEEDER_API_KEY,
                "account_ids": [],
                "base_url": f"{self.url}/leadfeeder",
            },
            "insideview": {
                "client_id": credentials.INSIDEVIEW_CLIENT_ID,
                "client_secret": credentials.INSIDEVIEW_CLIENT_SECRET,
                "period": "day",
                "base_url": f"{self.url}/insideview",
                "token_url": f"{self.url}/insideview-login/Auth/login/v1/token.json",
            },
            "whitepages": {"api_key": credentials.WHITEPAGES_API_KEY, "base_url": f"{self.url}/whitepages"},
            "leaf": {
                "username": credentials.LEAF_USERNAME,
                "password": credentials.LEAF_PASSWORD,
                "base_url": f"{self.url}/leaf",
            },
        }
        config: dict[str, Any] = {"start_date": start_date, "lookback_days": 3}
        for vendor in vendors or VENDORS:
            config[vendor] = copy.deepcopy(blocks[vendor])
        config.update(overrides)
        return config
