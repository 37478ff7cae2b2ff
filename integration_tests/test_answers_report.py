"""usage-report.html of the sandbox sync, opened in real headless Chromium: no console error, nothing fetched,
and every chart's drawn marks counted against the database (queried here, not through the report's code).

USAGE_REPORT_SCREENSHOT=path also saves the screenshot there (docs/usage-report.png is made that way).
"""

import json
import os
import re
from pathlib import Path

import duckdb

from integration_tests.answers_sync import AnswersSync
from integration_tests.chromium import open_page

# per chart (svg with an id): [marks, marks drawn with a visible size, marks drawn as not final]
COUNT_MARKS = """JSON.stringify(Object.fromEntries(Array.from(document.querySelectorAll('svg[id]')).map(svg => {
  const marks = Array.from(svg.querySelectorAll('.mark'));
  const drawn = marks.filter(mark => {
    const box = mark.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  });
  return [svg.id, [marks.length, drawn.length, svg.querySelectorAll('.mark.open').length]];
})))"""
# what a vendor's use charts show: no gauge, and not Leaf's per-contract new area (the users' new area recounted)
HEADLINE = "x_MetricKind <> 'gauge' AND x_Metric <> 'new area'"


def _expected(db: Path) -> dict[str, list[tuple[int, int]]]:
    """Per section, the sorted (points, points not final) of each of its charts, from the tables themselves.
    No chart adds up two units or two Leaf products: one chart per vendor, metric, product and unit, and Leaf's
    top users per product and unit."""
    with duckdb.connect(str(db), read_only=True) as connection:

        def counts(sql: str) -> list[tuple[int, int]]:
            return sorted(tuple(row) for row in connection.execute(sql).fetchall())

        # not final, synced on 2026-11-20 with lookback 3: the days from 11-17 on, and November
        monthly = counts(f"""
            SELECT count(*), count(*) FILTER (month >= DATE '2026-11-01') FROM (
                SELECT DISTINCT ServiceProviderName, x_Metric, x_Product, ConsumedUnit,
                       CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS month
                FROM usage_overview WHERE {HEADLINE} AND x_Grain IN ('day', 'month'))
            GROUP BY ServiceProviderName, x_Metric, x_Product, ConsumedUnit""")
        daily = counts(f"""
            WITH days AS (SELECT DISTINCT ServiceProviderName AS vendor, x_Metric AS metric, x_Product AS product,
                                 ConsumedUnit AS unit, CAST(ChargePeriodStart AS DATE) AS day
                          FROM usage_overview WHERE {HEADLINE} AND x_Grain = 'day')
            SELECT count(*), count(*) FILTER (day >= DATE '2026-11-17') FROM days
            WHERE day > (SELECT max(day) FROM days) - 90 GROUP BY vendor, metric, product, unit""")
        top = counts("""
            SELECT least(count(DISTINCT key), 8), 0 FROM (
                SELECT 'endpoints' AS kind, endpoint_path || http_method AS key FROM api_usage
                UNION ALL SELECT 'apis', api FROM api_transactions
                UNION ALL SELECT 'users ' || product || area_unit, leaf_user_id FROM leaf_user_consumption)
            GROUP BY kind""")
        balances = counts("SELECT count(*), 0 FROM credit_balances GROUP BY vendor, account_id")
        costs = counts("""
            SELECT count(*), count(*) FILTER (NOT final) FROM (
                SELECT ProviderName, BillingPeriodStart, bool_and(x_IsComplete) AS final FROM focus_charges
                GROUP BY 1, 2)
            GROUP BY ProviderName""")
        # a bar used to date, and one foreseen (not final) where the month's end is foreseen
        budgets = counts("SELECT CASE WHEN forecast IS NULL THEN 1 ELSE 2 END, CASE WHEN forecast IS NULL THEN 0 "
                         "ELSE 1 END FROM budget_status")  # fmt: skip
    return {"monthly": monthly, "daily": daily, "top": top, "balance": balances, "cost": costs, "budget": budgets}


def test_report_renders_in_chromium_with_every_mark_drawn(answers_sync: AnswersSync) -> None:
    page = answers_sync.db.parent / "usage-report.html"
    html = page.read_text()
    assert "<script" not in html and "@import" not in html and "url(" not in html and " src=" not in html

    visit = open_page(page, COUNT_MARKS)

    assert visit.console_errors == []
    assert [url for url in visit.requests if not url.startswith(("file:", "data:"))] == []
    charts = json.loads(visit.value)
    found: dict[str, list[tuple[int, int]]] = {}
    for chart_id, (marks, drawn, not_final) in charts.items():
        assert drawn == marks > 0, f"{chart_id}: {drawn} of {marks} marks drawn"
        found.setdefault(chart_id.split("-", 1)[0], []).append((marks, not_final))
    expected = _expected(answers_sync.db)
    assert {section: sorted(values) for section, values in found.items()} == expected
    assert all(not_final > 0 for _, not_final in expected["daily"] + expected["monthly"] + expected["cost"])
    assert len(expected["cost"]) == 3, "InsideView, Leaf and Whitepages are priced by the example card"
    assert len(expected["budget"]) == 7, "the example budgets"
    assert visit.screenshot.startswith(b"\x89PNG")
    if os.environ.get("USAGE_REPORT_SCREENSHOT"):
        Path(os.environ["USAGE_REPORT_SCREENSHOT"]).write_bytes(visit.screenshot)


def test_report_charts_never_mix_units_or_leaf_products(answers_sync: AnswersSync) -> None:
    html = (answers_sync.db.parent / "usage-report.html").read_text()
    captions = re.findall(r"<figcaption>([^<]*)</figcaption>", html)
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        products = dict(connection.execute("SELECT DISTINCT product, area_unit FROM contract_consumption").fetchall())
    units = ("acre", "hectare", "request", "transaction", "credit")
    # a cost chart is in one currency, the card's; the others in one unit, Leaf's in one product too
    costs = [caption for caption in captions if ": cost a month" in caption]
    assert costs and all(caption.endswith("(USD)") for caption in costs)
    captions = [caption for caption in captions if caption not in costs]
    leaf = [caption for caption in captions if "Leaf" in caption]
    for caption in captions:
        assert sum(unit in caption.lower() for unit in units) <= 1, caption
    for caption in leaf:
        assert sum(unit in caption.lower() for unit in units) == 1, caption
        named = [product for product in products if product in caption]
        assert len(named) == 1, caption
        assert products[named[0]].lower() in caption.lower(), caption
    # a monthly chart, a daily chart and a top-users chart per Leaf product
    assert sorted(len([c for c in leaf if p in c]) for p in products) == [3] * len(products)


# per budget chart, in page order: its caption, and the budget line's height against the bars' (in pixels)
BUDGET_CHARTS = """JSON.stringify(Array.from(document.querySelectorAll('svg[id^="budget-"]')).map(svg => {
  const limit = svg.querySelectorAll('line.limit');
  const base = svg.querySelector('line.axis').getBoundingClientRect().top;
  const bars = Array.from(svg.querySelectorAll('.mark')).map(bar => base - bar.getBoundingClientRect().top);
  return [svg.closest('figure').querySelector('figcaption').textContent, limit.length,
          limit.length ? base - limit[0].getBoundingClientRect().top : null, bars];
}))"""


def test_report_draws_each_budget_against_its_month_end_at_risk_first(answers_sync: AnswersSync) -> None:
    visit = open_page(answers_sync.db.parent / "usage-report.html", BUDGET_CHARTS)
    charts = json.loads(visit.value)
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        found = connection.execute(
            "SELECT vendor, metric, product, amount, to_date, forecast, status FROM budget_status"
        ).fetchall()
    ranks = ["over", "forecast over", "warning", "no forecast yet", "on track"]
    statuses = {f"{v} {m}" + (f" of {p}" if p else ""): (float(a), float(t), f, s) for v, m, p, a, t, f, s in found}
    assert len(charts) == len(statuses)
    order = []
    for caption, limits, limit_height, bars in charts:
        subject = caption.split(" budget")[0]
        amount, to_date, forecast, status = statuses[subject]
        order.append(ranks.index(status))
        assert f": {status}," in caption, caption
        # one dashed budget line; every bar's height is to the budget line's as its value is to the amount
        assert limits == 1 and limit_height > 0
        values = [to_date] + ([] if forecast is None else [float(forecast)])
        assert len(bars) == len(values)
        for height, value in zip(bars, values, strict=True):
            assert abs(height / limit_height - value / amount) < 0.02, (caption, height, limit_height, value, amount)
    assert order == sorted(order), "the budgets at risk come first"


def test_report_lists_the_open_alerts_first(answers_sync: AnswersSync) -> None:
    html = (answers_sync.db.parent / "usage-report.html").read_text()
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        alerts = connection.execute("SELECT kind, subject FROM usage_alerts").fetchall()
    assert alerts, "the sandbox's example budgets raise alerts"
    box = html[html.index('<div class="alerts">') : html.index("</div>", html.index('<div class="alerts">'))]
    assert html.index('<div class="alerts">') < html.index("<h2>"), "before every section"
    assert f"{len(alerts)} alert(s) open" in box
    assert all(f"<b>{kind}</b>: {subject}:" in box for kind, subject in alerts)
