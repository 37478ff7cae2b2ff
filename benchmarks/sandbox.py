"""A usage_sandbox server started for one benchmark size, with connector configs pointing at it."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Optional

from usage_sandbox.client import SandboxClient
from usage_sandbox.connector_config import VENDORS, connector_config
from usage_sandbox.process import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 60.0


class BenchSandbox(SandboxClient):
    """`with BenchSandbox("large", today) as sandbox:` runs the server; configs and the control API."""

    def __init__(self, size: str, today: str, seed: int = 42) -> None:
        super().__init__()
        self.size, self.today, self.seed = size, today, seed
        self.default_today = today
        self._server: Optional[SandboxServer] = None

    def __enter__(self) -> BenchSandbox:
        self._server = SandboxServer(self.seed, self.size, self.today, cwd=ROOT, start_timeout=START_TIMEOUT_SECONDS)
        self.url = self._server.start().url
        return self

    def __exit__(self, kind: Optional[type], error: Optional[BaseException], trace: Optional[TracebackType]) -> None:
        if self._server is not None:
            self._server.stop()

    @property
    def pid(self) -> int:
        return self._server.pid if self._server else 0

    def set_today(self, today: str) -> None:
        super().set_today(today)
        self.today = today

    def prepare(self, latency_ms: float = 0.0, today: Optional[str] = None, limits: bool = True) -> None:
        """Before a measured run: latency, today and limits set, counters and rate-limit state cleared."""
        self.set_latency(latency_ms)
        self.set_today(today or self.default_today)
        self.set_limits({vendor: "default" if limits else False for vendor in VENDORS})
        self.reset()

    def config(self, start_date: str, *vendors: str, **overrides: Any) -> dict[str, Any]:
        """A connector config for the given vendors (all four when none are named)."""
        return connector_config(self.url, start_date, *vendors, **{"lookback_days": 3, **overrides})
