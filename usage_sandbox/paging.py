"""Slicing a list into pages under the sandbox's page cap (`--page-cap`, `POST /_sandbox/pages`).

A cap makes every page hold at most `cap` items whatever size was asked for, while the page numbers, the
total and the links still describe the whole list, so a client that stops at the first short page loses items.
"""

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    """Page `number` (from 0) of a list of `total` items, `per_page` items a page."""

    number: int
    per_page: int
    total: int

    @property
    def start(self) -> int:
        return self.number * self.per_page

    @property
    def stop(self) -> int:
        return min(self.total, self.start + self.per_page)

    @property
    def last(self) -> int:
        return max(0, math.ceil(self.total / self.per_page) - 1)

    @property
    def has_next(self) -> bool:
        return self.number < self.last


def page_of(number: int, asked: int, total: int, cap: int | None) -> Page:
    return Page(number, asked if cap is None else min(asked, cap), total)


def cut_short(items: list[Any], truncated: bool) -> list[Any]:
    """Under the `truncated` switch, the first half of a page's items, as a proxy that cut the answer short."""
    return items[: len(items) // 2] if truncated else items
