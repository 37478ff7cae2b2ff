"""What the summary and the report read of the answers in money: the monthly cost by the rate card
(focus_charges) and whether its prices are the package's examples."""

from dataclasses import dataclass
from typing import Any

from local_sync.answers.views import holds_examples, rows, table_names


@dataclass(frozen=True)
class MonthlyCost:
    """What one vendor's usage cost in one month, by the rate card (focus_charges); `unpriced` billed figures
    there have no price yet."""

    vendor: str
    month: str
    currency: str
    cost: float
    final: bool
    unpriced: int


def monthly_costs(connection: Any) -> list[MonthlyCost]:
    """Per vendor and billing month, from focus_charges; none without a rate card."""
    if "focus_charges" not in table_names(connection):
        return []
    sql = """
        SELECT ProviderName, CAST(CAST(BillingPeriodStart AS DATE) AS VARCHAR), min(BillingCurrency),
               coalesce(sum(BilledCost), 0), min(CASE WHEN x_IsComplete THEN 1 ELSE 0 END),
               sum(CASE WHEN BilledCost IS NULL THEN 1 ELSE 0 END)
        FROM focus_charges GROUP BY 1, 2 ORDER BY 1, 2"""
    return [
        MonthlyCost(vendor, month[:7], currency or "", float(cost), bool(final), int(unpriced))
        for vendor, month, currency, cost, final, unpriced in rows(connection, sql)
    ]


def example_prices(connection: Any) -> bool:
    """True when the rate card's prices are the package's examples (its notes say EXAMPLE)."""
    return holds_examples(connection, "rate_card", "billed")
