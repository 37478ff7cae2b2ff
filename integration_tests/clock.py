"""`python clock.py 2026-12-01T12:00:00 read --config ...`: the real connector, its clock moved to that UTC moment.

The clock then runs on from there, as a real one does. libfaketime would do this from outside the process, but
Python 3.11's `time.sleep` fails under it here (EINVAL from clock_nanosleep once the monotonic clock is left real,
and waits that never end when it is faked), so the move is made inside the process, before the connector starts.
"""

import sys
from datetime import UTC, datetime

import time_machine

from source_usage.run import run


def main() -> None:
    moment = datetime.fromisoformat(sys.argv[1]).replace(tzinfo=UTC)
    sys.argv = ["source-usage", *sys.argv[2:]]
    with time_machine.travel(moment, tick=True):
        run()


if __name__ == "__main__":
    main()
