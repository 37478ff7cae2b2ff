"""`python -m benchmarks.soak`: the long reliability run, kept out of CI (issue 6).

The same checks as the reliability tests in `make test`, longer and denser: a longer history, every fault
profile at a higher rate (logins faulted too), more seeds, a hundred kill points through the real
`source-usage` console script, and every malformed-answer profile. Every run's records are compared with
the sandbox's ground truth, checked for duplicated keys, schema violations and leaked secrets.

    python -m benchmarks.soak                      # everything, ~11 min on 2 cores
    python -m benchmarks.soak --parts crash --kills 40
    python -m benchmarks.soak --out benchmarks/results/soak-latest.json

Prints one line per scenario and a summary; exits 1 when any record was lost or any check failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from integration_tests.connector_runs import Run, read
from integration_tests.discovered import PRIMARY_KEYS
from integration_tests.kills import kept, kill_points, killer
from integration_tests.sandboxes import own_sandbox
from integration_tests.truth_compare import Records, differences, duplicated_keys, leaks, merge, schema_violations

TODAY = "2026-11-20"
TRANSIENT = ("429_retry_after", "429_no_retry_after", "5xx", "drop", "stall", "truncate")
UNREADABLE = ("invalid_json", "html_200", "empty_body")
REWRITES = ("missing_fields", "mistyped_fields", "huge_numbers", "extra_fields")


@dataclass
class Outcome:
    part: str
    name: str
    seed: int
    runs: int = 0
    seconds: float = 0.0
    records: int = 0
    lost: int = 0
    unread: int = 0
    wrong: int = 0
    duplicated: int = 0
    schema_violations: int = 0
    leaked: int = 0
    requests: int = 0
    faulted_requests: int = 0
    kills: int = 0
    failed: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No record lost or wrong, none duplicated or off its schema, no secret shown, no sync failed."""
        return not (self.failed or self.lost or self.wrong or self.duplicated or self.schema_violations or self.leaked)

    def line(self) -> str:
        verdict = "ok" if self.ok else "FAIL"
        return (
            f"{verdict:4} {self.part:9} {self.name:24} seed {self.seed:<4} runs {self.runs:<3} "
            f"records {self.records:<6} lost {self.lost:<3} unread {self.unread:<4} wrong {self.wrong:<3} "
            f"dup {self.duplicated:<3} "
            f"schema {self.schema_violations:<4} leaks {self.leaked} requests {self.requests} "
            f"(faulted {self.faulted_requests}) kills {self.kills} {self.seconds:.0f} s " + "; ".join(self.notes)[:300]
        )


def _check_runs(outcome: Outcome, runs: list[Run]) -> None:
    """Adds the runs' duplicated keys, schema violations, leaked secrets and hangs to the outcome."""
    outcome.runs += len(runs)
    for run in runs:
        outcome.duplicated += sum(len(keys) for keys in duplicated_keys(run.record_data()).values())
        outcome.schema_violations += len(schema_violations(run.record_data()))
        outcome.leaked += len(leaks(run.text))
        if run.hung:
            outcome.failed = True
            outcome.notes.append("hung")


def _compare(outcome: Outcome, got: Records, truth: Records, silent: bool) -> None:
    """Compares the merged records with the truth. Missing records count as lost when the sync reported
    success (`silent`); after a failure it reported, as unread."""
    diff = differences(merge(got), truth, PRIMARY_KEYS)
    missing = sum(d["counts"][0] for d in diff.values())
    outcome.records += sum(len(rows) for rows in truth.values())
    if silent:
        outcome.lost += missing
        outcome.wrong += sum(d["counts"][1] + d["counts"][2] for d in diff.values())
    else:
        outcome.unread += missing


def _count(stats: dict[str, Any], outcome: Outcome) -> None:
    for endpoints in stats["vendors"].values():
        for statuses in endpoints.values():
            outcome.requests += sum(statuses.values())
            outcome.faulted_requests += sum(n for status, n in statuses.items() if status != "200")


def faults(seed: int, start: str, size: str, name: str) -> Outcome:
    """A full sync, then an incremental one three days later, under one profile at a soak's rate."""
    outcome = Outcome("faults", name, seed)
    profile: dict[str, Any] = {"name": name}
    if name in TRANSIENT or name in UNREADABLE:
        profile.update(rate=0.3, include_login=True)
    if name == "stall":
        profile["stall_seconds"] = 2
    if name == "revoke_token":
        profile["rate"] = 0.2
    first = (date.fromisoformat(TODAY) - timedelta(days=3)).isoformat()
    started = time.monotonic()
    with own_sandbox(seed, size, first) as box:
        box.set_faults(profile)
        full = read(box.config(start_date=start, request_timeout_seconds=1), timeout=1200)
        _count(box.stats(), outcome)
        box.set_today(TODAY)
        box.reset()
        incremental = read(
            box.config(start_date=start, request_timeout_seconds=1),
            state=full.last_states().values(),
            timeout=1200,
        )
        _count(box.stats(), outcome)
        _check_runs(outcome, [full, incremental])
        _compare(outcome, full.record_data(), box.truth(start, today=first), silent=full.succeeded)
        merged = merge_records(full.record_data(), incremental.record_data())
        _compare(outcome, merged, box.truth(start), silent=full.succeeded and incremental.succeeded)
    for run in (full, incremental):
        if not run.succeeded:
            outcome.failed = True
            outcome.notes.extend(run.error_messages()[:1])
    outcome.seconds = time.monotonic() - started
    return outcome


def merge_records(*record_sets: Records) -> Records:
    """Record sets merged by primary key, as lists again."""
    return {stream: list(rows.values()) for stream, rows in merge(*record_sets).items()}


def crash(seed: int, start: str, size: str, kills: int) -> Outcome:
    """Kill `source-usage read` at seeded points spread over the streams, resume from its last states each
    time (one chain: every run resumes the previous kill and is the next), then merge what a destination
    keeps of every run."""
    outcome = Outcome("crash", f"{kills} kill points", seed)
    started = time.monotonic()
    with own_sandbox(seed, size, TODAY) as box:
        box.set_limits({"enabled": False})
        config = box.config(start_date=start)
        truth = box.truth(start)
        points = kill_points(truth, TODAY, seed, max(1, kills // len(PRIMARY_KEYS)), lookback=3)
        state: dict[str, dict[str, Any]] = {}
        keep: list[Records] = []
        killed_in: dict[str, int] = {}
        for point in [*points, None]:
            kill_when = killer(point) if point else None
            run = read(config, state=state.values(), kill_when=kill_when, timeout=600)
            if run.killed and point:
                killed_in[point.stream] = killed_in.get(point.stream, 0) + 1
            keep.append(kept(run))
            state.update(run.last_states())
            _check_runs(outcome, [run])
            if point is None and not run.succeeded:
                outcome.failed = True
                outcome.notes.extend(run.error_messages()[:1])
        outcome.kills = sum(killed_in.values())
        outcome.notes.append(json.dumps(killed_in, sort_keys=True))
        _compare(outcome, merge_records(*keep), truth, silent=True)
    outcome.seconds = time.monotonic() - started
    return outcome


def malformed(seed: int, start: str, size: str, name: str) -> Outcome:
    """A full sync under one malformed-answer profile: records right or the stream failed, schema kept."""
    outcome = Outcome("malformed", name, seed)
    profile: dict[str, Any] = {"name": name}
    if name in UNREADABLE:
        profile["rate"] = 0.2
    started = time.monotonic()
    with own_sandbox(seed, size, TODAY) as box:
        box.set_faults(profile)
        run = read(box.config(start_date=start), timeout=1200)
        _count(box.stats(), outcome)
        truth = box.truth(start)
    failed_streams = {(e.get("stream_descriptor") or {}).get("name") for e in run.trace_errors()}
    comparable_truth = {s: rows for s, rows in truth.items() if s not in failed_streams}
    _check_runs(outcome, [run])
    if name == "mistyped_fields":
        _compare(outcome, run.record_data(), comparable_truth, silent=True)
    else:  # fields missing, numbers changed or fields added: only the schema and the failures say anything
        outcome.records = sum(len(rows) for rows in run.record_data().values())
    if failed_streams:
        outcome.notes.append(f"failed streams: {sorted(s for s in failed_streams if s)}")
        outcome.notes.extend(sorted(set(run.error_messages()))[:2])
    outcome.seconds = time.monotonic() - started
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="faults,crash,malformed")
    parser.add_argument("--seeds", default="42,7", help="sandbox seeds, comma separated")
    parser.add_argument("--start", default="2026-08-01", help="start_date of every sync")
    parser.add_argument("--size", default="small")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--workers", type=int, default=8, help="scenarios side by side")
    parser.add_argument("--only", default="", help="profile names to run, comma separated (default: all)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    parts = set(args.parts.split(","))
    only = set(filter(None, args.only.split(",")))
    fault_names = [n for n in (*TRANSIENT, *UNREADABLE, "revoke_token", "xml") if not only or n in only]
    rewrites = [n for n in REWRITES if not only or n in only]
    jobs: list[Callable[[], Outcome]] = []
    for seed in seeds:
        if "faults" in parts:
            jobs += [lambda s=seed, n=name: faults(s, args.start, args.size, n) for name in fault_names]
        if "malformed" in parts:
            jobs += [lambda s=seed, n=name: malformed(s, args.start, args.size, n) for name in rewrites]
    if "crash" in parts:
        jobs.append(lambda: crash(seeds[0], args.start, args.size, args.kills))
    started = time.monotonic()
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for outcome in pool.map(lambda job: job(), jobs):
            print(outcome.line(), flush=True)
            outcomes.append(outcome)
    summary = {
        "scenarios": len(outcomes),
        "failed": [f"{o.part}/{o.name}/{o.seed}" for o in outcomes if not o.ok],
        "runs": sum(o.runs for o in outcomes),
        "records_compared": sum(o.records for o in outcomes),
        "records_lost": sum(o.lost for o in outcomes),
        "records_unread_after_a_reported_failure": sum(o.unread for o in outcomes),
        "kills": sum(o.kills for o in outcomes),
        "requests": sum(o.requests for o in outcomes),
        "faulted_requests": sum(o.faulted_requests for o in outcomes),
        "schema_violations": sum(o.schema_violations for o in outcomes),
        "leaks": sum(o.leaked for o in outcomes),
        "seconds": round(time.monotonic() - started),
    }
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "outcomes": [asdict(o) for o in outcomes]}, indent=1))
    return 0 if not summary["failed"] and not summary["records_lost"] else 1


if __name__ == "__main__":
    sys.exit(main())
