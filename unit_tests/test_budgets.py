"""Budgets: the example reads, CSV and YAML read the same, and every budget that cannot be watched is refused in
one sentence naming the file, the line and the fix (local_sync/answers/budgets.py; the format in docs/answers.md)."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from local_sync.answers import budgets, rates
from local_sync.answers.models import PACKAGE

HEADER = "vendor,metric,product,unit,amount,thresholds,note"
OK = "whitepages,requests,,,1000,,"
CARD = """vendor,metric,sku,pricing_unit,unit_price,currency,valid_from,valid_to,billed,note
whitepages,requests,,Requests,0.01,USD,,,true,
leaf,new area by user,FIELDS_BOUNDARY,Hectares,0.30,USD,,,true,
leadfeeder,requests,,Requests,,,,,false,
"""
LEAF = "FIELDS_BOUNDARY, AUDIT_FIELDS_BOUNDARY, OPERATIONS_FILE, OPERATIONS_OPERATION, SATELLITE_PROCESS_PLANET, " \
    "SATELLITE_PROCESS_SENTINEL, UNIFIED_AREA"  # fmt: skip

# case: (the file's lines after the header, the sentence after "The budgets file <file>"; {card}: the card's path)
REFUSED = {
    "unknown vendor": (
        ["zoominfo,requests,,,1000,,"],
        ", line 2: vendor 'zoominfo' is not one of leadfeeder, insideview, whitepages, leaf.",
    ),
    "unknown metric": (
        ["whitepages,lookups,,,1000,,"],
        ", line 2: whitepages has no metric 'lookups' to budget; use one of requests, cost.",
    ),
    "a level, not a use": (
        ["leaf,area to date by user,FIELDS_BOUNDARY,Acres,1000,,"],
        ", line 2: leaf has no metric 'area to date by user' to budget; use one of new area by user, new area, cost.",
    ),
    "credits are not a use": (
        ["insideview,credits,,,1000,,"],
        ", line 2: insideview has no metric 'credits' to budget; use one of transactions, cost.",
    ),
    "a product where the vendor has none": (
        ["insideview,transactions,ENRICH,,1000,,"],
        ", line 2: insideview has no product; leave it empty.",
    ),
    "a Leaf quantity without its product": (
        ["leaf,new area by user,,Hectares,500,,"],
        f", line 2: a budget of leaf new area by user names its product (one of {LEAF}): Leaf counts each product "
        "apart.",
    ),
    "an unknown Leaf product": (
        ["leaf,new area by user,BOUNDARIES,Hectares,500,,"],
        f", line 2: product 'BOUNDARIES' is not a Leaf product; use one of {LEAF}.",
    ),
    "a Leaf area without its unit": (
        ["leaf,new area by user,FIELDS_BOUNDARY,,500,,"],
        ", line 2: leaf new area by user is counted in Acres or Hectares; name the unit.",
    ),
    "a unit of another metric": (
        ["whitepages,requests,,Transactions,1000,,"],
        ", line 2: unit 'Transactions' is not the unit of whitepages requests; use Requests.",
    ),
    "no amount": (
        ["whitepages,requests,,,,,"],
        ", line 2: amount is empty; write the monthly amount, like 5000.",
    ),
    "an amount that is not a number": (
        ["whitepages,requests,,,5k,,"],
        ", line 2: amount '5k' is not a positive number; write the monthly amount, like 5000.",
    ),
    "a negative amount": (
        ["whitepages,requests,,,-10,,"],
        ", line 2: amount '-10' is not a positive number; write the monthly amount, like 5000.",
    ),
    "an amount of zero": (
        [OK, "insideview,transactions,,,0,,"],
        ", line 3: amount '0' is not a positive number; write the monthly amount, like 5000.",
    ),
    "a threshold that is not a number": (
        ["whitepages,requests,,,1000,80;most,"],
        ", line 2: threshold 'most' is not a percentage; write percentages of the amount, like 80;100.",
    ),
    "a threshold of zero": (
        ["whitepages,requests,,,1000,0;100,"],
        ", line 2: threshold '0' is not a percentage; write percentages of the amount, like 80;100.",
    ),
    "a threshold as a fraction": (
        ["whitepages,requests,,,1000,-0.8,"],
        ", line 2: threshold '-0.8' is not a percentage; write percentages of the amount, like 80;100.",
    ),
    "money the card does not price": (
        ["leadfeeder,cost,,USD,100,,"],
        ", line 2: the rate card {card} prices nothing of leadfeeder, so its cost cannot be watched; add its prices "
        "to the card, or budget a quantity (requests).",
    ),
    "money of a Leaf product the card does not price": (
        ["leaf,cost,OPERATIONS_FILE,USD,100,,"],
        ", line 2: the rate card {card} prices nothing of leaf OPERATIONS_FILE, so its cost cannot be watched; add "
        "its prices to the card, or budget a quantity (new area by user, new area).",
    ),
    "a currency other than the card's": (
        ["whitepages,cost,,EUR,100,,"],
        ", line 2: the budget is in EUR but the rate card {card} prices in USD; budget in USD.",
    ),
    "money in no currency": (
        ["whitepages,cost,,dollars,100,,"],
        ", line 2: unit 'dollars' is not a currency; write the rate card's, USD.",
    ),
    "the same budget twice": (
        [OK, "whitepages,requests,,Requests,2000,,"],
        ", lines 2 and 3, both budget whitepages requests in Requests; keep one.",
    ),
}


def _file(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "budgets.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.fixture
def card(tmp_path: Path) -> rates.RateCard:
    path = tmp_path / "rates.csv"
    path.write_text(CARD)
    return rates.read(path)


@pytest.mark.parametrize("case", REFUSED)
def test_a_budget_that_cannot_be_watched_is_refused_naming_file_line_and_fix(
    tmp_path: Path, card: rates.RateCard, case: str
) -> None:
    lines, sentence = REFUSED[case]
    path = _file(tmp_path, *lines)
    with pytest.raises(budgets.BudgetError) as refused:
        budgets.read(path, card)
    assert str(refused.value) == f"The budgets file {path}{sentence.format(card=card.path)}"


def test_a_budget_in_money_without_a_rate_card_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "whitepages,cost,,USD,100,,")
    with pytest.raises(budgets.BudgetError) as refused:
        budgets.read(path, None)
    assert str(refused.value) == (
        f"The budgets file {path}, line 2: a budget of whitepages cost needs a rate card to price it; pass one with "
        "--rates FILE, or budget a quantity (requests)."
    )


@pytest.mark.parametrize(
    ("header", "sentence"),
    [
        (HEADER.replace("amount", "limit"), ", line 1, names a column `limit` no budget has; the columns are "
         "vendor, metric, product, unit, amount, thresholds, note."),
        ("vendor,metric,unit", ", line 1, has no `amount`; each budget names vendor, metric, amount (and optionally "
         "product, unit, thresholds, note)."),
    ],
)  # fmt: skip
def test_a_file_whose_header_is_wrong_is_refused(tmp_path: Path, header: str, sentence: str) -> None:
    path = _file(tmp_path, OK, header=header)
    with pytest.raises(budgets.BudgetError) as refused:
        budgets.read(path, None)
    assert str(refused.value) == f"The budgets file {path}{sentence}"


def test_an_empty_missing_binary_or_unknown_file_is_refused(tmp_path: Path) -> None:
    empty, missing, binary = tmp_path / "empty.csv", tmp_path / "missing.yaml", tmp_path / "binary.csv"
    other = tmp_path / "budgets.xlsx"
    empty.write_text("")
    binary.write_bytes(b"\xff\xfe\x00v")
    other.write_text(HEADER)
    sentences = []
    for path in (empty, missing, binary, other):
        with pytest.raises(budgets.BudgetError) as refused:
            budgets.read(path, None)
        sentences.append(str(refused.value))
    assert sentences == [
        f"The budgets file {empty} is empty; its first line must name the columns vendor, metric, product, unit, "
        "amount, thresholds, note.",
        f"Cannot read the budgets file {missing}: No such file or directory.",
        f"The budgets file {binary} is not UTF-8 text; save it as UTF-8.",
        f"The budgets file {other} is neither .csv nor .yaml; write it as one of them.",
    ]


YAML = """# the same budgets as CSV below
budgets:
  - vendor: whitepages
    metric: requests
    amount: 1000
  - vendor: leaf
    metric: new area by user
    product: FIELDS_BOUNDARY
    unit: Hectares
    amount: 500.5
    thresholds: [50, 90%, 100]
    note: field season
  - vendor: whitepages
    metric: cost
    amount: 10
"""
CSV = [OK, "leaf,new area by user,FIELDS_BOUNDARY,Hectares,500.5,50;90%;100,field season", "whitepages,cost,,,10,,"]


def test_csv_and_yaml_read_the_same_budgets_with_units_filled_in(tmp_path: Path, card: rates.RateCard) -> None:
    from_yaml = budgets.read(_file(tmp_path, header=YAML, name="budgets.yaml"), card)
    from_csv = budgets.read(_file(tmp_path, *CSV), card)
    expected = [
        ("whitepages", "requests", None, "Requests", Decimal("1000"), None, None),
        ("leaf", "new area by user", "FIELDS_BOUNDARY", "Hectares", Decimal("500.5"), "50;90;100", "field season"),
        ("whitepages", "cost", None, "USD", Decimal("10"), None, None),
    ]
    assert [budget.row() for budget in from_yaml.budgets] == expected
    assert [budget.row() for budget in from_csv.budgets] == expected
    # each YAML budget is named by the line its entry starts on
    assert [budget.line for budget in from_yaml.budgets] == [3, 6, 13]
    assert [budget.line for budget in from_csv.budgets] == [2, 3, 4]


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("budgets:\n  - vendor: whitepages\n    metric: [requests\n", ", line 4, is not YAML (expected ',' or ']', "
         "but got '<stream end>'); fix the file's syntax."),
        ("budgets: 1000\n", ", line 1, is not a list of budgets; write one `- vendor: ...` entry per budget (under "
         "`budgets:`)."),
        ("- whitepages\n", ", line 1, is not a budget; each entry names vendor, metric and amount."),
        ("- vendor: whitepages\n  metric: requests\n  amount: 10\n- vendor: whitepages\n  metric: requests\n"
         "  amount: {a: 1}\n", ", line 6: `amount` is not a value; write it on one line."),
        ("- vendor: leaf\n  metric: cost\n  amount: 10\n  currency: USD\n", ", line 1, names a column `currency` "
         "no budget has; the columns are vendor, metric, product, unit, amount, thresholds, note."),
    ],
)  # fmt: skip
def test_a_yaml_file_that_is_not_a_list_of_budgets_is_refused(tmp_path: Path, text: str, sentence: str) -> None:
    path = tmp_path / "budgets.yml"
    path.write_text(text)
    with pytest.raises(budgets.BudgetError) as refused:
        budgets.read(path, None)
    assert str(refused.value) == f"The budgets file {path}{sentence}"


def test_the_example_reads_with_the_example_card_and_says_it_is_an_example() -> None:
    found = budgets.read(budgets.EXAMPLE, rates.read(rates.EXAMPLE))
    assert {budget.vendor for budget in found.budgets} == set(rates.METRICS)
    assert any(budget.metric == budgets.COST for budget in found.budgets)
    assert all("EXAMPLE" in (budget.note or "") for budget in found.budgets)


def test_the_table_has_the_columns_and_types_of_the_dbt_seed() -> None:
    project = yaml.safe_load((PACKAGE / "dbt_project.yml").read_text())
    assert project["seeds"]["usage_answers"]["budgets"]["+column_types"] == budgets.COLUMN_TYPES
    assert tuple(budgets.COLUMN_TYPES) == budgets.COLUMNS
    assert budgets.EXAMPLE == PACKAGE / "seeds" / "budgets.csv"
    assert (PACKAGE / "seeds" / "budgets.csv").read_text().splitlines()[0] == ",".join(budgets.COLUMNS)
