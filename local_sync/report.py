"""What a sync prints at the end: rows per stream, requests made, and the cross-vendor overview."""

from collections.abc import Sequence
from typing import Any

import duckdb

from local_sync.overview import MONTHLY_SQL, SNAPSHOT_SQL

# stream → vendor, in the order of the stream table in design.md
STREAM_VENDORS = {
    "accounts": "leadfeeder",
    "api_usage": "leadfeeder",
    "credits": "insideview",
    "api_transactions": "insideview",
    "daily_usage": "whitepages",
    "contracts": "leaf",
    "contract_consumption": "leaf",
    "daily_consumption": "leaf",
    "leaf_users": "leaf",
    "leaf_user_consumption": "leaf",
}
OVERVIEW_MONTHS = 3


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> str:
    """An aligned text table; numbers are right-aligned with thousands separators."""
    cells = [[_cell(value) for value in row] for row in rows]
    columns = range(len(headers))
    numeric = [all(isinstance(row[i], int | float) or row[i] is None for row in rows) for i in columns]
    widths = [max([len(header)] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        padded = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ]
        return (indent + "  ".join(padded)).rstrip()

    return "\n".join([line(headers)] + [line(row) for row in cells])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def row_counts(connection: duckdb.DuckDBPyConnection, streams: Sequence[str]) -> dict[str, int]:
    """Rows per stream table, in the order of the stream table."""
    known = [stream for stream in STREAM_VENDORS if stream in streams]
    ordered = known + sorted(set(streams) - set(STREAM_VENDORS))
    return {
        stream: connection.execute(f'SELECT count(*) FROM main."{stream}"').fetchone()[0]  # type: ignore[index]
        for stream in ordered
    }


def rows_section(counts: dict[str, int], db_name: str) -> str:
    rows = [(stream, STREAM_VENDORS.get(stream, ""), count) for stream, count in counts.items()]
    title = f"Rows per stream in {db_name} (one table per stream):\n"
    return title + table(("stream", "vendor", "rows"), rows)


def requests_section(stats: dict[str, Any] | None) -> str:
    """The sandbox's counts per vendor and endpoint; statuses other than 200 are named."""
    if stats is None:
        return "Requests made: not counted (the vendors do not report them; the sandbox does)."
    rows: list[tuple[str, int, str]] = []
    for vendor, endpoints in sorted(stats["vendors"].items()):
        parts = []
        for endpoint, statuses in sorted(endpoints.items()):
            others = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()) if status != "200")
            parts.append(f"{endpoint} {sum(statuses.values())}" + (f" ({others})" if others else ""))
        rows.append((vendor, sum(sum(s.values()) for s in endpoints.values()), ", ".join(parts)))
    rows.append(("total", stats["total"], ""))
    return "Requests made (counted by the sandbox):\n" + table(("vendor", "requests", "by endpoint"), rows)


def overview_section(connection: duckdb.DuckDBPyConnection) -> str:
    """Monthly totals of the last months, one column a month, then the latest credit balances."""
    # no query parameter: DuckDB's first one imports numpy, pandas and pyarrow (+120 MB, ~1 s)
    monthly = connection.execute(MONTHLY_SQL.replace("?", str(int(OVERVIEW_MONTHS - 1)))).fetchall()
    months = sorted({month for *_, month, _ in monthly})
    series: dict[tuple[str, str, str], dict[str, float]] = {}
    for vendor, metric, unit, month, quantity in monthly:
        series.setdefault((vendor, metric, unit), {})[month] = quantity
    usage = [(*key, *(values.get(month) for month in months)) for key, values in series.items()]
    title = "Overview (view usage_overview), monthly totals:\n"
    text = title + table(("vendor", "metric", "unit", *months), usage)
    snapshots = connection.execute(SNAPSHOT_SQL).fetchall()
    if snapshots:
        headers = ("vendor", "metric", "quantity", "unit", "as of")
        text += "\n\nCredit balances (latest snapshot):\n" + table(headers, snapshots)
    return text
