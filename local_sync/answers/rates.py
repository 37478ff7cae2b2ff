"""The rate card: what each billed figure costs, a CSV the user owns (docs/answers.md, "The rate card").

Read and checked before any request, so a card that cannot price a sync stops it at once, in one sentence naming
the file, the line and the fix. The same file is the dbt package's seed (dbt/seeds/rate_card.csv, an example card)
and, for `make sync`, the table `rate_card` the models read.
"""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from local_sync.answers import seed_tables
from local_sync.answers.currencies import ISO_4217

# the dbt package's seed; not through answers.models, which imports jinja2 (kept out of the sync's peak)
EXAMPLE = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "rate_card.csv"
COLUMNS = ("vendor", "metric", "sku", "pricing_unit", "unit_price", "currency", "valid_from", "valid_to", "billed")
OPTIONAL = ("sku", "valid_from", "valid_to", "note")
CREDITS = "credits"  # a price in the vendor's credits (FOCUS's virtual currency), converted by its `credits` row
AREA_UNITS = ("Acres", "Hectares")
# per vendor, the figures a card may price (usage_overview's x_Metric, plus `credits`) and their units
METRICS: dict[str, dict[str, tuple[str, ...]]] = {
    "leadfeeder": {"requests": ("Requests",), "credits": ("Credits",)},
    "insideview": {"transactions": ("Transactions",), "credits": ("Credits",)},
    "whitepages": {"requests": ("Requests",)},
    "leaf": {
        "new area by user": AREA_UNITS,
        "area to date by user": AREA_UNITS,
        "new area": AREA_UNITS,
        "area to date": AREA_UNITS,
    },
}
# the levels among them (x_MetricKind gauge): a value on a day, never added up over days
LEVELS = ("area to date", "area to date by user")
# the products a Leaf contract tracks, one each (providers.md, Leaf); UNIFIED_AREA is the union of the others
LEAF_PRODUCTS = ("FIELDS_BOUNDARY", "AUDIT_FIELDS_BOUNDARY", "OPERATIONS_FILE", "OPERATIONS_OPERATION",
                 "SATELLITE_PROCESS_PLANET", "SATELLITE_PROCESS_SENTINEL", "UNIFIED_AREA")  # fmt: skip
# what a card's `sku` names, where the vendor's prices can differ by it
SKUS = {"leadfeeder": "the endpoint, as METHOD /path", "insideview": "the API", "leaf": "the contract's product"}
BOOLEANS = {"true": True, "false": False}
TABLE = "rate_card"
# the table's columns and types, the same as the seed's `column_types` in dbt/dbt_project.yml
COLUMN_TYPES = {
    "vendor": "varchar", "metric": "varchar", "sku": "varchar", "pricing_unit": "varchar",
    "unit_price": "numeric(28,10)", "currency": "varchar", "valid_from": "date", "valid_to": "date",
    "billed": "boolean", "note": "varchar",
}  # fmt: skip


class RateCardError(Exception):
    """A rate card that cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Rate:
    """One row of the card: `unit_price` per `pricing_unit` in `currency` from `valid_from` to `valid_to` (both
    inclusive; None: open), or not billed at all."""

    vendor: str
    metric: str
    sku: str | None
    pricing_unit: str
    unit_price: Decimal | None
    currency: str | None
    valid_from: date | None
    valid_to: date | None
    billed: bool
    note: str | None
    line: int

    def covers(self, other: Rate) -> bool:
        """True when both price the same figure on some day."""
        same = (self.vendor, self.metric, self.sku, self.pricing_unit) == (
            other.vendor,
            other.metric,
            other.sku,
            other.pricing_unit,
        )
        starts_before_other_ends = (self.valid_from or date.min) <= (other.valid_to or date.max)
        return same and starts_before_other_ends and (other.valid_from or date.min) <= (self.valid_to or date.max)


@dataclass(frozen=True)
class RateCard:
    path: Path
    rates: tuple[Rate, ...]

    @property
    def currency(self) -> str | None:
        """The one real currency the card bills in (None when it prices nothing)."""
        return next((rate.currency for rate in self.rates if rate.currency not in (None, CREDITS)), None)

    def rows(self) -> list[tuple[object, ...]]:
        """The card as the table `rate_card` holds it: the columns, then `note` (without the line numbers)."""
        return [astuple(rate)[:-1] for rate in self.rates]

    def table_statements(self) -> list[str]:
        """SQL that (re)creates the table `rate_card` holding this card, the same on DuckDB and PostgreSQL."""
        return seed_tables.statements(TABLE, COLUMN_TYPES, self.rows())


def read(path: Path) -> RateCard:
    """The card in `path`, checked; raises RateCardError with one sentence naming the file, the line and the fix."""
    text = seed_tables.read_text(path, "the rate card", RateCardError, "UTF-8 CSV")
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    expected = ", ".join(COLUMNS)
    if not header:
        raise RateCardError(f"The rate card {path} is empty; its first line must name the columns {expected}.")
    for name in COLUMNS:
        if name not in header:
            raise RateCardError(
                f"The rate card {path}, line 1, has no column `{name}`; its first line must name the columns "
                f"{expected} (and optionally note)."
            )
    for name in header:
        if name not in COLUMNS and name not in OPTIONAL:
            raise RateCardError(
                f"The rate card {path}, line 1, names a column `{name}` no card has; the columns are {expected} "
                "and note."
            )
    reader.fieldnames = header
    rates: list[Rate] = []
    for row in reader:
        rate = _rate(path, reader.line_num, {key: (value or "").strip() for key, value in row.items() if key})
        for earlier in rates:
            if rate.covers(earlier):
                first = max(rate.valid_from or date.min, earlier.valid_from or date.min)
                when = "with no valid_from" if first == date.min else f"on {first}"
                raise RateCardError(
                    f"The rate card {path}, lines {earlier.line} and {rate.line}, both price {_figure(rate)} in "
                    f"{rate.pricing_unit} {when}; end one (valid_to) before the other begins (valid_from)."
                )
        rates.append(rate)
    card = RateCard(path, tuple(rates))
    priced = [rate for rate in rates if rate.currency not in (None, CREDITS)]
    for rate in priced:
        if rate.currency != priced[0].currency:
            raise RateCardError(
                f"The rate card {path}, line {rate.line}, bills in {rate.currency} where line {priced[0].line} "
                f"bills in {priced[0].currency}; one card bills in one currency."
            )
    return card


def _figure(rate: Rate) -> str:
    return f"{rate.vendor} {rate.metric}" + (f" of {rate.sku}" if rate.sku else "")


def _rate(path: Path, line: int, row: dict[str, str]) -> Rate:
    where = f"The rate card {path}, line {line}"
    vendor, metric, sku = row["vendor"], row["metric"], row.get("sku") or None
    if vendor not in METRICS:
        raise RateCardError(f"{where}: vendor {vendor!r} is not one of {', '.join(METRICS)}.")
    if metric not in METRICS[vendor]:
        raise RateCardError(f"{where}: {vendor} has no metric {metric!r}; use one of {', '.join(METRICS[vendor])}.")
    if sku is not None and (vendor not in SKUS or metric == "credits"):
        raise RateCardError(f"{where}: {vendor} {metric} has no sku; leave it empty.")
    units = METRICS[vendor][metric]
    if row["pricing_unit"] not in units:
        raise RateCardError(
            f"{where}: pricing_unit {row['pricing_unit']!r} is not the unit of {vendor} {metric}; use "
            + " or ".join(units)
            + "."
        )
    billed = BOOLEANS.get(row["billed"].lower())
    if billed is None:
        raise RateCardError(f"{where}: billed {row['billed']!r} is not true or false.")
    valid_from, valid_to = _day(where, row, "valid_from"), _day(where, row, "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise RateCardError(f"{where}: valid_to {valid_to} is before valid_from {valid_from}.")
    price, currency = row["unit_price"], row["currency"]
    if not billed:
        if price or currency:
            raise RateCardError(
                f"{where}: {vendor} {metric} is not billed (billed false), so unit_price and currency stay empty."
            )
        return Rate(vendor, metric, sku, row["pricing_unit"], None, None, valid_from, valid_to, False,
                    row.get("note") or None, line)  # fmt: skip
    return Rate(vendor, metric, sku, row["pricing_unit"], _price(where, price), _currency(where, vendor, metric,
                currency), valid_from, valid_to, True, row.get("note") or None, line)  # fmt: skip


def _day(where: str, row: dict[str, str], column: str) -> date | None:
    if not row.get(column):
        return None
    try:
        return date.fromisoformat(row[column])
    except ValueError:
        raise RateCardError(f"{where}: {column} {row[column]!r} is not a date; write YYYY-MM-DD.") from None


def _price(where: str, text: str) -> Decimal:
    if not text:
        raise RateCardError(f"{where}: unit_price is empty; give the price, or write billed false.")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise RateCardError(f"{where}: unit_price {text!r} is not a number; write it like 0.05.") from None
    if not price.is_finite():
        raise RateCardError(f"{where}: unit_price {text!r} is not a number; write it like 0.05.")
    if price < 0:
        raise RateCardError(f"{where}: unit_price {text} is negative; a price is 0 or more.")
    return price


def _currency(where: str, vendor: str, metric: str, text: str) -> str:
    if not text:
        raise RateCardError(f"{where}: currency is empty; write the ISO 4217 code of the price (USD, EUR, ...).")
    if text == CREDITS:
        if "credits" not in METRICS[vendor] or metric == "credits":
            raise RateCardError(
                f"{where}: {vendor} {metric} cannot be priced in credits"
                + ("; price a credit in money." if metric == "credits" else f": {vendor} sells no credits.")
            )
        return text
    if text.upper() not in ISO_4217:
        raise RateCardError(
            f"{where}: currency {text!r} is not an ISO 4217 code; write its three letters (USD, EUR, GBP, ...)"
            + (" or credits." if "credits" in METRICS[vendor] and metric != "credits" else ".")
        )
    return text.upper()
