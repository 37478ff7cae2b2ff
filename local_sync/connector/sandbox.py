"""The sandbox as a child process for one sync: started on a free port, its request counts, stopped."""

from pathlib import Path
from typing import Any

from usage_sandbox.client import SandboxClient
from usage_sandbox.process import SandboxServer, SandboxStartError

__all__ = ["SandboxProcess", "SandboxStartError"]


class SandboxProcess(SandboxServer):
    """`with SandboxProcess(seed, size, today, log) as sandbox:` serves the four vendors at `sandbox.url`; Leaf's
    daily summary read as `leaf_daily_summary` says (`to_date` or `day`)."""

    def __init__(self, seed: int, size: str, today: str, log_path: Path, leaf_daily_summary: str) -> None:
        super().__init__(seed, size, today, log_path=log_path, extra_args=["--leaf-daily-summary", leaf_daily_summary])

    def stats(self) -> dict[str, Any]:
        """`{"vendors": {vendor: {endpoint: {status: count}}}, "total": n}` since the sandbox started."""
        return SandboxClient(self.url).stats()
