"""usage-report.html: one self-contained page of charts over the answers (no script, no font or file fetched)."""

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from local_sync.answers import alerts as alerting
from local_sync.answers import money, outlook
from local_sync.answers import views as answers
from local_sync.report import notices
from local_sync.report.charts import Point, bars, line, ranking

NAME = "usage-report.html"
TREND_DAYS = 90
TOP_ITEMS = 8

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d2733;
       margin: 0; background: #f4f6f8; }
main { max-width: 1400px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
.meta { color: #5b6b7b; margin: 0 0 16px; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { background: #fff; border: 1px solid #dde3e9; border-radius: 6px; margin: 0; padding: 10px 12px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg .axis { stroke: #8a97a5; } svg .grid { stroke: #e3e8ed; stroke-dasharray: 3 3; }
svg text { font-size: 11px; fill: #5b6b7b; } svg text.label, svg text.value { font-size: 12px; fill: #1d2733; }
svg rect.mark { fill: #2f6db5; } svg rect.mark.open { fill: #a9c4e6; }
svg .line { fill: none; stroke: #2f6db5; stroke-width: 1.5; }
svg circle.mark { fill: #2f6db5; } svg circle.mark.open { fill: #fff; stroke: #c0562b; stroke-width: 1.5; }
svg .limit { stroke: #b3261e; stroke-dasharray: 6 4; stroke-width: 1.5; }
svg .band { fill: #fbeee6; } svg .projection { stroke: #c0562b; stroke-dasharray: 5 4; stroke-width: 1.5; }
.alerts { background: #fdecea; border: 1px solid #e8a29b; border-radius: 6px; padding: 8px 14px; margin: 0 0 12px; }
.alerts.none { background: #eaf5ee; border-color: #9fd0b0; }
.warnings { background: #fff4e5; border: 1px solid #f0b36b; border-radius: 6px; padding: 8px 14px; }
.warnings li { margin: 2px 0; }
table { border-collapse: collapse; background: #fff; } td, th { padding: 3px 8px; border-bottom: 1px solid #e3e8ed; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } th { text-align: left; background: #eef2f6; }
.status-exhausted, .status-runs { color: #b3261e; font-weight: 600; } .status-ok { color: #1e7a3c; }
.legend { color: #5b6b7b; font-size: 12px; }
"""


def _slug(*parts: str) -> str:
    return "-".join("".join(c if c.isalnum() else "_" for c in part.lower()) for part in parts)


def _series_name(vendor: str, metric: str, product: str | None) -> str:
    return f"{vendor} {product}" if product else vendor


def _monthly(connection: Any) -> list[str]:
    """A chart per vendor, metric, Leaf product and unit: no bar adds up two products or two units."""
    series: dict[tuple[str, str, str | None, str], list[Point]] = {}
    for figure in answers.monthly_usage(connection, headline=True):
        key = (figure.vendor, figure.metric, figure.product, figure.unit)
        series.setdefault(key, []).append(Point(figure.month, figure.quantity, figure.final))
    return [
        bars(
            _slug("monthly", vendor, metric, product or "", unit),
            f"{_series_name(vendor, metric, product)}: {metric} a month ({unit})",
            points,
        )
        for (vendor, metric, product, unit), points in series.items()
    ]


def _daily(connection: Any) -> list[str]:
    series: dict[tuple[str, str, str | None, str], list[Point]] = {}
    for vendor, metric, product, unit, day, quantity, final in answers.daily_usage(connection, TREND_DAYS):
        series.setdefault((vendor, metric, product, unit), []).append(Point(day.isoformat(), quantity, final))
    return [
        line(
            _slug("daily", vendor, metric, product or "", unit),
            f"{_series_name(vendor, metric, product)}: {metric} a day"
            + ("" if unit.lower() == metric else f" ({unit.lower()})"),
            points,
        )
        for (vendor, metric, product, unit), points in series.items()
    ]


def _costs(costs: Sequence[money.MonthlyCost]) -> list[str]:
    """A chart per vendor and currency: what each month cost by the rate card."""
    series: dict[tuple[str, str], list[Point]] = {}
    for cost in costs:
        series.setdefault((cost.vendor, cost.currency), []).append(Point(cost.month, cost.cost, cost.final))
    return [
        bars(_slug("cost", vendor, currency), f"{vendor}: cost a month ({currency})", points)
        for (vendor, currency), points in series.items()
    ]


def _budgets(statuses: Sequence[outlook.BudgetStatus]) -> list[str]:
    """A chart per budget, at risk first: used to date and foreseen at the month's end, against the budget."""
    charts = []
    for budget in statuses:
        unit = budget.unit or ""
        points = [Point("to date", budget.to_date)]
        if budget.forecast is not None:
            points.append(Point("month end", budget.forecast, final=False))
        foreseen = "no forecast yet" if budget.forecast is None else f"{budget.percent_forecast:,.0f} % at month end"
        month = f", {budget.month:%Y-%m}" if budget.month else ""
        title = f"{budget.subject} budget{month} ({unit}): {budget.status}, {foreseen}"
        limit = Point(f"budget: {budget.amount:,.2f} {unit}".rstrip(), budget.amount)
        charts.append(bars(_slug("budget", budget.subject, unit), title, points, limit))
    return charts


def _name(key: str, name: str | None) -> str:
    """A readable name with the start of its id, or the id (ids of 36 characters are uuids)."""
    return f"{name} ({key[:8]})" if name else key


def _top(connection: Any) -> list[str]:
    return [
        ranking(
            _slug("top", kind), f"Top {kind}", [(_name(key, name), total, unit) for key, name, unit, total in items]
        )
        for kind, items in answers.top(connection, TOP_ITEMS).items()
        if items
    ]


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, float | int):
        text = f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
        return f'<td class="n">{text}</td>'
    return f"<td>{escape(str(value))}</td>"


def _pools(connection: Any, pools: Sequence[answers.Pool]) -> list[str]:
    history = answers.balance_history(connection)
    parts = []
    for pool in pools:
        kept = history.get((pool.vendor, pool.account_id), [])
        points = [Point(day.isoformat(), float(remaining or 0), at=float(day.toordinal())) for day, remaining in kept]
        projection = None
        if pool.runs_out_on is not None and pool.remaining:
            label = f"runs out {pool.runs_out_on}"
            projection = Point(label, 0.0, at=float(pool.runs_out_on.toordinal()))
        title = f"{pool.vendor} {pool.account_name or pool.account_id}: {pool.unit.lower()} remaining"
        parts.append(line(_slug("balance", pool.vendor, pool.account_id), title, points, projection))
    return parts


def _runway_table(pools: Sequence[answers.Pool]) -> str:
    headers = ("vendor", "pool", "as of", "remaining", "of", "7-day rate", "30-day rate", "from", "days left",
               "runs out", "resets", "status")  # fmt: skip
    rows = []
    for pool in pools:
        status = pool.status.split()[0]
        cells = [
            pool.vendor, f"{pool.account_name or ''} ({pool.account_id})", str(pool.as_of), pool.remaining,
            pool.available, pool.daily_rate_7d, pool.daily_rate_30d, pool.rate_source,
            None if pool.days_left is None else round(pool.days_left), str(pool.runs_out_on or ""),
            str(pool.resets_on or ""),
        ]  # fmt: skip
        rows.append(
            "<tr>"
            + "".join(_cell(value) for value in cells)
            + f'<td class="status-{status}">{escape(pool.status)}</td></tr>'
        )
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    return f'<table id="runway"><tr>{head}</tr>{"".join(rows)}</table>'


def write(
    connection: Any,
    folder: Path,
    source: str,
    costs: Sequence[money.MonthlyCost] | None = None,
    statuses: Sequence[outlook.BudgetStatus] | None = None,
    alerts: Sequence[alerting.Alert] | None = None,
) -> Path:
    """Writes usage-report.html into `folder` from the answers in `connection`; returns its path. `costs`,
    `statuses` and `alerts`, when the caller has read them already, are not read again."""
    pools = answers.runway(connection)
    statuses = outlook.budget_statuses(connection) if statuses is None else statuses
    alerts = alerting.open_alerts(connection) if alerts is None else alerts
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("Budgets: the month's end foreseen against each budget", _budgets(statuses),
         "At risk first. Dark bar: used to date; light bar: foreseen at the month's end (view usage_forecast); "
         "dashed line: the budget (view budget_status)" + (": EXAMPLE budgets, not yours"
         if outlook.example_budgets(connection) else "") + "."),
        ("Usage per vendor per month", _monthly(connection),
         "Light bars: months a vendor may still revise (x_IsComplete false). One chart per Leaf product and unit: "
         + answers.ROLLUP_NOTE + "."),
        ("Cost per vendor per month", _costs(money.monthly_costs(connection) if costs is None else costs),
         "By the rate card's prices (view focus_charges)" + (": EXAMPLE prices, not the vendors'"
         if money.example_prices(connection) else "") + ". Light bars: months not final."),
        (f"Daily trend, last {TREND_DAYS} days", _daily(connection),
         "Hollow dots on the shaded band: days a vendor may still revise."),
        ("Top consumers (everything synced)", _top(connection), ""),
        ("Credit pools: balance history and runway", _pools(connection, pools),
         "Dots: every balance kept in credit_balances; dashed: the projection to zero at the 7-day rate."),
    ]  # fmt: skip
    body = [
        f'<h1>Usage report</h1><p class="meta">Synced from {escape(source)}; written {now}. '
        "Views: usage_overview, usage_monthly, leaf_billable_area, focus_charges, usage_forecast, budget_status, "
        "credit_balances, credit_runway, usage_alerts.</p>",
        notices.alerts(alerts),
        notices.warnings(pools),
    ]
    for title, charts, legend in sections:
        body.append(f"<h2>{escape(title)}</h2>")
        if legend:
            body.append(f'<p class="legend">{escape(legend)}</p>')
        if title.startswith("Credit pools"):
            body.append(_runway_table(pools))
        body.append('<div class="grid">' + ("".join(charts) or "<p>Nothing synced yet.</p>") + "</div>")
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        "<title>Usage report</title>"
        f"<style>{STYLE}</style></head><body><main>{''.join(body)}</main></body></html>\n"
    )
    path = folder / NAME
    path.write_text(html, encoding="utf-8")
    return path
