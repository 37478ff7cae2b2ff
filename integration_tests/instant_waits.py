"""`python instant_waits.py read --config ...`: the real connector, its waits of a second or more (the retries'
backoff) returning at once, for the tests of what it does after its retries rather than how long it waits.
Shorter waits (the rate limiter's pacing, the CDK's queue polling) still happen. A warm child of warm_start.py
calls `skip_backoff` too."""

import sys
import time

from source_usage.run import run


def skip_backoff() -> None:
    """From now on in this process, a sleep of a second or more returns at once."""
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if seconds < 1:
            real_sleep(seconds)

    time.sleep = sleep


def main() -> None:
    skip_backoff()
    sys.argv = ["source-usage", *sys.argv[1:]]
    run()


if __name__ == "__main__":
    main()
