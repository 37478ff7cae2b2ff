"""What the summary and the report read of the month ahead: usage_forecast (the month's end foreseen) and
budget_status (each budget against it), as the models say; nothing is worked out again here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from local_sync.answers.views import holds_examples, rows, table_names

# budget_status's statuses, the most at risk first
STATUSES = ("over", "forecast over", "warning", "no forecast yet", "on track")


@dataclass(frozen=True)
class Forecast:
    """One row of usage_forecast (numbers as floats)."""

    vendor: str
    metric: str
    product: str | None
    unit: str
    month: date
    as_of: date
    projection: str
    to_date: float
    forecast: float | None
    last_month: float
    last_month_final: bool
    currency: str | None
    cost_to_date: float | None
    cost_forecast: float | None
    last_month_cost: float | None


@dataclass(frozen=True)
class BudgetStatus:
    """One row of budget_status (numbers as floats): `unit` is the currency of a budget in money (metric cost)."""

    vendor: str
    metric: str
    product: str | None
    unit: str | None
    amount: float
    month: date | None
    as_of: date | None
    to_date: float
    percent_to_date: float
    forecast: float | None
    percent_forecast: float | None
    thresholds_crossed: str | None
    crosses_on: date | None
    status: str

    @property
    def subject(self) -> str:
        return f"{self.vendor} {self.metric}" + (f" of {self.product}" if self.product else "")


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def forecasts(connection: Any) -> list[Forecast]:
    """Every row of usage_forecast, by vendor, metric, product and unit."""
    if "usage_forecast" not in table_names(connection):
        return []
    sql = """
        SELECT vendor, metric, product, unit, month, as_of, projection, quantity_to_date, quantity_forecast,
               last_month_quantity, last_month_final, currency, cost_to_date, cost_forecast, last_month_cost
        FROM usage_forecast ORDER BY vendor, metric, product, unit"""
    return [
        Forecast(vendor, metric, product, unit, month, as_of, projection, float(to_date), _number(foreseen),
                 float(last), bool(final), currency, _number(cost), _number(cost_foreseen), _number(last_cost))
        for (vendor, metric, product, unit, month, as_of, projection, to_date, foreseen, last, final, currency, cost,
             cost_foreseen, last_cost) in rows(connection, sql)
    ]  # fmt: skip


def budget_statuses(connection: Any) -> list[BudgetStatus]:
    """Every budget, the most at risk first (STATUSES), then the most foreseen first."""
    if "budget_status" not in table_names(connection):
        return []
    sql = """
        SELECT vendor, metric, product, unit, amount, month, as_of, to_date, percent_to_date, forecast,
               percent_forecast, thresholds_crossed, crosses_on, status
        FROM budget_status"""
    found = [
        BudgetStatus(vendor, metric, product, unit, float(amount), month, as_of, float(to_date), float(percent),
                     _number(foreseen), _number(percent_foreseen), crossed, crosses_on, status)
        for (vendor, metric, product, unit, amount, month, as_of, to_date, percent, foreseen, percent_foreseen,
             crossed, crosses_on, status) in rows(connection, sql)
    ]  # fmt: skip
    return sorted(
        found,
        key=lambda budget: (
            STATUSES.index(budget.status),
            -(budget.percent_forecast or budget.percent_to_date),
            budget.subject,
        ),
    )


def example_budgets(connection: Any) -> bool:
    """True when the budgets are the package's examples (their notes say EXAMPLE)."""
    return holds_examples(connection, "budgets")
