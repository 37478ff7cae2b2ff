"""Calendar arithmetic shared by the vendors: strict parsing, months, and how complete a day's figures are."""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")

# Share of a day's final figure already reported, by how many days it lies before `today`.
# Today and the two days before are partial and grow as `today` advances.
_PARTIAL = {0: 0.4, 1: 0.7, 2: 0.9}
PARTIAL_DAYS = len(_PARTIAL)


def completeness(day: date, today: date) -> float:
    if day > today:
        return 0.0
    return _PARTIAL.get((today - day).days, 1.0)


def is_final(day: date, today: date) -> bool:
    return (today - day).days >= PARTIAL_DAYS


def parse_day(text: str | None) -> date | None:
    if text is None or not _DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_month(text: str | None) -> int | None:
    """A `YYYY-MM` string as a month index (year * 12 + month - 1), or None."""
    match = _MONTH.match(text or "")
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def parse_year(text: str | None) -> int | None:
    return int(text) if text is not None and _YEAR.match(text) else None


def parse_instant(text: str | None) -> datetime | None:
    """An ISO timestamp such as 2024-01-15T00:00:00.000Z, as an aware UTC datetime, or None."""
    if not text or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_days(index: int) -> list[date]:
    first = month_first_day(index)
    following = month_first_day(index + 1)
    return [first + timedelta(days=offset) for offset in range((following - first).days)]


def day_range(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
