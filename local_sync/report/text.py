"""What a sync prints at the end: rows per stream, requests made, the overview, the credit runway, warnings."""

from collections.abc import Sequence
from typing import Any

from local_sync.answers import money
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


def _last_months(
    figures: Sequence[tuple[tuple[Any, ...], str, float, bool]],
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(headers, rows) of the last OVERVIEW_MONTHS months of (row key, month, value, final) figures: one row per
    key, one column a month in key order, a month not final marked `*`."""
    months = sorted({month for _, month, _, _ in figures})[-OVERVIEW_MONTHS:]
    open_months = {month for _, month, _, final in figures if not final}
    series: dict[tuple[Any, ...], dict[str, float]] = {}
    for key, month, value, _ in figures:
        if month in months:
            series.setdefault(key, {})[month] = value
    headers = [month + ("*" if month in open_months else "") for month in months]
    return headers, [(*key, *(values.get(month) for month in months)) for key, values in series.items()]


def overview_section(connection: Any) -> str:
    """Monthly figures of the last months from usage_monthly, one column a month; * marks a month not yet final.
    One row per vendor, metric, Leaf product and unit: nothing is added across them, and no gauge over days."""
    monthly = answers.monthly_usage(connection)
    headers, usage = _last_months(
        [((f.vendor, f.metric, f.kind, f.product or "", f.unit), f.month, f.quantity, f.final) for f in monthly]
    )
    title = (
        "Overview (view usage_monthly), monthly figures (* not final: the vendor may still revise it; "
        "kind: what the vendor bills, or not):\n"
    )
    note = f"\n  ({answers.ROLLUP_NOTE}.)" if any(figure.product == "UNIFIED_AREA" for figure in monthly) else ""
    return title + table(("vendor", "metric", "kind", "product", "unit", *headers), usage) + note


def leaf_billing_section(connection: Any) -> str | None:
    """Leaf's billable area per contract for the last months (view leaf_billable_area); None without Leaf."""
    billing = answers.leaf_billing(connection)
    if not billing:
        return None
    headers, lines = _last_months(
        [
            (((row.product or "") + (" (rollup)" if row.is_rollup else ""), row.contract_id[:8], row.unit, row.basis),
             row.month, row.area, row.final)
            for row in billing
        ]
    )  # fmt: skip
    title = (
        "Leaf billable area (view leaf_billable_area): per contract, its Leaf users' area added up, overlaps "
        "included, as Leaf bills:\n"
    )
    return title + table(("product", "contract", "unit", "basis", *headers), lines) + f"\n  ({answers.ROLLUP_NOTE}.)"


def costs_section(connection: Any, costs: Sequence[money.MonthlyCost]) -> str | None:
    """Cost per vendor per month of the last months (`costs`, from focus_charges), in the card's currency; None
    without a card."""
    if not costs:
        return None
    headers, lines = _last_months(
        [((cost.vendor, cost.currency), cost.month, round(cost.cost, 2), cost.final) for cost in costs]
    )
    title = "Cost (view focus_charges: the rate card's prices; * not final):\n"
    notes = []
    if money.example_prices(connection):
        notes.append(
            "  (EXAMPLE prices from dbt/seeds/rate_card.csv, not the vendors': pass your card with --rates FILE)"
        )
    unpriced = sum(cost.unpriced for cost in costs)
    if unpriced:
        notes.append(
            f"  ({unpriced:,} billed figure(s) have no price on the rate card and are not counted; "
            "`python -m local_sync focus` names them)"
        )
    return title + table(("vendor", "currency", *headers), lines) + "".join("\n" + note for note in notes)


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
