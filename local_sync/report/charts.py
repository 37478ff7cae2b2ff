"""Inline SVG charts for the HTML report: no script, no font or file from anywhere. Every drawn datum is one
element of class `mark` (a bar or a point), so a browser test can count them against the data."""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 600, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 36
PROJECTION_DAYS = 120


@dataclass(frozen=True)
class Point:
    """One datum: its label on the x axis, its value, and whether the vendor may still revise it."""

    label: str
    value: float
    final: bool = True
    at: float | None = None


def _number(value: float) -> str:
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _frame(chart_id: str, title: str, body: list[str], marks: int, height: int = HEIGHT) -> str:
    return (
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
        f'<svg id="{escape(chart_id)}" data-marks="{marks}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(body)
        + "</svg></figure>"
    )


def _axis(top_value: float, height: int) -> list[str]:
    """The y axis: a baseline and the top value."""
    base = height - BOTTOM
    return [
        f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>',
        f'<line class="grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{_number(top_value)}</text>',
        f'<text class="tick" x="{LEFT - 6}" y="{base + 4}" text-anchor="end">0</text>',
    ]


def _scale(points: Sequence[Point]) -> float:
    return max([point.value for point in points] + [0.0]) or 1.0


def bars(chart_id: str, title: str, points: Sequence[Point], limit: Point | None = None) -> str:
    """Vertical bars, one per point; a bar not yet final is drawn hatched-light (class `open`). `limit` (a budget)
    is a dashed line across at its value (class `limit`), titled with its label."""
    top = max(_scale(points), limit.value if limit else 0.0)
    base = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    body = _axis(top, HEIGHT)
    if limit is not None:
        at = base - (base - TOP) * limit.value / top
        body.append(
            f'<line class="limit" x1="{LEFT}" y1="{at:.1f}" x2="{WIDTH - RIGHT}" y2="{at:.1f}">'
            f"<title>{escape(limit.label)}: {_number(limit.value)}</title></line>"
        )
    for index, point in enumerate(points):
        tall = (base - TOP) * point.value / top
        x = LEFT + index * slot + slot * 0.15
        state = "" if point.final else " open"
        body.append(
            f'<rect class="mark{state}" x="{x:.1f}" y="{base - tall:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{tall:.1f}"><title>{escape(point.label)}: {_number(point.value)}'
            f"{'' if point.final else ' (not final)'}</title></rect>"
        )
        body.append(
            f'<text class="tick" x="{x + slot * 0.35:.1f}" y="{base + 16}" text-anchor="middle">'
            f"{escape(point.label)}</text>"
        )
    return _frame(chart_id, title, body, len(points))


def line(chart_id: str, title: str, points: Sequence[Point], projection: Point | None = None) -> str:
    """A line through the points with a dot per point; points not final are hollow dots over a shaded band.

    Points are evenly spaced, or placed at `at` (a day number) when every point has one. `projection` (with `at`)
    draws a dashed line towards it, cut at PROJECTION_DAYS after the last point, labelled with its label.
    """
    top = _scale(points)
    base = HEIGHT - BOTTOM
    timed = bool(points) and all(point.at is not None for point in points)
    places = [float(point.at) if timed and point.at is not None else float(index) for index, point in enumerate(points)]
    end = places[-1] if places else 0.0
    if projection is not None and projection.at is not None and points:
        end = min(float(projection.at), end + PROJECTION_DAYS)
    start = places[0] if places else 0.0
    span = (WIDTH - LEFT - RIGHT) / max(end - start, 1.0)
    body = _axis(top, HEIGHT)

    def x(place: float) -> float:
        return LEFT + (place - start) * span

    def y(value: float) -> float:
        return base - (base - TOP) * value / top

    first_open = next((index for index, point in enumerate(points) if not point.final), None)
    if first_open is not None:
        left = max(x(places[first_open]) - span / 2, LEFT)
        body.append(
            f'<rect class="band" x="{left:.1f}" y="{TOP}" width="{x(places[-1]) + span / 2 - left:.1f}" '
            f'height="{base - TOP}"><title>not final: the vendor may still revise these days</title></rect>'
        )
    path = " ".join(f"{x(place):.1f},{y(point.value):.1f}" for place, point in zip(places, points, strict=True))
    body.append(f'<polyline class="line" points="{path}"/>')
    last_label = points[-1].label if points else ""
    if projection is not None and projection.at is not None and points:
        # the straight line from the last point to the projection, up to the chart's end
        share = (end - places[-1]) / max(float(projection.at) - places[-1], 1.0)
        value = points[-1].value + (projection.value - points[-1].value) * share
        body.append(
            f'<line class="projection" x1="{x(places[-1]):.1f}" y1="{y(points[-1].value):.1f}" '
            f'x2="{x(end):.1f}" y2="{y(value):.1f}"><title>{escape(projection.label)}</title></line>'
        )
        last_label = projection.label
    for place, point in zip(places, points, strict=True):
        state = "" if point.final else " open"
        body.append(
            f'<circle class="mark{state}" cx="{x(place):.1f}" cy="{y(point.value):.1f}" r="3">'
            f"<title>{escape(point.label)}: {_number(point.value)}{'' if point.final else ' (not final)'}</title>"
            "</circle>"
        )
    if points:
        body.append(f'<text class="tick" x="{LEFT}" y="{base + 16}">{escape(points[0].label)}</text>')
        body.append(
            f'<text class="tick" x="{WIDTH - RIGHT}" y="{base + 16}" text-anchor="end">{escape(last_label)}</text>'
        )
    return _frame(chart_id, title, body, len(points))


def ranking(chart_id: str, title: str, items: Sequence[tuple[str, float, str]]) -> str:
    """Horizontal bars for (label, value, unit) items, in the order given, with their labels and values."""
    row = 22
    height = TOP + row * len(items) + 8
    top = max([value for _, value, _ in items] + [0.0]) or 1.0
    label_width = 270
    span = WIDTH - label_width - RIGHT - 110
    body = []
    for index, (label, value, unit) in enumerate(items):
        y = TOP + index * row
        width = max(span * value / top, 1)
        text = f"{_number(value)} {unit}"
        body.append(
            f'<text class="label" x="{label_width - 8}" y="{y + 14}" text-anchor="end">{escape(label[:44])}</text>'
        )
        body.append(
            f'<rect class="mark" x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 8}">'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
        )
        body.append(f'<text class="value" x="{label_width + width + 6:.1f}" y="{y + 14}">{escape(text)}</text>')
    return _frame(chart_id, title, body, len(items), height)
