"""The measured runs: L1-L4 of our connector, and the side-by-side floors on the same data."""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from benchmarks import bounds
from benchmarks.connector import OURS, ReadResult, configured_catalog, read
from benchmarks.measure import Measurement, run_measured
from benchmarks.sandbox import VENDORS, BenchSandbox
from usage_sandbox.truth import STREAMS

BARE = (sys.executable, "-m", "benchmarks.baseline_source")
RAW = (sys.executable, "-m", "benchmarks.raw_loop")
DLT = (sys.executable, "-m", "benchmarks.dlt_load")
LOCAL_SYNC = (sys.executable, "-m", "local_sync")
SIDE_STREAMS = ("api_usage", "api_transactions")
SIDE_VENDORS = ("leadfeeder", "insideview")


def row(
    measurement: Measurement,
    records: int,
    stats: Optional[dict[str, Any]] = None,
    bound_rows: Optional[list[dict[str, Any]]] = None,
    **extra: Any,
) -> dict[str, Any]:
    """One run as it goes into the results: the measurement, records, requests and 429s."""
    result: dict[str, Any] = {
        **asdict(measurement),
        "records": records,
        "records_per_s": records / measurement.wall_s if measurement.wall_s else 0.0,
        "cpu_us_per_record": 1e6 * measurement.cpu_s / records if records else None,
    }
    if stats is not None:
        result["requests"] = stats.get("total", 0)
        result["status_429"] = sum(s.get("429", 0) for s in bounds.made(stats).values())
    if bound_rows is not None:
        result["lower_bound"] = sum(r["lower_bound"] for r in bound_rows)
        result["allowed"] = sum(r["allowed"] for r in bound_rows)
        result["endpoints"] = bound_rows
    result.update(extra)
    return result


def medians(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Median of every number over the runs (and how many runs there were)."""
    keys = [k for k, v in rows[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    result: dict[str, Any] = {"runs": len(rows)}
    for key in keys:
        values = [r[key] for r in rows if isinstance(r.get(key), (int, float))]
        result[key] = statistics.median(values) if values else None
    return result


def _check(result: ReadResult, what: str) -> None:
    if result.errors:
        raise RuntimeError(f"{what} failed: {result.errors[:3]}")


class Bench:
    """One sandbox (one size), a scratch folder, and the dates every run uses."""

    def __init__(self, sandbox: BenchSandbox, workdir: Path, start_date: str, log: Callable[[str], None]) -> None:
        self.sandbox, self.workdir, self.start_date, self.log = sandbox, workdir, start_date, log
        self.today = sandbox.default_today
        self.catalogs: dict[str, dict[str, Any]] = {}

    def config(self, start_date: str, *vendors: str, today: Optional[str] = None) -> dict[str, Any]:
        return self.sandbox.config(start_date, *vendors, end_date=today or self.today)

    def catalog(
        self,
        key: str,
        command: Sequence[str],
        config: dict[str, Any],
        streams: Optional[Sequence[str]] = None,
    ) -> dict[str, Any]:
        if key not in self.catalogs:
            self.catalogs[key] = configured_catalog(command, config, self.workdir, streams)
        return self.catalogs[key]

    def bound_rows(self, first: str, today: str, vendors: Sequence[str] = VENDORS) -> list[dict[str, Any]]:
        found = bounds.lower_bounds(
            self.sandbox.seed,
            self.sandbox.size,
            date.fromisoformat(today),
            date.fromisoformat(first),
            tuple(vendors),
        )
        return bounds.compare(found, self.sandbox.stats())

    def full_sync(self, name: str, latency_ms: float = 0.0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """L1 (0 ms) or L2 (latency): every stream from start_date; returns the row and the final state."""
        config = self.config(self.start_date)
        catalog = self.catalog("ours", OURS, config)
        self.sandbox.prepare(latency_ms=latency_ms)
        result = read(OURS, config, catalog, self.workdir, name=name)
        _check(result, name)
        stats = self.sandbox.stats()
        out = row(
            result.measurement,
            result.total_records,
            stats,
            self.bound_rows(self.start_date, self.today),
            streams=dict(result.records),
            latency_ms=latency_ms,
        )
        self.log(f"{name}: {_line(out)}")
        return out, result.state

    def incremental_sync(
        self, name: str, state: list[dict[str, Any]], days_later: int, previous_end: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """L3: the sync `days_later` days after the sandbox's today, from the state a sync left."""
        today = (date.fromisoformat(self.today) + timedelta(days=days_later)).isoformat()
        config = self.config(self.start_date, today=today)
        catalog = self.catalog("ours", OURS, config)
        self.sandbox.prepare(today=today)
        result = read(OURS, config, catalog, self.workdir, state=state, name=name)
        _check(result, name)
        lookback = int(config.get("lookback_days", 3))
        first = (date.fromisoformat(previous_end) - timedelta(days=lookback)).isoformat()
        out = row(
            result.measurement,
            result.total_records,
            self.sandbox.stats(),
            self.bound_rows(first, today),
            streams=dict(result.records),
            today=today,
        )
        self.log(f"{name}: {_line(out)}")
        return out, result.state

    def local_sync(self, name: str, start_date: str, vendors: Sequence[str] = VENDORS) -> dict[str, Any]:
        """L4: `python -m local_sync --config` (the connector beside PyAirbyte) into a fresh DuckDB file."""
        config = self.config(start_date, *vendors)
        config_path = self.workdir / f"{name}.config.json"
        config_path.write_text(json.dumps(config))
        folder = self.workdir / name
        folder.mkdir(exist_ok=True)
        database = folder / "usage.duckdb"
        database.unlink(missing_ok=True)
        self.sandbox.prepare()
        measurement = run_measured(
            [
                *LOCAL_SYNC,
                "--config",
                str(config_path),
                "--db",
                str(database),
                "--airbyte-dir",
                str(folder / "airbyte"),
            ],
            self.workdir / f"{name}.out",
        )
        if measurement.returncode != 0:
            raise RuntimeError(f"{name} failed: {(self.workdir / f'{name}.out').read_text()[-2000:]}")
        records = _duckdb_rows(database)
        out = row(
            measurement,
            sum(records.values()),
            self.sandbox.stats(),
            self.bound_rows(start_date, self.today, vendors),
            streams=records,
        )
        self.log(f"{name}: {_line(out)}")
        return out

    def side_by_side(self, rep: int, start_date: str) -> dict[str, dict[str, Any]]:
        """Ours (two streams, and into DuckDB), the bare CDK, the raw loop and dlt on the same data."""
        config = self.config(start_date, *SIDE_VENDORS)
        config_path = self.workdir / "side.config.json"
        config_path.write_text(json.dumps(config))
        found = bounds.lower_bounds(
            self.sandbox.seed,
            self.sandbox.size,
            date.fromisoformat(self.today),
            date.fromisoformat(start_date),
            SIDE_VENDORS,
        )
        side_bound = sum(b.requests for b in found if b.endpoint in ("usage", "accounts", "token"))
        results: dict[str, dict[str, Any]] = {}
        # ours_all: the connector alone on every stream of the two vendors, what local_sync reads (its floor)
        for name, command, streams in (
            ("ours", OURS, SIDE_STREAMS),
            ("ours_all", OURS, None),
            ("bare_cdk", BARE, SIDE_STREAMS),
        ):
            catalog = self.catalog(f"side-{name}", command, config, streams)
            self.sandbox.prepare()
            result = read(command, config, catalog, self.workdir, name=f"side-{name}-{rep}")
            _check(result, f"side-by-side {name}")
            results[name] = row(result.measurement, result.total_records, self.sandbox.stats(), lower_bound=side_bound)
        self.sandbox.prepare()
        raw_out = self.workdir / f"side-raw-{rep}.jsonl"
        measurement = run_measured([*RAW, "--config", str(config_path)], raw_out)
        if measurement.returncode != 0:
            raise RuntimeError("side-by-side raw loop failed")
        with open(raw_out, encoding="utf-8") as lines:
            raw_records = sum(1 for _ in lines)
        results["raw"] = row(measurement, raw_records, self.sandbox.stats(), lower_bound=side_bound)
        folder = self.workdir / f"side-dlt-{rep}"
        self.sandbox.prepare()
        measurement = run_measured(
            [
                *DLT,
                "--config",
                str(config_path),
                "--db",
                str(folder / "dlt.duckdb"),
                "--pipelines-dir",
                str(folder / "pipelines"),
            ],
            self.workdir / f"side-dlt-{rep}.out",
        )
        if measurement.returncode != 0:
            raise RuntimeError(f"dlt failed: {(self.workdir / f'side-dlt-{rep}.out').read_text()[-2000:]}")
        dlt_rows = json.loads((self.workdir / f"side-dlt-{rep}.out").read_text().strip().splitlines()[-1])["rows"]
        results["dlt"] = row(measurement, sum(dlt_rows.values()), self.sandbox.stats(), lower_bound=side_bound)
        results["ours_duckdb"] = self.local_sync(f"side-duckdb-{rep}", start_date, SIDE_VENDORS)
        results["ours_duckdb"].pop("endpoints", None)
        for name, result in results.items():
            self.log(f"side-by-side {rep} {name}: {_line(result)}")
        return results

    def warm(self, start_date: str) -> None:
        """One unmeasured raw loop over the side-by-side data: the sandbox computes and caches it."""
        config_path = self.workdir / "warm.config.json"
        config_path.write_text(json.dumps(self.config(start_date, *SIDE_VENDORS)))
        self.sandbox.prepare()
        run_measured([*RAW, "--config", str(config_path)], self.workdir / "warm.out")

    def import_cost(self, module: str) -> dict[str, Any]:
        """A process that only imports `module`: the least any tool built on it can take, in time and memory."""
        measurement = run_measured([sys.executable, "-c", f"import {module}"], self.workdir / f"import-{module}.out")
        return asdict(measurement)

    def start_cost(self, command: Sequence[str]) -> dict[str, Any]:
        """A process that imports the runtime and builds the streams but reads nothing: `discover`."""
        config_path = self.workdir / "start.config.json"
        config_path.write_text(json.dumps(self.config(self.start_date)))
        measurement = run_measured([*command, "discover", "--config", str(config_path)], self.workdir / "start.out")
        return asdict(measurement)


def _duckdb_rows(database: Path) -> dict[str, int]:
    """Rows per stream table the sync wrote."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        tables = {r[0] for r in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in STREAMS if t in tables}


def _line(result: dict[str, Any]) -> str:
    parts = [
        f"{result['wall_s']:.1f} s wall",
        f"{result['cpu_s']:.1f} s CPU",
        f"{result['peak_rss_mb']:.0f} MB",
        f"{result['records']} records",
    ]
    if "requests" in result:
        parts.append(f"{result['requests']} requests (bound {result.get('lower_bound', '?')})")
        parts.append(f"{result.get('status_429', 0)} x 429")
    return ", ".join(parts)
