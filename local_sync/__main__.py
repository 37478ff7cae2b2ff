"""`python -m local_sync [VERB] [options]`: its verbs in VERBS (`sync` without one); see docs/local-sync.md."""

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from local_sync.answers.alerts import KINDS
from local_sync.connector import environment
from usage_sandbox.vendors.leaf import DAILY_SUMMARY_READINGS

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


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(kind.strip() for kind in text.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(
            f"not a kind of alert: {', '.join(unknown) or repr(text)}; use one or more of {', '.join(KINDS)}"
        )
    return kinds


# each verb and its one line; `python -m local_sync` without one syncs, as `make sync` runs it
VERBS = {
    "sync": "sync every stream into DuckDB or PostgreSQL, from the sandbox or (--config) the vendors (default)",
    "focus": "write the synced database's charges as a FOCUS 1.2 or 1.3 dataset (CSV or Parquet)",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_sync",
        description="Usage, credits and consumption of four data vendors, in your own database.",
        epilog="Without a verb, `python -m local_sync [options]` is `python -m local_sync sync [options]`.",
    )
    verbs = parser.add_subparsers(dest="verb", title="verbs", metavar="VERB")
    sync = verbs.add_parser("sync", help=VERBS["sync"], description=VERBS["sync"])
    sync.add_argument("--config", type=Path, help="a connector config for the real vendors (JSON)")
    sync.add_argument(
        "--db", default=os.environ.get("LOCAL_SYNC_DB") or DEFAULT_DB,
        help=f"a DuckDB file or a postgresql:// URL (default $LOCAL_SYNC_DB or {DEFAULT_DB})",
    )  # fmt: skip
    sync.add_argument(
        "--airbyte-dir", type=Path, default=None,
        help="the connector's logs and dlt's folder (default: $AIRBYTE_LOGGING_ROOT's parent, or ./.airbyte)",
    )  # fmt: skip
    sync.add_argument(
        "--fail-within", type=_days, metavar="DAYS",
        help="exit 3 when a credit pool runs out within DAYS days (for cron jobs and CI)",
    )  # fmt: skip
    sync.add_argument(
        "--fail-on", type=_kinds, metavar="KIND,...", default=(),
        help=f"exit 3 while an alert of these kinds is open (view usage_alerts): {', '.join(KINDS)}",
    )  # fmt: skip
    sync.add_argument(
        "--notify", action="append", metavar="URL",
        help="send each new alert to URL, an Apprise URL (json://, mailto://, slack://, workflows:// for Teams, ...); "
        "repeatable; default the URLs in $LOCAL_SYNC_NOTIFY (separated by spaces), which keeps them out of ps",
    )  # fmt: skip
    sync.add_argument(
        "--rates", type=Path, metavar="FILE",
        help="the rate card, a CSV of prices (docs/answers.md); default from the sandbox: the example card "
        "dbt/seeds/rate_card.csv; from the vendors: none (no costs)",
    )  # fmt: skip
    sync.add_argument(
        "--budgets", type=Path, metavar="FILE",
        help="monthly budgets, a CSV or YAML file (docs/answers.md); default from the sandbox: the example "
        "dbt/seeds/budgets.csv; from the vendors: the ones the database holds (none at first)",
    )  # fmt: skip
    sandbox = sync.add_argument_group("sandbox (without --config)")
    sandbox.add_argument("--seed", type=int, default=42)
    sandbox.add_argument("--size", choices=("small", "medium", "large"), default="small")
    sandbox.add_argument(
        "--today",
        type=_day,
        default=datetime.now(UTC).date().isoformat(),
        help="the sandbox's today, the last day synced (default today, UTC)",
    )
    sandbox.add_argument("--start-date", type=_day, help="first day synced (default 60 days before --today)")
    sandbox.add_argument(
        "--leaf-daily-summary", choices=DAILY_SUMMARY_READINGS, default=DAILY_SUMMARY_READINGS[0],
        help="how the sandbox serves Leaf's daily summary: totals to that day (default) or that day's figures; "
        "the answers are the same either way",
    )  # fmt: skip
    focus = verbs.add_parser("focus", help=VERBS["focus"], description=VERBS["focus"])
    focus.add_argument("--version", choices=("1.2", "1.3"), default="1.2", help="the FOCUS version (default 1.2)")
    focus.add_argument("--out", type=Path, required=True, help="the file to write: FILE.parquet or FILE.csv")
    focus.add_argument(
        "--db", default=os.environ.get("LOCAL_SYNC_DB") or DEFAULT_DB,
        help=f"the synced DuckDB file or postgresql:// URL (default $LOCAL_SYNC_DB or {DEFAULT_DB})",
    )  # fmt: skip
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """The verb and its options; arguments without a verb are the sync's."""
    if not argv or argv[0] not in (*VERBS, "-h", "--help"):
        argv = ["sync", *argv]
    return _parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.verb == "focus":
        from local_sync.cli import export_focus

        return export_focus(args)
    environment.prepare(args.airbyte_dir)
    from local_sync.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
