"""`python -m local_sync [--config FILE]`: see `local_sync/__init__.py` and docs/local-sync.md."""

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from local_sync import environment

DEFAULT_DB = "usage.duckdb"


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as problem:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from problem


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a number of days (0 or more): {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_sync",
        description="Sync every stream into DuckDB or PostgreSQL, from the sandbox or (--config) from the vendors.",
    )
    parser.add_argument("--config", type=Path, help="a connector config for the real vendors (JSON)")
    parser.add_argument(
        "--db", default=os.environ.get("LOCAL_SYNC_DB") or DEFAULT_DB,
        help=f"a DuckDB file or a postgresql:// URL (default $LOCAL_SYNC_DB or {DEFAULT_DB})",
    )  # fmt: skip
    parser.add_argument(
        "--airbyte-dir", type=Path, default=None,
        help="the connector's logs and dlt's folder (default: $AIRBYTE_LOGGING_ROOT's parent, or ./.airbyte)",
    )  # fmt: skip
    parser.add_argument(
        "--fail-within", type=_days, metavar="DAYS",
        help="exit 3 when a credit pool runs out within DAYS days (for cron jobs and CI)",
    )  # fmt: skip
    sandbox = parser.add_argument_group("sandbox (without --config)")
    sandbox.add_argument("--seed", type=int, default=42)
    sandbox.add_argument("--size", choices=("small", "medium", "large"), default="small")
    sandbox.add_argument(
        "--today",
        type=_day,
        default=datetime.now(UTC).date().isoformat(),
        help="the sandbox's today, the last day synced (default today, UTC)",
    )
    sandbox.add_argument("--start-date", type=_day, help="first day synced (default 60 days before --today)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    environment.prepare(args.airbyte_dir)
    from local_sync.run import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
