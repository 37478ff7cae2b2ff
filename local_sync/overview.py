"""The `usage_overview` view: every vendor's usage as (vendor, period, grain, metric, quantity, unit) rows.

`period` is a DATE: the day, or the first day of the month or year, as `grain` ('day', 'month', 'year') says;
for credit balances (`grain` 'snapshot') it is the day the balance was read. Only the streams whose tables
exist take part, so a file synced from some vendors has a view over those vendors.
"""

# table → the SELECT that maps it; each yields the view's six columns in order.
PARTS = {
    "api_usage": """
        SELECT 'leadfeeder', CAST(period || '-01' AS DATE), 'month', 'requests', sum(num_requests), 'requests'
        FROM api_usage GROUP BY period""",
    "accounts": """
        SELECT 'leadfeeder', CAST(max(_airbyte_extracted_at) AS DATE), 'snapshot', metric, sum(quantity),
               'credits'
        FROM (SELECT _airbyte_extracted_at, 'credits used' AS metric, credits_used AS quantity FROM accounts
              UNION ALL
              SELECT _airbyte_extracted_at, 'credits remaining', credits_remaining FROM accounts)
        GROUP BY metric""",
    "api_transactions": """
        SELECT 'insideview',
               CASE period_type WHEN 'day' THEN CAST(date AS DATE)
                                WHEN 'month' THEN CAST(date || '-01' AS DATE)
                                ELSE CAST(date || '-01-01' AS DATE) END,
               period_type, 'transactions', sum(transactions), 'transactions'
        FROM api_transactions GROUP BY period_type, date""",
    "credits": """
        SELECT 'insideview', CAST(max(observed_at) AS DATE), 'snapshot', metric, sum(quantity), 'credits'
        FROM (SELECT observed_at, 'credits used' AS metric, consumed_credits AS quantity FROM credits
              UNION ALL
              SELECT observed_at, 'credits remaining', remaining_credits FROM credits)
        GROUP BY metric""",
    "daily_usage": """
        SELECT 'whitepages', date, 'day', 'requests', request_count, 'requests' FROM daily_usage""",
    "contract_consumption": """
        SELECT 'leaf', date, 'day', 'new area', sum(daily_area), area_unit
        FROM contract_consumption GROUP BY date, area_unit""",
}

COLUMNS = (
    ("vendor", "VARCHAR"),
    ("period", "DATE"),
    ("grain", "VARCHAR"),
    ("metric", "VARCHAR"),
    ("quantity", "DOUBLE"),
    ("unit", "VARCHAR"),
)


def view_sql(tables: set[str]) -> str:
    """`CREATE OR REPLACE VIEW usage_overview` over those of `tables` that have a mapping."""
    names = ", ".join(name for name, _ in COLUMNS)
    parts = [PARTS[table].strip() for table in PARTS if table in tables]
    if not parts:
        empty = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in COLUMNS)
        return f"CREATE OR REPLACE VIEW usage_overview AS SELECT {empty} WHERE false"
    union = "\n        UNION ALL\n        ".join(parts)
    return (
        f"CREATE OR REPLACE VIEW usage_overview ({names}) AS\n"
        f"SELECT vendor, period, grain, metric, CAST(quantity AS DOUBLE), unit FROM (\n        {union}\n"
        f") AS usage ({names})"
    )


MONTHLY_SQL = """
    SELECT vendor, metric, unit, strftime(date_trunc('month', period), '%Y-%m') AS month, sum(quantity)
    FROM usage_overview
    WHERE grain IN ('day', 'month') AND period >= (
        SELECT date_trunc('month', max(period)) - to_months(CAST(? AS INTEGER)) FROM usage_overview
        WHERE grain IN ('day', 'month'))
    GROUP BY ALL ORDER BY vendor, metric, unit, month
"""

SNAPSHOT_SQL = """
    SELECT vendor, metric, quantity, unit, period FROM usage_overview WHERE grain = 'snapshot'
    ORDER BY vendor, metric DESC
"""
