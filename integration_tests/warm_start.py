"""`source-usage ARGS` forked from a process that has imported the connector once: the standard library's forkserver.

Importing the CDK costs every process ~2.4 s of CPU, more than most test runs themselves. multiprocessing's
forkserver imports `source_usage.run` once (per test process), has the manifest validated there (warm_manifest.py)
and forks a child per run. The child gets the command line `source-usage` gets, writes its stdout to the socket it
is handed and its stderr to a file, sends uncaught exceptions to `sys.excepthook` as a script does, and ends as a
multiprocessing child ends: non-daemon threads joined, the exit code that of its `sys.exit`. This module imports
nothing of the tests, so a child loads no more, but adjusted.py when a child is asked for its clock moved or its
backoff skipped.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
from pathlib import Path

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["source_usage.run", "integration_tests.warm_manifest", __name__])


class WarmProcess:
    """A started child, with what connector_runs reads of a `subprocess.Popen`: stdout, kill and wait."""

    def __init__(self, args: list[str], err_path: Path, clock: str | None = None, instant_waits: bool = False) -> None:
        ours, theirs = socket.socketpair()
        self._process = _CONTEXT.Process(
            target=_child, args=(args, theirs, str(err_path), clock, instant_waits), name="source-usage"
        )
        try:
            self._process.start()
        finally:
            theirs.close()
        self.args, self.stdout = args, ours

    def kill(self) -> None:
        if self._process.exitcode is None:
            self._process.kill()

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self._process.exitcode


def _child(args: list[str], out: socket.socket, err_path: str, clock: str | None, instant_waits: bool) -> None:
    """`source-usage ARGS` in the forked child: stdin empty, stdout the socket, stderr the file; its clock moved to
    `clock` and its backoff skipped when asked (adjusted.py)."""
    from source_usage.run import run

    if clock or instant_waits:
        from integration_tests.adjusted import adjust

        adjust(clock, instant_waits)  # for the child's whole life, which ends with it

    stdin, stderr = os.open(os.devnull, os.O_RDONLY), os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    for source, target in ((stdin, 0), (out.detach(), 1), (stderr, 2)):
        os.dup2(source, target)
        os.close(source)
    sys.argv = ["source-usage", *args]
    code = 0
    try:
        run(args)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        sys.excepthook(*sys.exc_info())
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
