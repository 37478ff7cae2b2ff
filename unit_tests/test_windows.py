"""source_usage/windows.py: windows of days, months and years as the cursor slices them, cut in halves and steps,
and one stream's step shared by its windows."""

from __future__ import annotations

import threading
from typing import List, Optional

import pytest

from source_usage.windows import StreamSteps, Window, forget_steps, steps_of


def texts(span: Optional[Window], step: Optional[int]) -> List[str]:
    """The span cut into windows of the step, each as it reads (both ends included)."""
    cut: List[str] = []
    while span is not None:
        head = span.head(step)
        cut.append(head.describe())
        span = span.rest(head)
    return cut


@pytest.mark.parametrize(
    ("start", "end", "unit", "units", "described"),
    [
        ("2024-02-01", "2024-03-01", "day", 29, "2024-02-01 to 2024-02-29"),  # a leap February
        ("2025-12-31", "2026-01-01", "day", 1, "2025-12-31"),
        ("2024-11", "2025-02", "month", 3, "2024-11 to 2025-01"),
        ("2025-12", "2026-01", "month", 1, "2025-12"),
        ("2017", "2027", "year", 10, "2017 to 2026"),
    ],
)
def test_a_cursor_slice_is_a_half_open_window_of_its_format_unit(
    start: str, end: str, unit: str, units: int, described: str
) -> None:
    window = Window.parse(start, end)

    assert window is not None and (window.unit, window.units, window.describe()) == (unit, units, described)
    assert (window.start_text, window.end_text) == (start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), ("2024-01-01", "2024-02"), ("2024-13", "2025-01"), ("2024-02-30", "2024-03-01"), (1, 2), ("x", "y")],
)
def test_bounds_that_are_not_one_date_format_are_no_window(start: object, end: object) -> None:
    assert Window.parse(start, end) is None


@pytest.mark.parametrize(
    ("start", "end", "step", "expected"),
    [
        ("2026-03-01", "2026-11-21", None, ["2026-03-01 to 2026-11-20"]),
        (
            "2024-12-20",
            "2025-01-05",
            7,
            ["2024-12-20 to 2024-12-26", "2024-12-27 to 2025-01-02", "2025-01-03 to 2025-01-04"],
        ),
        ("2024-02-27", "2024-03-02", 2, ["2024-02-27 to 2024-02-28", "2024-02-29 to 2024-03-01"]),
        ("2024-01", "2026-12", 12, ["2024-01 to 2024-12", "2025-01 to 2025-12", "2026-01 to 2026-11"]),
        ("2024-11", "2025-03", 1, ["2024-11", "2024-12", "2025-01", "2025-02"]),
        ("2019", "2027", 3, ["2019 to 2021", "2022 to 2024", "2025 to 2026"]),
    ],
)
def test_a_window_is_read_in_consecutive_steps_across_month_and_year_ends(
    start: str, end: str, step: Optional[int], expected: List[str]
) -> None:
    assert texts(Window.parse(start, end), step) == expected


def days(start: str, end: str) -> Window:
    window = Window.parse(start, end)
    assert window is not None
    return window


def test_a_stream_keeps_the_shortest_step_and_a_new_sync_forgets_it() -> None:
    forget_steps()
    steps = steps_of("daily_usage")
    steps.refuse(days("2026-01-01", "2026-04-01"))  # 90 days: 45
    steps.refuse(days("2026-01-01", "2026-02-15"))  # 45 days: 23
    steps.refuse(days("2026-01-01", "2026-04-01"))

    assert steps_of("daily_usage").step == 23 and steps_of("api_usage").step is None
    forget_steps()
    assert steps_of("daily_usage").step is None


class Asker(threading.Thread):
    """Takes its turn for a span and keeps it until told to finish: answered, refused or failed."""

    def __init__(self, steps: StreamSteps, span: Window) -> None:
        super().__init__(daemon=True)
        self.steps, self.span = steps, span
        self.asked: Optional[Window] = None
        self.finish: Optional[str] = None
        self.go = threading.Event()

    def run(self) -> None:
        try:
            with self.steps.turn(self.span) as window:  # answered or refused within its turn, as the retriever does
                self.asked = window
                self.go.wait(5)
                if self.finish == "fail":
                    raise RuntimeError("a server error for good")
                if self.finish == "answer":
                    self.steps.answer(window)
                elif self.finish == "refuse":
                    self.steps.refuse(window)
        except RuntimeError:
            pass

    def end(self, how: str) -> None:
        self.finish = how
        self.go.set()
        self.join(5)


def started(steps: StreamSteps, span: Window) -> Asker:
    asker = Asker(steps, span)
    asker.start()
    asker.join(0.2)  # long enough to have taken its turn, or to be waiting for it
    return asker


@pytest.mark.parametrize("how", ["answer", "refuse", "fail"])
def test_a_window_wider_than_any_answered_asks_alone_and_the_others_ask_as_its_answer_says(how: str) -> None:
    steps = StreamSteps()
    first = started(steps, days("2026-01-01", "2026-04-01"))
    second = started(steps, days("2026-04-01", "2026-06-30"))
    assert first.asked is not None and first.asked.units == 90 and second.asked is None  # waiting

    first.end(how)
    second.join(0.5)

    assert second.asked is not None
    # answered: 90 days fit, the whole window; refused: the step that was halved; failed: as it was
    assert second.asked.units == {"answer": 90, "refuse": 45, "fail": 90}[how]
    second.end("answer")


def test_a_window_no_wider_than_one_answered_never_waits() -> None:
    steps = StreamSteps()
    steps.answer(days("2026-01-01", "2026-04-01"))
    wide = started(steps, days("2026-04-01", "2026-07-31"))  # 121 days: asks alone
    narrow = started(steps, days("2026-08-01", "2026-10-30"))  # 90 days: goes at once

    assert wide.asked is not None and narrow.asked is not None and narrow.asked.units == 90
    wide.end("answer")
    narrow.end("answer")


def test_a_window_that_waited_its_longest_goes_without_freeing_the_window_still_asking_alone() -> None:
    steps = StreamSteps()
    steps.WAIT_SECONDS = 0.3  # type: ignore[misc]
    first = started(steps, days("2026-01-01", "2026-04-01"))
    tired = started(steps, days("2026-04-01", "2026-06-30"))
    tired.join(0.5)
    assert tired.asked is not None and first.is_alive()  # it waited 0.3 s, then went

    tired.end("answer")  # its answer must not end the first window's turn
    steps.WAIT_SECONDS = 5.0  # type: ignore[misc]
    third = started(steps, days("2026-07-01", "2026-12-31"))  # 184 days: wider than any answered

    assert third.asked is None  # still waiting for the first window
    first.end("answer")
    third.join(0.5)
    assert third.asked is not None
    third.end("answer")
