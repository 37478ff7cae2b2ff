"""The issue's targets, each PASS or FAIL with its figure, from the medians of a run."""

from __future__ import annotations

from typing import Any, Optional

# the sandbox's documented limits: (requests per second, burst); InsideView is 300 per 5 minutes per token
RATES = {"leadfeeder": 10.0, "insideview": 20.0, "whitepages": 20.0, "leaf": 20.0}
INSIDEVIEW_WINDOW = (300, 300.0)


def vendor_bound_s(endpoints: list[dict[str, Any]], latency_ms: float, concurrency: int) -> dict[str, float]:
    """Per vendor: its requests divided by the lesser of its rate limit and concurrency / latency."""
    per_vendor: dict[str, int] = {}
    for endpoint in endpoints:
        per_vendor[endpoint["vendor"]] = per_vendor.get(endpoint["vendor"], 0) + endpoint["lower_bound"]
    result = {}
    for vendor, requests in per_vendor.items():
        rate = min(RATES[vendor], concurrency / (latency_ms / 1000.0)) if latency_ms else RATES[vendor]
        seconds = requests / rate
        if vendor == "insideview":
            seconds = max(seconds, (requests - 1) // INSIDEVIEW_WINDOW[0] * INSIDEVIEW_WINDOW[1])
        result[vendor] = seconds
    return result


def _target(name: str, passed: Optional[bool], figure: str, limit: str) -> dict[str, Any]:
    return {
        "target": name,
        "result": "n/a" if passed is None else "PASS" if passed else "FAIL",
        "figure": figure,
        "limit": limit,
    }


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    levels, side = results["medians"], results.get("side_by_side_medians", {})
    runs = results["runs"]
    found: list[dict[str, Any]] = []
    failures = results.get("failures", [])
    found.append(
        _target(
            "every sync completed",
            not failures,
            "; ".join(f"{f['run']}: {f['error'][-160:]}" for f in failures) or "all completed",
            "no failure",
        )
    )
    for level in ("L1", "L3"):
        if level not in runs:
            continue
        last = runs[level][-1]
        over = [
            f"{e['vendor']}/{e['endpoint']} {e['requests']}>{e['allowed']}"
            for e in last["endpoints"]
            if e["requests"] - e["status_429"] > e["allowed"]
        ]
        ratio = last["requests"] / last["lower_bound"] if last["lower_bound"] else float("nan")
        found.append(
            _target(
                f"requests {level} (full)" if level == "L1" else f"requests {level} (incremental)",
                not over and ratio <= 1.05,
                f"{last['requests']} made / {last['lower_bound']} bound = {ratio:.3f}"
                + (f"; over: {', '.join(over)}" if over else ""),
                "<= bound + 1 per partition, ratio <= 1.05",
            )
        )
    if "L2" in levels:
        l2 = runs["L2"][-1]
        bounds_s = vendor_bound_s(l2["endpoints"], l2["latency_ms"], results["settings"]["concurrency"])
        slowest = max(bounds_s, key=lambda v: bounds_s[v])
        start = results.get("start_cost", {}).get("ours", {}).get("wall_s", 0.0)
        limit = 1.25 * bounds_s[slowest] + start
        found.append(
            _target(
                "L2 wall time",
                levels["L2"]["wall_s"] <= limit,
                f"{levels['L2']['wall_s']:.1f} s",
                f"<= 1.25 x {bounds_s[slowest]:.1f} s ({slowest}) + {start:.1f} s start = {limit:.1f} s",
            )
        )
    ours_429 = sum(r.get("status_429", 0) for level in ("L1", "L2", "L3", "L4") for r in runs.get(level, []))
    ours_429 += sum(r.get("status_429", 0) for r in results.get("side_by_side", {}).get("ours", []))
    found.append(_target("429s from our pace", ours_429 == 0, f"{ours_429} received", "0"))
    if "L1" in levels:
        large = levels["L1"]["peak_rss_mb"]
        found.append(_target("peak RSS on large (L1)", large <= 250, f"{large:.0f} MB", "<= 250 MB"))
        medium = results.get("medium", {}).get("peak_rss_mb")
        if medium:
            growth = large / medium - 1
            found.append(
                _target(
                    "RSS growth medium -> large",
                    growth <= 0.20,
                    f"{medium:.0f} -> {large:.0f} MB (+{100 * growth:.0f} %)",
                    "<= +20 %",
                )
            )
    if side:
        ours, bare = side["ours"], side["bare_cdk"]
        ratio = ours["cpu_us_per_record"] / bare["cpu_us_per_record"]
        found.append(
            _target(
                "CPU per record vs bare CDK",
                ratio <= 1.2,
                f"{ours['cpu_us_per_record']:.0f} vs {bare['cpu_us_per_record']:.0f} us = {ratio:.2f}x",
                "<= 1.2x",
            )
        )
        duck, dlt = side["ours_duckdb"], side["dlt"]
        alone = side.get("ours_all")
        if alone:
            found.append(
                _target(
                    "into DuckDB within 1.1x of the connector's own read",
                    duck["wall_s"] <= 1.1 * alone["wall_s"],
                    f"{duck['wall_s']:.1f} s vs the connector alone {alone['wall_s']:.1f} s "
                    f"= {duck['wall_s'] / alone['wall_s']:.2f}x",
                    "<= 1.1x",
                )
            )
        wall_floor = f"; the connector alone {alone['wall_s']:.1f} s" if alone else ""
        rss_floor = f"; the connector alone {alone['peak_rss_mb']:.0f} MB" if alone else ""
        duckdb_import = results.get("import_cost", {}).get("duckdb", {}).get("peak_rss_mb")
        if alone and duckdb_import:
            # a loader that commits while the connector reads holds DuckDB beside it: the least that can take
            rss_floor = (
                f"; floor {alone['peak_rss_mb'] + duckdb_import:.0f} MB = the connector alone "
                f"{alone['peak_rss_mb']:.0f} MB + a process that only imports duckdb {duckdb_import:.0f} MB"
            )
        found.append(
            _target(
                "into DuckDB faster than dlt",
                duck["wall_s"] < dlt["wall_s"],
                f"{duck['wall_s']:.1f} s vs dlt {dlt['wall_s']:.1f} s{wall_floor}",
                "< dlt",
            )
        )
        found.append(
            _target(
                "into DuckDB memory < half of dlt",
                duck["peak_rss_mb"] < dlt["peak_rss_mb"] / 2,
                f"{duck['peak_rss_mb']:.0f} MB vs dlt {dlt['peak_rss_mb']:.0f} MB{rss_floor}",
                "< 0.5x dlt",
            )
        )
    return found


def ratios(side: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """ours / bare-CDK, ours / raw, ours (into DuckDB) / dlt: wall, CPU, CPU per record, peak RSS."""
    pairs = {
        "ours/bare_cdk": ("ours", "bare_cdk"),
        "ours/raw": ("ours", "raw"),
        "ours_duckdb/dlt": ("ours_duckdb", "dlt"),
    }
    result = {}
    for label, (mine, theirs) in pairs.items():
        if mine in side and theirs in side:
            result[label] = {
                key: round(side[mine][key] / side[theirs][key], 2)
                for key in ("wall_s", "cpu_s", "cpu_us_per_record", "peak_rss_mb")
                if side[mine].get(key) and side[theirs].get(key)
            }
    return result
