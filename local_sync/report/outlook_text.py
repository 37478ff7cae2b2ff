"""The summary's month ahead: each budget against its month (budgets at risk first), the month's end foreseen per
vendor, metric, Leaf product and unit, the open alerts and what --notify sent of them."""

from collections.abc import Sequence

from local_sync.answers.alerts import Alert
from local_sync.answers.outlook import BudgetStatus, Forecast
from local_sync.notify.deliver import Delivery
from local_sync.report.text import table

EXAMPLE_NOTE = "  (EXAMPLE budgets from dbt/seeds/budgets.csv, not yours: pass your budgets with --budgets FILE)"


def _amount(value: float | None, unit: str | None) -> str:
    if value is None:
        return ""
    text = f"{value:,.2f}" if unit and len(unit) == 3 and unit.isupper() else f"{value:,.0f}"
    return f"{text} {unit or ''}".rstrip()


def budgets_section(statuses: Sequence[BudgetStatus], examples: bool) -> str | None:
    """Each budget: status, used so far, foreseen, thresholds crossed, the crossing day; at risk first."""
    if not statuses:
        return None
    month = next((budget.month for budget in statuses if budget.month), None)
    as_of = next((budget.as_of for budget in statuses if budget.as_of), None)
    title = f"Budgets for {month:%Y-%m} (view budget_status, as of {as_of}; at risk first):\n" if month else (
        "Budgets (view budget_status): no figure of their vendors synced yet.\n"
    )  # fmt: skip
    rows = [
        (
            budget.status.upper() if budget.status in ("over", "forecast over", "warning") else budget.status,
            budget.subject, _amount(budget.amount, budget.unit), _amount(budget.to_date, budget.unit),
            f"{budget.percent_to_date:,.0f} %", _amount(budget.forecast, budget.unit),
            "" if budget.percent_forecast is None else f"{budget.percent_forecast:,.0f} %",
            budget.thresholds_crossed or "", budget.crosses_on or "",
        )
        for budget in statuses
    ]  # fmt: skip
    headers = ("status", "budget", "a month", "to date", "used", "month end", "of budget", "crossed %", "crosses on")
    notes = "\n  (crosses on: the day the budget was crossed, or is foreseen to be at the current rate)"
    return title + table(headers, rows) + notes + ("\n" + EXAMPLE_NOTE if examples else "")


def forecast_section(forecasts: Sequence[Forecast]) -> str | None:
    """The month's end foreseen per vendor, metric, Leaf product and unit, beside last month (* not final)."""
    if not forecasts:
        return None
    rows = [
        (
            row.vendor, row.metric, row.product or "", row.unit, row.to_date,
            None if row.forecast is None else round(row.forecast, 2), round(row.last_month, 2),
            _amount(row.cost_to_date, row.currency), _amount(row.cost_forecast, row.currency),
        )
        for row in forecasts
    ]  # fmt: skip
    month = max(row.month for row in forecasts)
    open_last = any(not row.last_month_final for row in forecasts)
    title = (
        f"Month-end forecast for {month:%Y-%m} (view usage_forecast: the complete days' rate, or the month to date "
        "over the days elapsed):\n"
    )
    headers = ("vendor", "metric", "product", "unit", "to date", "month end", "last month" + ("*" if open_last else ""),
               "cost to date", "cost at month end")  # fmt: skip
    notes = []
    if any(row.forecast is None for row in forecasts):
        notes.append("  (no month end: no complete day yet, so nothing is foreseen)")
    if open_last:
        notes.append("  (* last month not final: the vendor may still revise it)")
    return title + table(headers, rows) + "".join("\n" + note for note in notes)


def alerts_section(alerts: Sequence[Alert]) -> str:
    """Every open alert (view usage_alerts), by kind."""
    if not alerts:
        return "Alerts (view usage_alerts): none open."
    rows = [
        (alert.kind, alert.subject, round(alert.value, 2), round(alert.threshold, 2), alert.unit, alert.first_seen)
        for alert in alerts
    ]
    title = f"ALERTS (view usage_alerts): {len(alerts)} open:\n"
    return title + table(("kind", "about", "value", "threshold", "unit", "first seen"), rows)


def notifications_section(deliveries: Sequence[Delivery]) -> str:
    """What each --notify target got (named by its scheme and place, never its URL)."""
    lines = "\n".join(f"  {delivery.sentence()}" for delivery in deliveries)
    return f"Notifications (--notify; what was sent is kept in alerts_sent):\n{lines}"
