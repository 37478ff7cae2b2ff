"""Date windows cut shorter when a vendor refuses a range, and the shorter step each stream keeps afterwards.

A window is the cursor's slice `[start_time, end_time)`: its end is the first day (month, year) it does not
read, as the manifest's date cursors make it. Only Whitepages publishes its longest range (providers.md), so a
400 for a window wider than one unit halves it, and the stream reads its remaining windows in the step that
worked.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Dict, Iterator, Optional

# the manifest's cursor formats, told apart by their length: %Y-%m-%d, %Y-%m, %Y
UNIT_OF_LENGTH = {10: "day", 7: "month", 4: "year"}


@dataclass(frozen=True)
class Window:
    unit: str
    first: int  # the first unit read, as an ordinal of its unit
    end: int  # the first unit not read

    @classmethod
    def parse(cls, start: object, end: object) -> Optional["Window"]:
        """The window of a cursor slice's bounds, or None when they are not dates of one of the three formats."""
        if not isinstance(start, str) or not isinstance(end, str) or len(start) != len(end):
            return None
        unit = UNIT_OF_LENGTH.get(len(start))
        try:
            return cls(unit, _ordinal(unit, start), _ordinal(unit, end)) if unit else None
        except ValueError:
            return None

    @property
    def units(self) -> int:
        return self.end - self.first

    @property
    def start_text(self) -> str:
        return _text(self.unit, self.first)

    @property
    def end_text(self) -> str:
        return _text(self.unit, self.end)

    def describe(self) -> str:
        """The units read, both ends included: `2024-03`, or `2024-03-01 to 2024-05-31`."""
        last = _text(self.unit, self.end - 1)
        return self.start_text if self.units == 1 else f"{self.start_text} to {last}"

    def head(self, step: Optional[int]) -> "Window":
        """The window's first `step` units (the whole window when no step is known or it is shorter)."""
        return self if not step or self.units <= step else Window(self.unit, self.first, self.first + step)

    def rest(self, head: "Window") -> Optional["Window"]:
        """What remains after `head`, or None."""
        return Window(self.unit, head.end, self.end) if head.end < self.end else None


def _ordinal(unit: str, text: str) -> int:
    if unit == "day":
        return date.fromisoformat(text).toordinal()
    if unit == "month":
        year, month = text.split("-")
        if not 1 <= int(month) <= 12:
            raise ValueError(text)
        return int(year) * 12 + int(month) - 1
    return int(text)


def _text(unit: str, ordinal: int) -> str:
    if unit == "day":
        return date.fromordinal(ordinal).isoformat()
    if unit == "month":
        return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"
    return f"{ordinal:04d}"


class StreamSteps:
    """One stream's step, shared by all its partitions (a vendor's limit is the endpoint's, not an account's).

    A window wider than any this stream has had answered asks alone: the others wait for its answer, so a limit
    shorter than ours costs its halvings once per stream, not once per window read at the same time. With the
    default limits the first answer of a full window lets every other window go. A window that fails otherwise
    (a server error for good, a stopped sync) lets every window go at once, and a wait never outlasts
    `WAIT_SECONDS`, so no window can hold the others for long."""

    WAIT_SECONDS = 120.0

    def __init__(self) -> None:
        self.step: Optional[int] = None  # the most units a request may span, once a window was refused
        self.answered = 0  # the widest window answered
        self._asking = False  # a window wider than `answered` is being asked
        self._open = False  # a window failed otherwise than refused: waiting for answers would only slow the rest
        self._changed = threading.Condition()

    @contextmanager
    def turn(self, span: Window) -> Iterator[Window]:
        """The head of `span` to ask for now, in the step as it is when this window's turn comes."""
        deadline = time.monotonic() + self.WAIT_SECONDS
        with self._changed:
            head = span.head(self.step)
            while self._asking and not self._open and head.units > self.answered and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
                head = span.head(self.step)
            # a window that waited its longest while another still asks goes too, but not as the one asking alone
            alone = head.units > self.answered and not self._open and not self._asking
            self._asking = self._asking or alone
        try:
            yield head
        except BaseException:
            with self._changed:
                self._open = True
            raise
        finally:
            if alone:
                with self._changed:
                    self._asking = False
                    self._changed.notify_all()

    def answer(self, window: Window) -> None:
        with self._changed:
            self.answered = max(self.answered, window.units)

    def refuse(self, window: Window) -> None:
        """Halve the step below the refused window (its first half takes the odd unit)."""
        with self._changed:
            half = (window.units + 1) // 2
            self.step = half if self.step is None else min(self.step, half)


_STEPS: Dict[str, StreamSteps] = {}
_STEPS_LOCK = threading.Lock()


def steps_of(stream: str) -> StreamSteps:
    with _STEPS_LOCK:
        return _STEPS.setdefault(stream, StreamSteps())


def forget_steps() -> None:
    """A new check or sync learns each vendor's limit afresh."""
    with _STEPS_LOCK:
        _STEPS.clear()
