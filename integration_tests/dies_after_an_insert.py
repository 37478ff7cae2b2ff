"""`python integration_tests/dies_after_an_insert.py TABLE ARGS`: `python -m local_sync ARGS`, whose process ends
(as SIGKILL would end it) after dlt's first insert into TABLE in PostgreSQL has committed and before dlt has recorded
that job as done: the one instant of a crash that a kill at a random time only sometimes lands on.

From the start of that insert, dlt's main thread records no more jobs, and the process ends a second after the
commit: the package's other jobs run on meanwhile, and those that finish leave the marker dlt's worker writes after
a commit (dlt then does not run them again) while still listed as started, as on a real crash."""

import os
import runpy
import sys
import threading
import time

from dlt.destinations.insert_job_client import InsertValuesLoadJob
from dlt.load.load import Load

_insert, _complete_jobs = InsertValuesLoadJob.run, Load.complete_jobs
_dying = threading.Event()


def _insert_then_die(job: InsertValuesLoadJob) -> None:
    if job.load_table_name == TABLE:
        _dying.set()
    _insert(job)
    if job.load_table_name == TABLE:
        time.sleep(1.0)
        os._exit(137)  # committed: nothing after this line of dlt's runs, as after a SIGKILL


def _record_nothing_while_dying(load: Load, *args: object, **kwargs: object) -> object:
    if _dying.is_set():
        time.sleep(60.0)  # the process ends first
    return _complete_jobs(load, *args, **kwargs)


if __name__ == "__main__":
    TABLE = sys.argv[1]
    InsertValuesLoadJob.run = _insert_then_die
    Load.complete_jobs = _record_nothing_while_dying
    sys.argv = ["local_sync", *sys.argv[2:]]
    runpy.run_module("local_sync", run_name="__main__", alter_sys=True)
