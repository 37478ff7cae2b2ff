"""What a sync shows while it reads: the streams being read and the records so far, per stream."""

from __future__ import annotations

import sys
import time
from typing import TextIO

TERMINAL_SECONDS = 0.5
LOG_SECONDS = 10.0


class Progress:
    """Counts records per stream; redraws one line in a terminal, prints a line every 10 s elsewhere."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.records: dict[str, int] = {}
        self.reading: set[str] = set()
        self.started = time.monotonic()
        self.terminal = out.isatty()
        self._every = TERMINAL_SECONDS if self.terminal else LOG_SECONDS
        self._next = self.started + self._every

    @property
    def total(self) -> int:
        return sum(self.records.values())

    def record(self, stream: str) -> None:
        self.records[stream] = self.records.get(stream, 0) + 1
        if time.monotonic() >= self._next:
            self.show()

    def status(self, stream: str, status: str) -> None:
        if status == "STARTED":
            self.reading.add(stream)
        elif status in ("COMPLETE", "INCOMPLETE"):
            self.reading.discard(stream)
            word = "done" if status == "COMPLETE" else "stopped"
            self._line(f"  {stream}: {word}, {self.records.get(stream, 0):,} records")

    def show(self) -> None:
        self._next = time.monotonic() + self._every
        reading = ", ".join(f"{name} {self.records.get(name, 0):,}" for name in sorted(self.reading)) or "-"
        elapsed = time.monotonic() - self.started
        text = f"  {self.total:,} records so far in {elapsed:.0f} s; reading: {reading}"
        if self.terminal:
            self.out.write("\r\033[K" + text)
            self.out.flush()
        else:
            self._line(text)

    def _line(self, text: str) -> None:
        self.out.write(("\r\033[K" if self.terminal else "") + text + "\n")
        self.out.flush()
