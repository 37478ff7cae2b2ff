"""Inline SVG charts for the HTML report: no script, no font or file from anywhere. Every drawn datum is one
element of class `mark` (a bar or a point), so a browser test can count them against the data."""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 36


@dataclass(frozen=True)
class Point:
    """One datum: its label on the x axis, its value, and whether the vendor may still revise it."""

    label: str
    value: float
    final: bool = True


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


def bars(chart_id: str, title: str, points: Sequence[Point]) -> str:
    """Vertical bars, one per point; a bar not yet final is drawn hatched-light (class `open`)."""
    top = _scale(points)
    base = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    body = _axis(top, HEIGHT)
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


def line(chart_id: str, title: str, points: Sequence[Point], projection: tuple[int, float] | None = None) -> str:
    """A line through the points with a dot per point; points not final are hollow dots over a shaded band.

    `projection` (slots after the last point, value) draws a dashed line to where the series is projected to go.
    """
    top = _scale(points)
    base = HEIGHT - BOTTOM
    slots = len(points) - 1 + (projection[0] if projection else 0)
    step = (WIDTH - LEFT - RIGHT) / max(slots, 1)
    body = _axis(top, HEIGHT)

    def y(value: float) -> float:
        return base - (base - TOP) * value / top

    first_open = next((index for index, point in enumerate(points) if not point.final), None)
    if first_open is not None:
        x = max(LEFT + first_open * step - step / 2, LEFT)
        width = LEFT + (len(points) - 1) * step + step / 2 - x
        body.append(
            f'<rect class="band" x="{x:.1f}" y="{TOP}" width="{width:.1f}" height="{base - TOP}">'
            "<title>not final: the vendor may still revise these days</title></rect>"
        )
    path = " ".join(f"{LEFT + index * step:.1f},{y(point.value):.1f}" for index, point in enumerate(points))
    body.append(f'<polyline class="line" points="{path}"/>')
    if projection and points:
        x0, y0 = LEFT + (len(points) - 1) * step, y(points[-1].value)
        x1, y1 = LEFT + slots * step, y(projection[1])
        body.append(f'<line class="projection" x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}"/>')
    for index, point in enumerate(points):
        state = "" if point.final else " open"
        body.append(
            f'<circle class="mark{state}" cx="{LEFT + index * step:.1f}" cy="{y(point.value):.1f}" r="3">'
            f"<title>{escape(point.label)}: {_number(point.value)}{'' if point.final else ' (not final)'}</title>"
            "</circle>"
        )
    if points:
        body.append(f'<text class="tick" x="{LEFT}" y="{base + 16}">{escape(points[0].label)}</text>')
        body.append(
            f'<text class="tick" x="{LEFT + (len(points) - 1) * step:.1f}" y="{base + 16}" text-anchor="end">'
            f"{escape(points[-1].label)}</text>"
        )
    return _frame(chart_id, title, body, len(points))


def ranking(chart_id: str, title: str, items: Sequence[tuple[str, float, str]]) -> str:
    """Horizontal bars for (label, value, unit) items, in the order given, with their labels and values."""
    row = 22
    height = TOP + row * len(items) + 8
    top = max([value for _, value, _ in items] + [0.0]) or 1.0
    label_width = 300
    span = WIDTH - label_width - RIGHT - 110
    body = []
    for index, (label, value, unit) in enumerate(items):
        y = TOP + index * row
        width = max(span * value / top, 1)
        text = f"{_number(value)} {unit}"
        body.append(
            f'<text class="label" x="{label_width - 8}" y="{y + 14}" text-anchor="end">{escape(label[:48])}</text>'
        )
        body.append(
            f'<rect class="mark" x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 8}">'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
        )
        body.append(f'<text class="value" x="{label_width + width + 6:.1f}" y="{y + 14}">{escape(text)}</text>')
    return _frame(chart_id, title, body, len(items), height)
