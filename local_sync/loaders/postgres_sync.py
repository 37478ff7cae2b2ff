"""`make sync` into PostgreSQL (LOCAL_SYNC_DB=postgresql://...): dlt's postgres destination, the [postgres] extra.

The same steps as into DuckDB (discover, read, windows committed with their STATEs, the same table layout:
typed columns, `_airbyte_raw_id`, `_airbyte_extracted_at`, `_airbyte_meta`, `_airbyte_state`); dlt adds its
own `_dlt_load_id` and `_dlt_id` columns and `_dlt_*` tables. Only this path imports dlt and psycopg2.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from local_sync.connector import environment
from local_sync.connector.catalog import Stream, discover
from local_sync.connector.process import Connector
from local_sync.connector.progress import Progress
from local_sync.connector.run_files import RunFiles
from local_sync.loaders import state_table, target
from local_sync.loaders.base import DatabaseUnavailable, Loader
from local_sync.loaders.windows import LoadFailed

DEFAULT_SCHEMA = "public"
DEFAULT_PORT = 5432


def settings_of(url: str) -> dict[str, Any]:
    """The parts of `postgresql://user[:password]@host[:port]/database[?schema=name]`."""
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not parts.username or not database:
        raise DatabaseUnavailable(
            "LOCAL_SYNC_DB must name the user, host and database: postgresql://user[:password]@host[:port]/database"
        )
    return {
        "host": parts.hostname,
        "port": parts.port or DEFAULT_PORT,
        "user": unquote(parts.username),
        "password": unquote(parts.password or ""),
        "database": database,
        "schema": parse_qs(parts.query).get("schema", [DEFAULT_SCHEMA])[0],
    }


def where(settings: dict[str, Any]) -> str:
    """The database as messages name it: never the password."""
    return f"postgresql://{settings['user']}@{settings['host']}:{settings['port']}/{settings['database']}"


def _dsn(settings: dict[str, Any]) -> str:
    secret = f":{quote(settings['password'], safe='')}" if settings["password"] else ""
    return (
        f"postgresql://{quote(settings['user'], safe='')}{secret}@{settings['host']}:{settings['port']}/"
        f"{quote(settings['database'], safe='')}"
    )


class PostgresLoader(Loader):
    """A PostgreSQL schema, loaded through dlt's postgres destination (the [postgres] extra)."""

    dialect = "postgres"

    def __init__(self, url: str) -> None:
        os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"  # dlt sends anonymous telemetry unless told not to
        import dlt
        import psycopg2

        settings = settings_of(url)
        self.schema, self._where = settings["schema"], where(settings)
        self.name, self.folder = f"{self._where} (schema {self.schema})", Path.cwd()
        try:
            self._connection = psycopg2.connect(_dsn(settings))
        except psycopg2.OperationalError as problem:
            reason = str(problem).strip().splitlines()[0]
            raise DatabaseUnavailable(
                f"cannot connect to {self._where} ({reason}); start the server or fix the URL."
            ) from None
        key = hashlib.sha256(f"{self._where}?schema={self.schema}".encode()).hexdigest()[:12]
        # dlt insists on a password; a server that trusts the user (no password in the URL) ignores this one
        credentials = _dsn({**settings, "password": settings["password"] or os.environ.get("PGPASSWORD") or "unused"})
        try:
            self._pipeline = dlt.pipeline(
                pipeline_name=f"local_sync_{key}", destination=dlt.destinations.postgres(credentials=credentials),
                dataset_name=self.schema, pipelines_dir=str(environment.logs_dir().parent / "dlt"),
            )  # fmt: skip
        except BaseException:  # `with` has not begun, so it would not close the connection
            self._connection.close()
            raise

    @property
    def connection(self) -> Any:
        return self._connection

    def load(self, files: RunFiles, target_name: str) -> tuple[list[Stream], Progress]:
        from dlt.pipeline.exceptions import PipelineStepFailed

        from local_sync.loaders.postgres_load import PostgresLoad

        try:
            if self._pipeline.has_pending_data:  # a load cut short by a crash: finished before the state is read
                print("Finishing the load the last sync left unfinished ...", flush=True)
                self._pipeline.normalize()
                self._forget_unrecorded_inserts()
                self._pipeline.load().raise_on_failed_jobs()
            with self._connection, self._connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                existing = target.claim(cursor, self.schema, self._where, target_name)
                stored = []
                if state_table.TABLE in target.tables(cursor, self.schema):
                    cursor.execute(state_table.SELECT_SQL.format(schema=f'"{self.schema}"'))
                    stored = cursor.fetchall()
            with Connector(files.config, files.log) as connector:
                streams = discover(connector)
                states = state_table.states_of(stored, [stream.name for stream in streams])
                args = files.read_args(streams, states, self.name, existing.streams_with_state)
                progress = Progress()
                PostgresLoad(self._pipeline, streams, progress).run(connector.read(args), files.spool)
        except PipelineStepFailed as problem:
            cause = str(problem.__cause__ or problem).strip().splitlines()[0]
            raise LoadFailed(f"dlt could not load into {self._where} (step {problem.step}): {cause}") from None
        with self._connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{self.schema}"')
        return streams, progress

    def _forget_unrecorded_inserts(self) -> None:
        """dlt runs again an insert job of an unfinished load that has no record of its outcome, and a crash may
        have come after that job's rows were committed but before dlt recorded it (its worker thread writes a
        pending-transition marker right after the commit): the second insert would then break the load on the
        table's unique `_dlt_id`. Those rows (the package's own, in a table whose insert has no record: a merge
        table's in the staging schema, where no merge has read them yet, dlt's own appended tables' in the schema)
        are deleted first, so the job inserts them once. A job with a marker is not run again, so its table's rows
        stay, as do those of a table with a completed insert in the package: rows cannot be told apart by job."""
        # dlt 1.31 keeps the markers in its package storage, which no public call reads
        packages = self._pipeline._get_load_storage().normalized_packages
        unrecorded: dict[str, set[str]] = {}
        for load_id in self._pipeline.list_normalized_load_packages():
            jobs = self._pipeline.get_load_package_info(load_id).jobs
            inserts = {
                state: [job for job in jobs[state] if job.job_file_info.file_format == "insert_values"]
                for state in ("started_jobs", "completed_jobs")
            }
            marked = {
                job
                for job in inserts["started_jobs"]
                if packages.load_pending_transition(load_id, Path(job.file_path).name)
            }
            recorded = {job.job_file_info.table_name for job in [*inserts["completed_jobs"], *marked]}
            tables = {job.job_file_info.table_name for job in inserts["started_jobs"]} - recorded
            if tables:
                unrecorded[load_id] = tables
        if not unrecorded:
            return
        with self._pipeline.destination_client() as client:
            for load_id, tables in unrecorded.items():
                for table in sorted(tables):
                    staged = client.should_load_data_to_staging_dataset(table)
                    with client.with_staging_dataset() if staged else contextlib.nullcontext(client) as dataset:
                        if dataset.get_storage_table(table)[0]:  # else never created: nothing was inserted
                            delete = f"DELETE FROM {dataset.sql_client.make_qualified_table_name(table)}"
                            dataset.sql_client.execute_sql(f"{delete} WHERE _dlt_load_id = %s", load_id)

    def row_counts(self, streams: list[Stream]) -> dict[str, int]:
        counts = {}
        with self._connection, self._connection.cursor() as cursor:
            for stream in streams:
                cursor.execute(f'SELECT count(*) FROM "{self.schema}"."{stream.name}"')
                counts[stream.name] = cursor.fetchone()[0]
        return counts

    def close(self) -> None:
        self._connection.close()
