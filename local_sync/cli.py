"""The command: picks the target (the sandbox, or a config file's vendors), syncs, sets the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from local_sync.answers import budgets, rates
from local_sync.connector import environment
from local_sync.connector.config import ConfigFileError, load_config, sandbox_config
from local_sync.connector.process import ConnectorFailed
from local_sync.loaders.base import DatabaseUnavailable
from local_sync.loaders.target import TargetMismatch
from local_sync.loaders.windows import LoadFailed
from local_sync.notify import targets as notify
from local_sync.report.summary import Answers
from local_sync.sync import sync

if TYPE_CHECKING:
    from local_sync.answers.alerts import Alert
    from local_sync.answers.views import Pool

NOTIFY_ENV = "LOCAL_SYNC_NOTIFY"  # --notify's default: URLs separated by spaces (out of ps and shell history)
RESUMES = "the windows committed so far are kept; the next sync resumes from them"
RUNS_OUT = 3


def _alert(outcome: tuple[list[Pool], list[Alert]], days: int | None, kinds: tuple[str, ...]) -> int:
    """RUNS_OUT when `days` is given and a pool runs out within it, or an alert of `kinds` is open (each named on
    stderr), else 0."""
    pools, alerts = outcome
    code = 0
    soon = [pool for pool in pools if days is not None and pool.runs_out_within(days)]
    if soon:
        names = "; ".join(
            f"{pool.vendor} {pool.account_name or pool.account_id} on {pool.runs_out_on}" for pool in soon
        )
        print(f"local_sync: {len(soon)} credit pool(s) run out within {days} days: {names}.", file=sys.stderr)
        code = RUNS_OUT
    failing = [alert for alert in alerts if alert.kind in kinds]
    if failing:
        names = "; ".join(alert.sentence() for alert in failing)
        print(f"local_sync: {len(failing)} alert(s) of {', '.join(kinds)} open: {names}.", file=sys.stderr)
        code = RUNS_OUT
    return code


def run(args: argparse.Namespace) -> int:
    """0 when every stream synced, 1 when the sync failed, 2 when the input cannot work, 3 when --fail-within
    DAYS is given and a credit pool runs out within DAYS days or --fail-on names a kind of alert open, 130 on
    Ctrl-C."""
    try:
        # before any request: a card that cannot price the sync, or a budget that cannot be watched, stops it
        card = rates.read(args.rates or rates.EXAMPLE) if args.rates or args.config is None else None
        watched = budgets.read(args.budgets or budgets.EXAMPLE, card) if args.budgets or args.config is None else None
        answers = Answers(card, watched, notify.read(args.notify or os.environ.get(NOTIFY_ENV, "").split()))
        if args.config is not None:
            config = load_config(args.config)
            print(f"Syncing from the vendors in {args.config} into {args.db}.", flush=True)
            outcome = sync(config, args.db, "the vendors", lambda: None, answers)
            return _alert(outcome, args.fail_within, args.fail_on)
        return _from_sandbox(args, answers)
    except (ConfigFileError, TargetMismatch, FileNotFoundError, DatabaseUnavailable, rates.RateCardError,
            budgets.BudgetError, notify.NotifyError) as problem:  # fmt: skip
        print(f"local_sync: {problem}", file=sys.stderr)
        return 2
    except duckdb.IOException as problem:
        print(f"local_sync: cannot open {args.db} ({problem}); close the other connection.", file=sys.stderr)
        return 2
    except (ConnectorFailed, LoadFailed) as problem:
        print(f"local_sync: the sync failed: {problem} ({RESUMES}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"local_sync: interrupted ({RESUMES}).", file=sys.stderr)
        return 130


def _from_sandbox(args: argparse.Namespace, answers: Answers) -> int:
    # imported here: the sandbox's client (requests) costs memory a sync from the vendors does not need
    from local_sync.connector.sandbox import SandboxProcess, SandboxStartError

    data = f"seed {args.seed}, size {args.size}"
    print(f"Starting the sandbox ({data}, today {args.today}) ...", flush=True)
    log = environment.logs_dir() / "usage-sandbox.log"
    try:
        with SandboxProcess(args.seed, args.size, args.today, log, args.leaf_daily_summary) as box:
            config = sandbox_config(box.url, args.today, args.start_date)
            days = f"{config['start_date']}..{args.today}"
            print(f"Sandbox at {box.url}; syncing {days} into {args.db}.", flush=True)
            outcome = sync(config, args.db, f"the sandbox ({data})", box.stats, answers)
    except SandboxStartError as problem:
        print(f"local_sync: {problem}", file=sys.stderr)
        return 1
    return _alert(outcome, args.fail_within, args.fail_on)


def export_focus(args: argparse.Namespace) -> int:
    """`python -m local_sync focus`: 0 when the file is written, 2 when it cannot be (the reason on stderr)."""
    from local_sync.answers import focus
    from local_sync.loaders.base import is_postgres

    try:
        if is_postgres(args.db):
            connection = duckdb.connect(":memory:")
            focus.copy_into(connection, _postgres_charges(args.db))
        elif Path(args.db).exists():
            connection = duckdb.connect(args.db, read_only=True)
        else:
            raise focus.ExportRefused(f"{args.db} does not exist; sync first (make sync).")
        try:
            written = focus.export(connection, args.version, args.out)
        finally:
            connection.close()
    except (focus.ExportRefused, DatabaseUnavailable) as problem:
        print(f"local_sync: {problem}", file=sys.stderr)
        return 2
    print(f"Wrote {written:,} FOCUS {args.version} charges to {args.out}.")
    return 0


def _postgres_charges(url: str) -> list[tuple[object, ...]]:
    """The server's focus_charges (the [postgres] extra's psycopg2)."""
    import psycopg2

    from local_sync.answers.focus import ALL_COLUMNS
    from local_sync.loaders.postgres_sync import _dsn, settings_of, where

    settings = settings_of(url)
    try:
        with psycopg2.connect(_dsn(settings)) as server, server.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{settings["schema"]}"')
            cursor.execute(f"SELECT {', '.join(ALL_COLUMNS)} FROM focus_charges")
            return cursor.fetchall()
    except psycopg2.Error as problem:
        reason = str(problem).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot read focus_charges from {where(settings)} ({reason}).") from None
