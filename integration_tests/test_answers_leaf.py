"""Leaf's answers on figures worked out by hand: a contract of each product, two Leaf users whose areas overlap,
acres and hectares, a month's end, and what may and may not be added up (providers.md, Leaf; docs/answers.md).

Read on 2026-12-03 with lookback 3: figures up to 11-29 are final, 11-30 is not; October is final, November is
not (it ended 12-01, after 11-30). Each fixture runs on DuckDB and on a real PostgreSQL server.
"""

from collections.abc import Iterator
from datetime import date

import pytest

from integration_tests.answer_tables import AIRBYTE_COLUMNS, DATABASES, Tables, tables_in
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture, for PostgreSQL
from local_sync.answers import views as answers

READ_AT = "TIMESTAMP '2026-12-03 10:00:00'"
AIRBYTE = AIRBYTE_COLUMNS
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
# (contract, product, unit); c-fil's records were synced before records carried a product
CONTRACTS = [
    ("c-uni", "UNIFIED_AREA", "Acre"),
    ("c-fld", "FIELDS_BOUNDARY", "Hectare"),
    ("c-aud", "AUDIT_FIELDS_BOUNDARY", "Acre"),
    ("c-fil", "OPERATIONS_FILE", "Acre"),
    ("c-opr", "OPERATIONS_OPERATION", "Hectare"),
    ("c-pla", "SATELLITE_PROCESS_PLANET", "Hectare"),
    ("c-sen", "SATELLITE_PROCESS_SENTINEL", "Acre"),
]
# (contract, user, day, total area to that day, new area that day), as the leaf-user range endpoint answers
USER_AREAS = [
    # two users on the same fields: overlapping areas, each billed in full (Leaf User Level)
    ("c-fld", "u1", "2026-10-31", 10, 4), ("c-fld", "u1", "2026-11-01", 13, 3), ("c-fld", "u1", "2026-11-30", 14, 1),
    ("c-fld", "u2", "2026-10-31", 6, 2), ("c-fld", "u2", "2026-11-01", 6.5, 0.5),
    # the union of every product's area: shown beside the others, never added to them
    ("c-uni", "u1", "2026-10-31", 30, 5), ("c-uni", "u1", "2026-11-01", 31, 1),
    # a current total: billed as the level, which stands until the user's next figure (u2 in November)
    ("c-aud", "u1", "2026-10-30", 100, 0), ("c-aud", "u1", "2026-10-31", 120, 20),
    ("c-aud", "u1", "2026-11-02", 125, 5),
    ("c-aud", "u2", "2026-10-31", 50, 50),
    ("c-fil", "u1", "2026-11-30", 7, 2.5),
    ("c-opr", "u2", "2026-11-30", 3, 1.5),
    ("c-pla", "u1", "2026-10-31", 2, 2),
    ("c-sen", "u2", "2026-11-01", 4, 4),
]  # fmt: skip
# (contract, day, total, new) as the api-owner range endpoint answers: overlaps removed (5 < 4 + 2, 3 < 3 + 0.5)
OWNER_AREAS = [
    ("c-fld", "2026-10-31", 14, 5), ("c-fld", "2026-11-01", 17, 3), ("c-fld", "2026-11-30", 18, 1),
    ("c-uni", "2026-10-31", 30, 5),
]  # fmt: skip


def write_leaf_tables(built: Tables) -> None:
    """The contracts, the users' and the contracts' range answers above, as a sync writes them."""
    built.execute(f"CREATE TABLE contracts (id VARCHAR, product VARCHAR, start_date DATE, end_date DATE, {AIRBYTE})")
    for contract, product, _ in CONTRACTS:
        built.execute(
            f"INSERT INTO contracts VALUES (?, ?, DATE '2026-01-01', DATE '2027-12-31', 'r', {READ_AT}, '{{}}')",
            (contract, product),
        )
    units = {contract: unit for contract, _, unit in CONTRACTS}
    products = {contract: None if contract == "c-fil" else product for contract, product, _ in CONTRACTS}
    built.execute(
        "CREATE TABLE leaf_user_consumption (contract_id VARCHAR, leaf_user_id VARCHAR, product VARCHAR,"
        f" date DATE, area_unit VARCHAR, total_area DECIMAL(38, 9), daily_area DECIMAL(38, 9), {AIRBYTE})"
    )
    for contract, user, day, total, new in USER_AREAS:
        built.execute(
            f"INSERT INTO leaf_user_consumption VALUES (?, ?, ?, ?, ?, ?, ?, 'r', {READ_AT}, '{{}}')",
            (contract, user, products[contract], day, units[contract], total, new),
        )
    built.execute(
        "CREATE TABLE contract_consumption (contract_id VARCHAR, product VARCHAR, date DATE, area_unit VARCHAR,"
        f" total_area DECIMAL(38, 9), daily_area DECIMAL(38, 9), {AIRBYTE})"
    )
    for contract, day, total, new in OWNER_AREAS:
        built.execute(
            f"INSERT INTO contract_consumption VALUES (?, ?, ?, ?, ?, ?, 'r', {READ_AT}, '{{}}')",
            (contract, products[contract], day, units[contract], total, new),
        )


@pytest.fixture(params=DATABASES)
def tables(request: pytest.FixtureRequest) -> Iterator[Tables]:
    with tables_in(request.param, request, f"leaf_{request.node.name[:40]}") as built:
        write_leaf_tables(built)
        built.refresh(today="2026-12-10", lookback_days=3)
        yield built


def _plain(rows: list[tuple]) -> list[tuple]:
    return [tuple(float(v) if type(v).__name__ == "Decimal" else v for v in row) for row in rows]


def test_overview_marks_each_leaf_figure_with_its_product_and_kind(tables: Tables) -> None:
    kinds = _plain(
        tables.rows(
            "SELECT BillingAccountId, x_Product, x_Metric, x_MetricKind, x_IsRollup, ConsumedUnit, count(*)"
            " FROM usage_overview GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 3"
        )
    )
    assert kinds == [
        ("c-aud", "AUDIT_FIELDS_BOUNDARY", "area to date by user", "gauge", False, "Acres", 4),
        # a change of a current total, not a use: the level is what is billed
        ("c-aud", "AUDIT_FIELDS_BOUNDARY", "new area by user", "informational", False, "Acres", 4),
        ("c-fil", "OPERATIONS_FILE", "area to date by user", "gauge", False, "Acres", 1),  # product from contracts
        ("c-fil", "OPERATIONS_FILE", "new area by user", "billable", False, "Acres", 1),
        ("c-fld", "FIELDS_BOUNDARY", "area to date", "gauge", False, "Hectares", 3),
        ("c-fld", "FIELDS_BOUNDARY", "area to date by user", "gauge", False, "Hectares", 5),
        ("c-fld", "FIELDS_BOUNDARY", "new area", "informational", False, "Hectares", 3),
        ("c-fld", "FIELDS_BOUNDARY", "new area by user", "billable", False, "Hectares", 5),
        ("c-opr", "OPERATIONS_OPERATION", "area to date by user", "gauge", False, "Hectares", 1),
        ("c-opr", "OPERATIONS_OPERATION", "new area by user", "billable", False, "Hectares", 1),
        ("c-pla", "SATELLITE_PROCESS_PLANET", "area to date by user", "gauge", False, "Hectares", 1),
        ("c-pla", "SATELLITE_PROCESS_PLANET", "new area by user", "billable", False, "Hectares", 1),
        ("c-sen", "SATELLITE_PROCESS_SENTINEL", "area to date by user", "gauge", False, "Acres", 1),
        ("c-sen", "SATELLITE_PROCESS_SENTINEL", "new area by user", "billable", False, "Acres", 1),
        ("c-uni", "UNIFIED_AREA", "area to date", "gauge", True, "Acres", 1),
        ("c-uni", "UNIFIED_AREA", "area to date by user", "gauge", True, "Acres", 2),
        ("c-uni", "UNIFIED_AREA", "new area", "informational", True, "Acres", 1),
        ("c-uni", "UNIFIED_AREA", "new area by user", "billable", True, "Acres", 2),
    ]


def test_usage_monthly_sums_days_and_takes_each_gauge_at_the_months_last_figure(tables: Tables) -> None:
    monthly = _plain(
        tables.rows(
            "SELECT BillingAccountId, SubAccountId, x_Metric, month, ConsumedQuantity, x_LastFigureDay, x_IsComplete"
            " FROM usage_monthly WHERE BillingAccountId IN ('c-fld', 'c-aud') ORDER BY 1, 2 NULLS FIRST, 3, 4"
        )
    )
    assert monthly == [
        ("c-aud", "u1", "area to date by user", OCT, 120.0, date(2026, 10, 31), True),  # not 100 + 120
        ("c-aud", "u1", "area to date by user", NOV, 125.0, date(2026, 11, 2), False),
        ("c-aud", "u1", "new area by user", OCT, 20.0, date(2026, 10, 31), True),
        ("c-aud", "u1", "new area by user", NOV, 5.0, date(2026, 11, 2), False),
        ("c-aud", "u2", "area to date by user", OCT, 50.0, date(2026, 10, 31), True),
        ("c-aud", "u2", "new area by user", OCT, 50.0, date(2026, 10, 31), True),
        ("c-fld", None, "area to date", OCT, 14.0, date(2026, 10, 31), True),
        ("c-fld", None, "area to date", NOV, 18.0, date(2026, 11, 30), False),  # not 17 + 18
        ("c-fld", None, "new area", OCT, 5.0, date(2026, 10, 31), True),
        ("c-fld", None, "new area", NOV, 4.0, date(2026, 11, 30), False),  # 3 + 1
        ("c-fld", "u1", "area to date by user", OCT, 10.0, date(2026, 10, 31), True),
        ("c-fld", "u1", "area to date by user", NOV, 14.0, date(2026, 11, 30), False),
        ("c-fld", "u1", "new area by user", OCT, 4.0, date(2026, 10, 31), True),
        ("c-fld", "u1", "new area by user", NOV, 4.0, date(2026, 11, 30), False),  # 3 + 1
        ("c-fld", "u2", "area to date by user", OCT, 6.0, date(2026, 10, 31), True),
        # every figure of u2's November is final (11-01), but November is not over before the lookback
        ("c-fld", "u2", "area to date by user", NOV, 6.5, date(2026, 11, 1), False),
        ("c-fld", "u2", "new area by user", OCT, 2.0, date(2026, 10, 31), True),
        ("c-fld", "u2", "new area by user", NOV, 0.5, date(2026, 11, 1), False),
    ]


def test_leaf_billable_area_is_per_user_contract_and_product(tables: Tables) -> None:
    billable = _plain(
        tables.rows(
            "SELECT contract_id, product, is_rollup, leaf_user_id, unit, month, basis, billable_area, new_area,"
            " area_to_date, x_IsComplete FROM leaf_billable_area ORDER BY 1, 4, 6"
        )
    )
    assert billable == [
        ("c-aud", "AUDIT_FIELDS_BOUNDARY", False, "u1", "Acres", OCT, "area to date", 120.0, 20.0, 120.0, True),
        ("c-aud", "AUDIT_FIELDS_BOUNDARY", False, "u1", "Acres", NOV, "area to date", 125.0, 5.0, 125.0, False),
        ("c-aud", "AUDIT_FIELDS_BOUNDARY", False, "u2", "Acres", OCT, "area to date", 50.0, 50.0, 50.0, True),
        # u2 has no November figure: its level of October stands
        ("c-aud", "AUDIT_FIELDS_BOUNDARY", False, "u2", "Acres", NOV, "area to date", 50.0, None, 50.0, False),
        ("c-fil", "OPERATIONS_FILE", False, "u1", "Acres", NOV, "new area", 2.5, 2.5, 7.0, False),
        ("c-fld", "FIELDS_BOUNDARY", False, "u1", "Hectares", OCT, "new area", 4.0, 4.0, 10.0, True),
        ("c-fld", "FIELDS_BOUNDARY", False, "u1", "Hectares", NOV, "new area", 4.0, 4.0, 14.0, False),
        ("c-fld", "FIELDS_BOUNDARY", False, "u2", "Hectares", OCT, "new area", 2.0, 2.0, 6.0, True),
        ("c-fld", "FIELDS_BOUNDARY", False, "u2", "Hectares", NOV, "new area", 0.5, 0.5, 6.5, False),
        ("c-opr", "OPERATIONS_OPERATION", False, "u2", "Hectares", NOV, "new area", 1.5, 1.5, 3.0, False),
        ("c-pla", "SATELLITE_PROCESS_PLANET", False, "u1", "Hectares", OCT, "new area", 2.0, 2.0, 2.0, True),
        ("c-sen", "SATELLITE_PROCESS_SENTINEL", False, "u2", "Acres", NOV, "new area", 4.0, 4.0, 4.0, False),
        ("c-uni", "UNIFIED_AREA", True, "u1", "Acres", OCT, "new area", 5.0, 5.0, 30.0, True),
        ("c-uni", "UNIFIED_AREA", True, "u1", "Acres", NOV, "new area", 1.0, 1.0, 31.0, False),
    ]


def test_the_readers_add_nothing_across_products_units_or_days_of_a_gauge(tables: Tables) -> None:
    monthly = {
        (row.metric, row.product, row.unit, row.month): (row.kind, row.quantity, row.final)
        for row in answers.monthly_usage(tables.connection)
    }
    # FIELDS_BOUNDARY's two overlapping users, each in full: 4 + 2 in October, 4 + 0.5 in November
    assert monthly[("new area by user", "FIELDS_BOUNDARY", "Hectares", "2026-10")] == ("billable", 6.0, True)
    assert monthly[("new area by user", "FIELDS_BOUNDARY", "Hectares", "2026-11")] == ("billable", 4.5, False)
    assert monthly[("new area", "FIELDS_BOUNDARY", "Hectares", "2026-11")] == ("informational", 4.0, False)
    assert monthly[("new area by user", "UNIFIED_AREA", "Acres", "2026-10")] == ("billable", 5.0, True)
    assert monthly[("new area by user", "AUDIT_FIELDS_BOUNDARY", "Acres", "2026-10")] == ("informational", 70.0, True)
    # one row per metric, product, unit and month, no gauge: new area by user in 10 (contract, month)s (c-fld,
    # c-uni, c-aud twice; c-fil, c-opr, c-pla, c-sen once), new area in 3 (c-fld twice, c-uni once)
    assert len(monthly) == 13
    assert all(kind != "gauge" for kind, _, _ in monthly.values())
    billing = {
        (row.contract_id, row.month): (row.basis, row.users, row.area)
        for row in answers.leaf_billing(tables.connection)
    }
    assert billing[("c-fld", "2026-11")] == ("new area", 2, 4.5)
    assert billing[("c-aud", "2026-11")] == ("area to date", 2, 175.0)  # 125 + u2's standing 50
    assert billing[("c-uni", "2026-10")] == ("new area", 1, 5.0)
    top = answers.top(tables.connection, 8)
    assert top["Leaf users, FIELDS_BOUNDARY (hectares)"] == [
        ("u1", None, "Hectares", 8.0),
        ("u2", None, "Hectares", 2.5),
    ]
    assert top["Leaf users, AUDIT_FIELDS_BOUNDARY (acres)"] == [
        ("u2", None, "Acres", 50.0),
        ("u1", None, "Acres", 25.0),
    ]
    assert sorted(top) == sorted(
        ["Leadfeeder endpoints", "InsideView APIs"]
        + [f"Leaf users, {product} ({unit.lower()}s)" for _, product, unit in CONTRACTS]
    )
