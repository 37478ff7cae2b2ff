"""The rate card: the example reads, and every card that cannot price a sync is refused in one sentence naming the
file, the line and the fix (local_sync/answers/rates.py; the format in docs/answers.md)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from local_sync.answers import rates
from local_sync.answers.models import PACKAGE

HEADER = "vendor,metric,sku,pricing_unit,unit_price,currency,valid_from,valid_to,billed,note"
OK = "whitepages,requests,,Requests,0.01,USD,,,true,"

# case: (the card's lines after the header, the sentence after "The rate card <file>")
REFUSED = {
    "unknown vendor": (
        ["zoominfo,requests,,Requests,1,USD,,,true,"],
        ", line 2: vendor 'zoominfo' is not one of leadfeeder, insideview, whitepages, leaf.",
    ),
    "unknown metric": (
        ["leaf,unique area,,Acres,1,USD,,,true,"],
        ", line 2: leaf has no metric 'unique area'; use one of new area by user, area to date by "
        "user, new area, area to date.",
    ),
    "sku where prices do not differ": (
        ["whitepages,requests,gold,Requests,1,USD,,,true,"],
        ", line 2: whitepages requests has no sku; leave it empty.",
    ),
    "a unit of another metric": (
        ["leaf,new area by user,FIELDS_BOUNDARY,Requests,1,USD,,,true,"],
        ", line 2: pricing_unit 'Requests' is not the unit of leaf new area by user; use Acres or Hectares.",
    ),
    "billed neither true nor false": (
        ["whitepages,requests,,Requests,0.01,USD,,,yes,"],
        ", line 2: billed 'yes' is not true or false.",
    ),
    "a date that is not a date": (
        ["whitepages,requests,,Requests,0.01,USD,2026-02-30,,true,"],
        ", line 2: valid_from '2026-02-30' is not a date; write YYYY-MM-DD.",
    ),
    "valid to before valid from": (
        ["whitepages,requests,,Requests,0.01,USD,2026-03-01,2026-02-28,true,"],
        ", line 2: valid_to 2026-02-28 is before valid_from 2026-03-01.",
    ),
    "no price": (
        ["whitepages,requests,,Requests,,USD,,,true,"],
        ", line 2: unit_price is empty; give the price, or write billed false.",
    ),
    "a price that is not a number": (
        ["whitepages,requests,,Requests,1c,USD,,,true,"],
        ", line 2: unit_price '1c' is not a number; write it like 0.05.",
    ),
    "a price that is NaN": (
        ["whitepages,requests,,Requests,NaN,USD,,,true,"],
        ", line 2: unit_price 'NaN' is not a number; write it like 0.05.",
    ),
    "a negative price": (
        ["whitepages,requests,,Requests,-0.01,USD,,,true,"],
        ", line 2: unit_price -0.01 is negative; a price is 0 or more.",
    ),
    "a price on a figure not billed": (
        ["leaf,new area by user,UNIFIED_AREA,Acres,0.1,USD,,,false,"],
        ", line 2: leaf new area by user is not billed (billed false), so unit_price and currency stay empty.",
    ),
    "no currency": (
        ["whitepages,requests,,Requests,0.01,,,,true,"],
        ", line 2: currency is empty; write the ISO 4217 code of the price (USD, EUR, ...).",
    ),
    "an unknown currency": (
        [OK, "leaf,new area,FIELDS_BOUNDARY,Hectares,1,DOL,,,true,"],
        ", line 3: currency 'DOL' is not an ISO 4217 code; write its three letters (USD, EUR, GBP, ...).",
    ),
    "credits of a vendor that sells none": (
        ["whitepages,requests,,Requests,1,credits,,,true,"],
        ", line 2: whitepages requests cannot be priced in credits: whitepages sells no credits.",
    ),
    "a credit priced in credits": (
        ["insideview,credits,,Credits,1,credits,,,true,"],
        ", line 2: insideview credits cannot be priced in credits; price a credit in money.",
    ),
    "two prices the same day": (
        [
            "insideview,credits,,Credits,0.04,USD,2026-01-01,2026-11-15,true,",
            "insideview,credits,,Credits,0.05,USD,2026-11-15,,true,",
        ],
        ", lines 2 and 3, both price insideview credits in Credits on 2026-11-15; end one (valid_to) "
        "before the other begins (valid_from).",
    ),
    "two open prices": (
        [OK, "whitepages,requests,,Requests,0.02,USD,,,true,"],
        ", lines 2 and 3, both price whitepages requests in Requests with no valid_from; end one "
        "(valid_to) before the other begins (valid_from).",
    ),
    "two currencies": (
        [OK, "leadfeeder,credits,,Credits,1,EUR,,,true,"],
        ", line 3, bills in EUR where line 2 bills in USD; one card bills in one currency.",
    ),
}


def _card(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "rates.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.mark.parametrize("case", REFUSED)
def test_a_card_that_cannot_price_is_refused_naming_file_line_and_fix(tmp_path: Path, case: str) -> None:
    lines, sentence = REFUSED[case]
    path = _card(tmp_path, *lines)
    with pytest.raises(rates.RateCardError) as refused:
        rates.read(path)
    assert str(refused.value) == f"The rate card {path}{sentence}"


@pytest.mark.parametrize(
    ("header", "sentence"),
    [
        (HEADER.replace(",currency", ""), ", line 1, has no column `currency`; its first line must name the "
         "columns vendor, metric, sku, pricing_unit, unit_price, currency, valid_from, valid_to, billed (and "
         "optionally note)."),
        (HEADER + ",price_eur", ", line 1, names a column `price_eur` no card has; the columns are vendor, "
         "metric, sku, pricing_unit, unit_price, currency, valid_from, valid_to, billed and note."),
    ],
)  # fmt: skip
def test_a_card_whose_header_is_wrong_is_refused(tmp_path: Path, header: str, sentence: str) -> None:
    path = _card(tmp_path, OK, header=header)
    with pytest.raises(rates.RateCardError) as refused:
        rates.read(path)
    assert str(refused.value) == f"The rate card {path}{sentence}"


def test_an_empty_missing_or_binary_card_is_refused(tmp_path: Path) -> None:
    empty, missing, binary = tmp_path / "empty.csv", tmp_path / "missing.csv", tmp_path / "binary.csv"
    empty.write_text("")
    binary.write_bytes(b"\xff\xfe\x00v")
    sentences = []
    for path in (empty, missing, binary):
        with pytest.raises(rates.RateCardError) as refused:
            rates.read(path)
        sentences.append(str(refused.value))
    assert sentences == [
        f"The rate card {empty} is empty; its first line must name the columns vendor, metric, sku, pricing_unit, "
        "unit_price, currency, valid_from, valid_to, billed.",
        f"Cannot read the rate card {missing}: No such file or directory.",
        f"The rate card {binary} is not UTF-8 text; save it as UTF-8 CSV.",
    ]


def test_a_card_reads_prices_periods_credits_and_figures_not_billed(tmp_path: Path) -> None:
    path = _card(
        tmp_path,
        "insideview,transactions,ENRICH_ENRICH,Transactions,2,credits,,,true,two credits each",
        "insideview,credits,,Credits,0.04,usd,2026-01-01,2026-11-15,true,",
        "insideview,credits,,Credits,0.05,USD,2026-11-16,,true,",
        "leaf,new area by user,UNIFIED_AREA,Acres,,,,,false,the rollup",
    )
    card = rates.read(path)
    assert card.currency == "USD"
    assert card.rows() == [
        ("insideview", "transactions", "ENRICH_ENRICH", "Transactions", Decimal("2"), "credits", None, None, True,
         "two credits each"),
        ("insideview", "credits", None, "Credits", Decimal("0.04"), "USD", date(2026, 1, 1), date(2026, 11, 15), True,
         None),
        ("insideview", "credits", None, "Credits", Decimal("0.05"), "USD", date(2026, 11, 16), None, True, None),
        ("leaf", "new area by user", "UNIFIED_AREA", "Acres", None, None, None, None, False, "the rollup"),
    ]  # fmt: skip


def test_the_example_card_reads_and_says_its_prices_are_examples() -> None:
    card = rates.read(rates.EXAMPLE)
    assert card.currency == "USD"
    priced = [rate for rate in card.rates if rate.billed]
    assert priced and all("EXAMPLE" in (rate.note or "") for rate in priced)
    not_billed = {(rate.vendor, rate.metric, rate.sku) for rate in card.rates if not rate.billed}
    assert ("leaf", "new area by user", "UNIFIED_AREA") in not_billed


def test_the_card_knows_every_metric_the_overview_has() -> None:
    schema = yaml.safe_load((PACKAGE / "models" / "schema.yml").read_text())
    overview = next(model for model in schema["models"] if model["name"] == "usage_overview")
    column = next(column for column in overview["columns"] if column["name"] == "x_Metric")
    metrics = column["data_tests"][1]["accepted_values"]["arguments"]["values"]
    priced = {metric for by_vendor in rates.METRICS.values() for metric in by_vendor} - {"credits"}
    assert priced == set(metrics)


def test_the_table_has_the_columns_and_types_of_the_dbt_seed() -> None:
    project = yaml.safe_load((PACKAGE / "dbt_project.yml").read_text())
    seed = project["seeds"]["usage_answers"]["rate_card"]["+column_types"]
    assert seed == rates.COLUMN_TYPES
    assert rates.EXAMPLE == PACKAGE / "seeds" / "rate_card.csv"
