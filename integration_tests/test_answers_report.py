"""usage-report.html of the sandbox sync, opened in real headless Chromium: no console error, nothing fetched,
and every chart's drawn marks counted against the database (queried here, not through the report's code).

USAGE_REPORT_SCREENSHOT=path also saves the screenshot there (docs/usage-report.png is made that way).
"""

import json
import os
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
HEADLINE = "x_Metric NOT IN ('unique area', 'new area by user')"


def _expected(db: Path) -> dict[str, list[tuple[int, int]]]:
    """Per section, the sorted (points, points not final) of each of its charts, from the tables themselves.
    Quantities in different units are not added up: a Leaf user on an acre and a hectare contract ranks twice."""
    with duckdb.connect(str(db), read_only=True) as connection:

        def counts(sql: str) -> list[tuple[int, int]]:
            return sorted(tuple(row) for row in connection.execute(sql).fetchall())

        # not final, synced on 2026-11-20 with lookback 3: the days from 11-17 on, and November
        monthly = counts(f"""
            SELECT count(*), count(*) FILTER (month >= DATE '2026-11-01') FROM (
                SELECT DISTINCT ServiceProviderName, x_Metric, ConsumedUnit,
                       CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS month
                FROM usage_overview WHERE {HEADLINE} AND x_Grain IN ('day', 'month'))
            GROUP BY ServiceProviderName, x_Metric, ConsumedUnit""")
        daily = counts(f"""
            WITH days AS (SELECT DISTINCT ServiceProviderName AS vendor, ConsumedUnit AS unit,
                                 CAST(ChargePeriodStart AS DATE) AS day
                          FROM usage_overview WHERE {HEADLINE} AND x_Grain = 'day')
            SELECT count(*), count(*) FILTER (day >= DATE '2026-11-17') FROM days
            WHERE day > (SELECT max(day) FROM days) - 90 GROUP BY vendor, unit""")
        top = counts("""
            SELECT least(count(DISTINCT key), 8), 0 FROM (
                SELECT 'endpoints' AS kind, endpoint_path || http_method AS key FROM api_usage
                UNION ALL SELECT 'apis', api FROM api_transactions
                UNION ALL SELECT 'contracts', contract_id || area_unit FROM contract_consumption
                UNION ALL SELECT 'users', leaf_user_id || area_unit FROM leaf_user_consumption)
            GROUP BY kind""")
        balances = counts("SELECT count(*), 0 FROM credit_balances GROUP BY vendor, account_id")
    return {"monthly": monthly, "daily": daily, "top": top, "balance": balances}


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
    assert all(not_final > 0 for _, not_final in expected["daily"] + expected["monthly"])
    assert visit.screenshot.startswith(b"\x89PNG")
    if os.environ.get("USAGE_REPORT_SCREENSHOT"):
        Path(os.environ["USAGE_REPORT_SCREENSHOT"]).write_bytes(visit.screenshot)
