"""`python clock.py 2026-12-01T12:00:00 read --config ...`: the real connector, its clock moved to that UTC moment.

The clock then runs on from there, as a real one does. libfaketime would do this from outside the process, but
Python 3.11's `time.sleep` fails under it here (EINVAL from clock_nanosleep once the monotonic clock is left real,
and waits that never end when it is faked), so the move is made inside the process, before the connector starts
(by `moved_to`, which a warm child of warm_start.py calls too).
"""

import sys
from datetime import UTC, datetime

import time_machine

from source_usage.run import run


def moved_to(moment: str) -> time_machine.travel:
    """The clock at `moment` (ISO, UTC) and running on, while the returned travel is entered."""
    return time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=UTC), tick=True)


def main() -> None:
    moment = sys.argv[1]
    sys.argv = ["source-usage", *sys.argv[2:]]
    with moved_to(moment):
        run()


if __name__ == "__main__":
    main()
