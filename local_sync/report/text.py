"""What a sync prints at the end: rows per stream, requests made, the overview, the credit runway, warnings."""

from collections.abc import Sequence
from typing import Any

from local_sync.answers import views as answers
from source_usage.declared import STREAMS

# stream → vendor, in the order of the stream table in design.md (the manifest's order)
STREAM_VENDORS = {name: stream.vendor for name, stream in STREAMS.items()}
OVERVIEW_MONTHS = 3


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> str:
    """An aligned text table; numbers are right-aligned with thousands separators."""
    cells = [[_cell(value) for value in row] for row in rows]
    columns = range(len(headers))
    numeric = [all(isinstance(row[i], int | float) or row[i] is None for row in rows) for i in columns]
    widths = [max([len(header)] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        padded = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ]
        return (indent + "  ".join(padded)).rstrip()

    return "\n".join([line(headers)] + [line(row) for row in cells])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def rows_section(counts: dict[str, int], db_name: str) -> str:
    """Rows per stream, in the order of the stream table (streams it does not know last, by name)."""
    ordered = [stream for stream in STREAM_VENDORS if stream in counts] + sorted(set(counts) - set(STREAM_VENDORS))
    rows = [(stream, STREAM_VENDORS.get(stream, ""), counts[stream]) for stream in ordered]
    title = f"Rows per stream in {db_name} (one table per stream):\n"
    return title + table(("stream", "vendor", "rows"), rows)


def requests_section(stats: dict[str, Any] | None) -> str:
    """The sandbox's counts per vendor and endpoint; statuses other than 200 are named."""
    if stats is None:
        return "Requests made: not counted (the vendors do not report them; the sandbox does)."
    rows: list[tuple[str, int, str]] = []
    for vendor, endpoints in sorted(stats["vendors"].items()):
        parts = []
        for endpoint, statuses in sorted(endpoints.items()):
            others = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()) if status != "200")
            parts.append(f"{endpoint} {sum(statuses.values())}" + (f" ({others})" if others else ""))
        rows.append((vendor, sum(sum(s.values()) for s in endpoints.values()), ", ".join(parts)))
    rows.append(("total", stats["total"], ""))
    return "Requests made (counted by the sandbox):\n" + table(("vendor", "requests", "by endpoint"), rows)


def overview_section(connection: Any) -> str:
    """Monthly totals of the last months from usage_overview, one column a month; * marks a month not yet final."""
    monthly = answers.monthly_usage(connection)
    months = sorted({month for _, _, _, month, _, _ in monthly})[-OVERVIEW_MONTHS:]
    open_months = {month for _, _, _, month, _, final in monthly if not final}
    series: dict[tuple[str, str, str], dict[str, float]] = {}
    for vendor, metric, unit, month, quantity, _ in monthly:
        if month in months:
            series.setdefault((vendor, metric, unit), {})[month] = quantity
    usage = [(*key, *(values.get(month) for month in months)) for key, values in series.items()]
    headers = [month + ("*" if month in open_months else "") for month in months]
    title = "Overview (view usage_overview), monthly totals (* not final: the vendor may still revise it):\n"
    return title + table(("vendor", "metric", "unit", *headers), usage)


def runway_section(pools: Sequence[answers.Pool]) -> str:
    """Every credit pool of credit_runway: balance, burn rate, days left, exhaustion and reset day, status."""
    if not pools:
        return "Credit runway (view credit_runway): no credit pool synced."
    rows = [
        (
            pool.vendor, pool.account_name or pool.account_id, pool.remaining, pool.available, pool.daily_rate,
            None if pool.days_left is None else round(pool.days_left), pool.runs_out_on or "", pool.resets_on or "",
            pool.status,
        )
        for pool in pools
    ]  # fmt: skip
    headers = ("vendor", "pool", "remaining", "of", "a day", "days left", "runs out", "resets", "status")
    note = "\n  (a day: the last 7 days' rate; without two balances a day apart or daily usage, no rate yet)"
    return "Credit runway (view credit_runway, balances kept in credit_balances):\n" + table(headers, rows) + note


def warnings_section(pools: Sequence[answers.Pool]) -> str | None:
    """A warning per pool that is exhausted or runs out before it resets; None when there is none."""
    lines = []
    for pool in pools:
        name = f"{pool.vendor} {pool.account_name or pool.account_id} ({pool.account_id})"
        if pool.status == "exhausted":
            lines.append(f"  {name}: no {pool.unit.lower()} left (as of {pool.as_of}).")
        elif pool.status == "runs out before reset":
            resets = f"before its reset on {pool.resets_on}" if pool.resets_on else "(the vendor names no reset day)"
            lines.append(
                f"  {name}: runs out on {pool.runs_out_on} {resets}, at {pool.daily_rate:,.1f} "
                f"{pool.unit.lower()} a day; {pool.remaining:,} left."
            )
    return "WARNING: credit pools running out:\n" + "\n".join(lines) if lines else None
