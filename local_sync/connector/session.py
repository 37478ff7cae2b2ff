"""`python -m local_sync.connector.session CONFIG`: the connector's `discover` for CONFIG, then, once the loader
sends the arguments of `read` as one JSON line on stdin, that `read`; nothing when stdin closes first.

Both are the connector's own commands (`source_usage.run.run`, what `source-usage` runs), in one process.
"""

import json
import sys

from source_usage.run import run


def main(config: str) -> None:
    run(["discover", "--config", config])
    sys.stdout.flush()
    line = sys.stdin.readline()
    if line.strip():
        run(json.loads(line))
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
