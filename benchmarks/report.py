"""The results as text: the console summary and the table in benchmarks/README.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).with_name("README.md")
PROJECT_README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
LEVELS = {
    "L1": "L1 full sync, 0 ms",
    "L2": "L2 full sync, 50 ms",
    "L3": "L3 incremental, next day",
    "L4": "L4 make sync path into DuckDB",
    "medium": "L1 on medium (memory growth)",
}
SIDE = {
    "ours": "ours (2 streams)",
    "ours_all": "ours alone, local_sync's 4 streams, to a file",
    "ours_duckdb": "ours into DuckDB (local_sync)",
    "bare_cdk": "bare CDK",
    "raw": "raw requests loop",
    "dlt": "dlt rest_api into DuckDB, local_sync's 4 streams",
}


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def tables(results: dict[str, Any]) -> str:
    settings = results["settings"]
    lines = [
        f"Run {results['finished']} on {settings['cores']} cores, commit {settings.get('commit', 'unknown')}; "
        "medians of the runs counted in `n`. "
        f"Full syncs from {settings['start_date']} to {settings['today']} (`{settings['size']}`); "
        f"side by side from {settings['side_start_date']}.",
        "",
        "| run | n | requests | lower bound | wall s | CPU s | peak RSS MB | records | records/s | 429s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, title in LEVELS.items():
        m = results["medians"].get(key) if key != "medium" else results.get("medium")
        if not m:
            continue
        lines.append(
            f"| {title} | {m.get('runs', 1)} | {_num(m.get('requests'), 0)} | "
            f"{_num(m.get('lower_bound'), 0)} | "
            f"{_num(m['wall_s'])} | {_num(m['cpu_s'])} | {_num(m['peak_rss_mb'], 0)} | "
            f"{_num(m['records'], 0)} | {_num(m['records_per_s'], 0)} | {_num(m.get('status_429'), 0)} |"
        )
    side = results.get("side_by_side_medians", {})
    if side:
        lines += [
            "",
            "Side by side (same sandbox, same data: api_usage + api_transactions; local_sync, "
            "ours alone on its 4 streams and dlt also read accounts and credits):",
            "",
            "| tool | n | requests | wall s | CPU s | CPU µs/record | peak RSS MB | records | 429s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for key, title in SIDE.items():
            m = side.get(key)
            if m:
                lines.append(
                    f"| {title} | {m['runs']} | {_num(m.get('requests'), 0)} | {_num(m['wall_s'])} | "
                    f"{_num(m['cpu_s'])} | {_num(m['cpu_us_per_record'], 0)} | {_num(m['peak_rss_mb'], 0)} | "
                    f"{_num(m['records'], 0)} | {_num(m.get('status_429'), 0)} |"
                )
        imports = results.get("import_cost", {})
        if imports:
            lines += [
                "",
                "Importing the loader alone (a process that only runs `import <module>`): "
                + "; ".join(
                    f"`{module}` {m['wall_s']:.1f} s, {m['peak_rss_mb']:.0f} MB" for module, m in imports.items()
                )
                + ".",
            ]
        lines += ["", "| ratio | wall | CPU | CPU per record | peak RSS |", "|---|---|---|---|---|"]
        for label, r in results.get("ratios", {}).items():
            lines.append(
                f"| {label} | {r.get('wall_s', '—')} | {r.get('cpu_s', '—')} | "
                f"{r.get('cpu_us_per_record', '—')} | {r.get('peak_rss_mb', '—')} |"
            )
    lines += ["", "| target | result | figure | limit |", "|---|---|---|---|"]
    lines += [f"| {t['target']} | **{t['result']}** | {t['figure']} | {t['limit']} |" for t in results["targets"]]
    return "\n".join(lines)


def update_readme(results: dict[str, Any]) -> None:
    """Replace the tables between the markers in benchmarks/README.md and in the project's README.md."""
    block = f"{BEGIN}\n{tables(results)}\n{END}"
    for readme in (README, PROJECT_README):
        text = readme.read_text() if readme.exists() else f"{BEGIN}\n{END}\n"
        if BEGIN in text or readme == README:
            readme.write_text(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))


def console(results: dict[str, Any]) -> str:
    out = [tables(results), ""]
    for label, r in results.get("ratios", {}).items():
        out.append(f"{label}: wall {r.get('wall_s')}x, CPU {r.get('cpu_s')}x, peak RSS {r.get('peak_rss_mb')}x")
    for t in results["targets"]:
        out.append(f"{t['result']:4}  {t['target']}: {t['figure']} (target {t['limit']})")
    return "\n".join(out)
