"""`python integration_tests/dies_after_an_insert.py TABLE ARGS`: `python -m local_sync ARGS`, whose process ends
(as SIGKILL would end it) the moment dlt's first insert into TABLE in PostgreSQL has committed and before dlt has
recorded that job as done: the one instant of a crash that a kill at a random time only sometimes lands on."""

import os
import runpy
import sys

from dlt.destinations.insert_job_client import InsertValuesLoadJob

_insert = InsertValuesLoadJob.run


def _insert_then_die(job: InsertValuesLoadJob) -> None:
    _insert(job)
    if job.load_table_name == TABLE:
        os._exit(137)  # committed: nothing after this line of dlt's runs, as after a SIGKILL


if __name__ == "__main__":
    TABLE = sys.argv[1]
    InsertValuesLoadJob.run = _insert_then_die
    sys.argv = ["local_sync", *sys.argv[2:]]
    runpy.run_module("local_sync", run_name="__main__", alter_sys=True)
