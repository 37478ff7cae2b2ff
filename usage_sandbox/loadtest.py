"""Measure the sandbox's throughput: `python -m usage_sandbox.loadtest --url http://127.0.0.1:8765`.

Sends small Whitepages requests (or, with --latency-ms, latency-injected ones) from many concurrent aiohttp
connections and prints requests per second. Pin server and client to different cores to measure one core:
`taskset -c 0 usage-sandbox serve --no-rate-limits` and `taskset -c 1 python -m usage_sandbox.loadtest`.
"""

import argparse
import asyncio
import os
import time
from collections import Counter

import aiohttp

from usage_sandbox.credentials import WHITEPAGES_API_KEY

PATH = "/whitepages/v1/account/usage?start_date=2026-11-19&end_date=2026-11-20"


async def _worker(session: aiohttp.ClientSession, url: str, count: int, statuses: Counter) -> None:
    for _ in range(count):
        async with session.get(url, headers={"X-Api-Key": WHITEPAGES_API_KEY}) as response:
            await response.read()
            statuses[response.status] += 1


async def run(base_url: str, total: int, concurrency: int) -> tuple[float, Counter]:
    statuses: Counter = Counter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(
            *(_worker(session, base_url + PATH, total // concurrency, statuses) for _ in range(concurrency))
        )
        return time.perf_counter() - started, statuses


def _cpu_seconds(pid: int | None) -> float:
    """User plus system CPU time of a process, from /proc (Linux)."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _control(base_url: str, path: str, body: object) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base_url}/_sandbox/{path}", json=body) as response:
            response.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="inject this latency on every request")
    parser.add_argument("--server-pid", type=int, default=None, help="also report the server's CPU per request")
    args = parser.parse_args()
    faults = {"name": "latency", "latency_ms": args.latency_ms} if args.latency_ms else {"name": "none"}
    asyncio.run(_control(args.url, "faults", faults))
    asyncio.run(_control(args.url, "limits", {"enabled": False}))
    cpu_before = _cpu_seconds(args.server_pid)
    elapsed, statuses = asyncio.run(run(args.url, args.requests, args.concurrency))
    cpu = _cpu_seconds(args.server_pid) - cpu_before
    done = sum(statuses.values())
    print(
        f"{done} requests, concurrency {args.concurrency}, latency {args.latency_ms} ms: "
        f"{elapsed:.2f} s, {done / elapsed:.0f} requests/s, statuses {dict(statuses)}"
    )
    if args.server_pid:
        print(
            f"server CPU {cpu:.2f} s ({100 * cpu / elapsed:.0f} % of one core), "
            f"{1000 * cpu / done:.3f} ms per request, so at most {done / cpu:.0f} requests/s per core"
        )
    asyncio.run(_control(args.url, "faults", {"name": "none"}))


if __name__ == "__main__":
    main()
