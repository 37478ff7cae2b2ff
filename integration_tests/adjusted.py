"""The real connector with its clock moved or its backoff skipped, as the tests ask: `adjust` in a warm child of
warm_start.py, or `python adjusted.py [--clock 2026-12-01T12:00:00] [--instant-waits] read --config ...` as a
process of its own.

- The clock is moved to that UTC moment and runs on from there, as a real one does. libfaketime would do this from
  outside the process, but Python 3.11's `time.sleep` fails under it here (EINVAL from clock_nanosleep once the
  monotonic clock is left real, and waits that never end when it is faked), so the move is made inside the
  process, before the connector starts.
- With the backoff skipped, its waits of a second or more (the retries') return at once, for the tests of what the
  connector does after its retries rather than how long it waits. Shorter waits (the rate limiter's pacing, the
  CDK's queue polling) still happen.
"""

import argparse
import sys
import time
from datetime import UTC, datetime

import time_machine

from source_usage.run import run


def adjust(clock: str | None, instant_waits: bool) -> None:
    """For the rest of this process: its clock at `clock` (ISO, UTC) and running on, its backoff skipped."""
    if clock:
        time_machine.travel(datetime.fromisoformat(clock).replace(tzinfo=UTC), tick=True).start()
    if instant_waits:
        real_sleep = time.sleep

        def sleep(seconds: float) -> None:
            if seconds < 1:
                real_sleep(seconds)

        time.sleep = sleep


def main() -> None:
    parser = argparse.ArgumentParser(prog="adjusted.py")
    parser.add_argument("--clock")
    parser.add_argument("--instant-waits", action="store_true")
    options, connector_args = parser.parse_known_args()
    adjust(options.clock, options.instant_waits)
    sys.argv = ["source-usage", *connector_args]
    run()


if __name__ == "__main__":
    main()
