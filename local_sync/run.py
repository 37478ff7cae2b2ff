"""The command: picks the target (the sandbox, or a config file's vendors), syncs, sets the exit code."""

import argparse
import sys

import duckdb
from airbyte.exceptions import PyAirbyteError

from local_sync import environment
from local_sync.answers import Pool
from local_sync.config import ConfigFileError, load_config, sandbox_config
from local_sync.sandbox_process import SandboxProcess, SandboxStartError
from local_sync.sync import sync
from local_sync.target import TargetMismatch

RUNS_OUT = 3


def _alert(pools: list[Pool], days: int | None) -> int:
    """RUNS_OUT when `days` is given and a pool runs out within it (named on stderr), else 0."""
    soon = [pool for pool in pools if days is not None and pool.runs_out_within(days)]
    if soon:
        names = "; ".join(
            f"{pool.vendor} {pool.account_name or pool.account_id} on {pool.runs_out_on}"
            for pool in soon
        )
        print(f"local_sync: {len(soon)} credit pool(s) run out within {days} days: {names}.", file=sys.stderr)
        return RUNS_OUT
    return 0


def run(args: argparse.Namespace) -> int:
    """0 when every stream synced, 1 when the sync failed, 2 when the input cannot work, 3 when --fail-within
    DAYS is given and a credit pool runs out within DAYS days, 130 on Ctrl-C."""
    try:
        if args.config is not None:
            config = load_config(args.config)
            print(f"Syncing from the vendors in {args.config} into {args.db}.", flush=True)
            return _alert(sync(config, args.db, "the vendors", lambda: None), args.fail_within)
        data = f"seed {args.seed}, size {args.size}"
        print(f"Starting the sandbox ({data}, today {args.today}) ...", flush=True)
        log = environment.logs_dir() / "usage-sandbox.log"
        with SandboxProcess(args.seed, args.size, args.today, log) as box:
            config = sandbox_config(box.url, args.today, args.start_date)
            days = f"{config['start_date']}..{args.today}"
            print(f"Sandbox at {box.url}; syncing {days} into {args.db}.", flush=True)
            pools = sync(config, args.db, f"the sandbox ({data})", box.stats)
        return _alert(pools, args.fail_within)
    except (ConfigFileError, TargetMismatch, FileNotFoundError) as problem:
        print(f"local_sync: {problem}", file=sys.stderr)
        return 2
    except duckdb.IOException as problem:
        print(f"local_sync: cannot open {args.db} ({problem}); close the other connection.", file=sys.stderr)
        return 2
    except SandboxStartError as problem:
        print(f"local_sync: {problem}", file=sys.stderr)
        return 1
    except PyAirbyteError as problem:
        log_file = getattr(problem, "log_file", None)
        where = f" (log: {log_file})" if log_file else ""
        print(f"local_sync: the sync failed: {problem.get_message()}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("local_sync: interrupted.", file=sys.stderr)
        return 130
