"""`usage-sandbox serve ...` runs the server; `usage-sandbox truth ...` prints the truth as JSON lines."""

import argparse
import asyncio
import json
import sys
from datetime import date

from usage_sandbox.faults import PROFILES, parse_profile
from usage_sandbox.server import build_runtime, serve
from usage_sandbox.truth import truth
from usage_sandbox.vendors.leaf import DAILY_SUMMARY_READINGS

DEFAULT_SEED = 42
SIZES = ("small", "medium", "large")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from problem


def _page_cap(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a page size of 1 or more: {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="usage-sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the four vendors on loopback")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed on start)")
    _add_data_arguments(run)
    run.add_argument("--latency-ms", type=float, default=0.0)
    run.add_argument("--jitter-ms", type=float, default=0.0)
    run.add_argument("--faults", default="none", help=f"a profile name ({', '.join(PROFILES)}) or JSON")
    run.add_argument("--no-rate-limits", action="store_true", help="serve without the vendors' rate limits")
    run.add_argument("--limits", default=None, help='JSON as POST /_sandbox/limits takes, e.g. {"leaf": false}')
    run.add_argument(
        "--ranges",
        default=None,
        help='JSON as POST /_sandbox/ranges takes: the longest range per vendor and period, e.g. {"leaf": 45}',
    )
    run.add_argument("--page-cap", type=_page_cap, default=None, help="at most N items a page, whatever size is asked")
    run.add_argument("--verbose", action="store_true", help="log every request")
    show = commands.add_parser("truth", help="print the records a complete sync must produce")
    _add_data_arguments(show)
    show.add_argument("--start-date", type=_day, required=True)
    show.add_argument("--insideview-period", choices=("day", "month", "year"), default="day")
    return parser


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--today", type=_day, default=date.today())
    parser.add_argument(
        "--leaf-daily-summary",
        choices=DAILY_SUMMARY_READINGS,
        default=DAILY_SUMMARY_READINGS[0],
        help="Leaf's daily summary as totals to that day (the docs' examples) or that day's figures",
    )


def _fault_profiles(text: str) -> list:
    spec = json.loads(text) if text.lstrip().startswith(("{", "[")) else text
    specs = spec.get("profiles", [spec]) if isinstance(spec, dict) else spec if isinstance(spec, list) else [spec]
    return [parse_profile(item) for item in specs]


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "truth":
        records = truth(
            args.seed, args.size, args.today, args.start_date, args.insideview_period, args.leaf_daily_summary
        )
        out = sys.stdout
        for stream, rows in records.items():
            for row in rows:
                out.write(json.dumps({"stream": stream, "data": row}) + "\n")
        return
    runtime = build_runtime(
        args.seed,
        args.size,
        args.today,
        args.latency_ms,
        args.jitter_ms,
        not args.no_rate_limits,
        args.page_cap,
    )
    runtime.leaf_daily_summary = args.leaf_daily_summary
    if args.limits:
        runtime.limits.configure(json.loads(args.limits))
    if args.ranges:
        runtime.ranges.configure(json.loads(args.ranges))
    try:
        asyncio.run(serve(runtime, args.host, args.port, _fault_profiles(args.faults), args.verbose))
    except KeyboardInterrupt:
        pass
