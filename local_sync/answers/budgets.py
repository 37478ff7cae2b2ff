"""Budgets: what a team means to use of each vendor in a month, as a quantity or in money (docs/answers.md,
"Budgets").

A CSV or YAML file the user owns, read and checked before any request, so a budget that cannot be watched stops
the sync at once, in one sentence naming the file, the line and the fix. Its columns are the dbt package's seed
(dbt/seeds/budgets.csv, an example) and, for `make sync`, the table `budgets` that budget_status reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from local_sync.answers import budget_file, rates, seed_tables
from local_sync.answers.budget_file import BudgetError
from local_sync.answers.currencies import ISO_4217

# the dbt package's seed; not through answers.models, which imports jinja2 (kept out of the sync's peak)
EXAMPLE = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "budgets.csv"
COLUMNS = budget_file.COLUMNS
COST = "cost"  # the metric of a budget in money: its unit is the rate card's currency
# per vendor, the quantities a budget may watch: what usage_overview adds up over days (no level, no credits)
QUANTITIES: dict[str, dict[str, tuple[str, ...]]] = {
    vendor: {metric: units for metric, units in metrics.items() if metric not in (*rates.LEVELS, rates.CREDITS)}
    for vendor, metrics in rates.METRICS.items()
}
TABLE = budget_file.TABLE
# the table's columns and types, the same as the seed's `column_types` in dbt/dbt_project.yml
COLUMN_TYPES = {
    "vendor": "varchar", "metric": "varchar", "product": "varchar", "unit": "varchar",
    "amount": "numeric(28,10)", "thresholds": "varchar", "note": "varchar",
}  # fmt: skip
SEPARATORS = re.compile(r"[;,\s]+")


@dataclass(frozen=True)
class Budget:
    """`amount` of `metric` (or, for metric `cost`, money in the currency `unit`) a month, for `vendor` (and one
    Leaf `product`), warned about at each of `thresholds` percent (None: budget_status's default, 80 and 100)."""

    vendor: str
    metric: str
    product: str | None
    unit: str
    amount: Decimal
    thresholds: tuple[Decimal, ...] | None
    note: str | None
    line: int

    @property
    def subject(self) -> str:
        """What the budget watches, in words: `whitepages requests`, `leaf new area by user of FIELDS_BOUNDARY`."""
        return f"{self.vendor} {self.metric}" + (f" of {self.product}" if self.product else "")

    def row(self) -> tuple[object, ...]:
        """The budget as the table `budgets` holds it (thresholds as text: `80;100`)."""
        marks = None if self.thresholds is None else ";".join(_plain(threshold) for threshold in self.thresholds)
        return (self.vendor, self.metric, self.product, self.unit, self.amount, marks, self.note)


@dataclass(frozen=True)
class Budgets:
    path: Path
    budgets: tuple[Budget, ...]

    def table_statements(self) -> list[str]:
        """SQL that (re)creates the table `budgets` holding these, the same on DuckDB and PostgreSQL."""
        return seed_tables.statements(TABLE, COLUMN_TYPES, [budget.row() for budget in self.budgets])


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def read(path: Path, card: rates.RateCard | None) -> Budgets:
    """The budgets in `path` (.csv, .yaml or .yml), checked against the rate card `card` that prices the money
    budgets; raises BudgetError with one sentence naming the file, the line and the fix."""
    if path.suffix.lower() not in (".csv", ".yaml", ".yml"):
        raise BudgetError(f"The budgets file {path} is neither .csv nor .yaml; write it as one of them.")
    text = seed_tables.read_text(path, "the budgets file", BudgetError, "UTF-8")
    read_items = budget_file.csv_items if path.suffix.lower() == ".csv" else budget_file.yaml_items
    items = read_items(path, text)
    found: list[Budget] = []
    for line, fields in items:
        budget = _budget(f"The budgets file {path}, line {line}", line, fields, card)
        for earlier in found:
            if (earlier.vendor, earlier.metric, earlier.product, earlier.unit) == (
                budget.vendor,
                budget.metric,
                budget.product,
                budget.unit,
            ):
                raise BudgetError(
                    f"The budgets file {path}, lines {earlier.line} and {line}, both budget {budget.subject} in "
                    f"{budget.unit}; keep one."
                )
        found.append(budget)
    return Budgets(path, tuple(found))


def _budget(where: str, line: int, fields: dict[str, str], card: rates.RateCard | None) -> Budget:
    vendor, metric = fields["vendor"], fields["metric"]
    if vendor not in QUANTITIES:
        raise BudgetError(f"{where}: vendor {vendor!r} is not one of {', '.join(QUANTITIES)}.")
    if metric != COST and metric not in QUANTITIES[vendor]:
        raise BudgetError(
            f"{where}: {vendor} has no metric {metric!r} to budget; use one of "
            f"{', '.join((*QUANTITIES[vendor], COST))}."
        )
    product = _product(where, vendor, metric, fields.get("product") or None)
    unit = _money_unit(where, vendor, product, fields.get("unit", ""), card) if metric == COST else None
    if metric != COST:
        unit = _quantity_unit(where, vendor, metric, fields.get("unit", ""))
    amount = _amount(where, fields["amount"])
    thresholds = _thresholds(where, fields.get("thresholds", ""))
    return Budget(vendor, metric, product, unit or "", amount, thresholds, fields.get("note") or None, line)


def _product(where: str, vendor: str, metric: str, product: str | None) -> str | None:
    if vendor != "leaf":
        if product is not None:
            raise BudgetError(f"{where}: {vendor} has no product; leave it empty.")
        return None
    if product is None:
        if metric == COST:
            return None
        raise BudgetError(
            f"{where}: a budget of leaf {metric} names its product (one of {', '.join(rates.LEAF_PRODUCTS)}): "
            "Leaf counts each product apart."
        )
    if product not in rates.LEAF_PRODUCTS:
        raise BudgetError(
            f"{where}: product {product!r} is not a Leaf product; use one of {', '.join(rates.LEAF_PRODUCTS)}."
        )
    return product


def _quantity_unit(where: str, vendor: str, metric: str, unit: str) -> str:
    units = QUANTITIES[vendor][metric]
    if not unit:
        if len(units) == 1:
            return units[0]
        raise BudgetError(f"{where}: {vendor} {metric} is counted in {' or '.join(units)}; name the unit.")
    if unit not in units:
        raise BudgetError(f"{where}: unit {unit!r} is not the unit of {vendor} {metric}; use {' or '.join(units)}.")
    return unit


def _money_unit(where: str, vendor: str, product: str | None, unit: str, card: rates.RateCard | None) -> str:
    """The currency of a budget in money: the rate card's, which must price something of the vendor."""
    if card is None:
        raise BudgetError(
            f"{where}: a budget of {vendor} cost needs a rate card to price it; pass one with --rates FILE, or "
            f"budget a quantity ({', '.join(QUANTITIES[vendor])})."
        )
    priced = [
        rate
        for rate in card.rates
        if rate.vendor == vendor and rate.billed and rate.metric != rates.CREDITS
        and (product is None or rate.sku in (None, product))
    ]  # fmt: skip
    if not priced:
        subject = vendor + (f" {product}" if product else "")
        raise BudgetError(
            f"{where}: the rate card {card.path} prices nothing of {subject}, so its cost cannot be watched; add "
            f"its prices to the card, or budget a quantity ({', '.join(QUANTITIES[vendor])})."
        )
    currency = card.currency or ""
    if not unit:
        return currency
    if unit.upper() not in ISO_4217:
        raise BudgetError(f"{where}: unit {unit!r} is not a currency; write the rate card's, {currency}.")
    if unit.upper() != currency:
        raise BudgetError(
            f"{where}: the budget is in {unit.upper()} but the rate card {card.path} prices in {currency}; budget "
            f"in {currency}."
        )
    return currency


def _amount(where: str, text: str) -> Decimal:
    if not text:
        raise BudgetError(f"{where}: amount is empty; write the monthly amount, like 5000.")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0:
        raise BudgetError(f"{where}: amount {text!r} is not a positive number; write the monthly amount, like 5000.")
    return amount


def _thresholds(where: str, text: str) -> tuple[Decimal, ...] | None:
    if not text:
        return None
    found = set()
    for part in SEPARATORS.split(text.strip()):
        try:
            percent = Decimal(part.removesuffix("%"))
        except InvalidOperation:
            percent = Decimal("NaN")
        if not percent.is_finite() or percent <= 0:
            raise BudgetError(
                f"{where}: threshold {part!r} is not a percentage; write percentages of the amount, like 80;100."
            )
        found.add(percent)
    return tuple(sorted(found))
