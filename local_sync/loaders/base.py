"""What every database a sync loads into shares: the Loader interface a third database would implement, how a URL
names PostgreSQL, and the error a database that cannot be reached raises."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from local_sync.connector.catalog import Stream
    from local_sync.connector.progress import Progress
    from local_sync.connector.run_files import RunFiles

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refuses the login; the message says where (never a password)."""


def is_postgres(db: str) -> bool:
    return db.startswith(POSTGRES_SCHEMES)


class Loader(ABC):
    """One database a sync loads into, open from `with` to its end. sync.py asks it to load every stream (windows
    committed with their STATEs, so a crash keeps them), then for the rows per stream, then builds the answers
    on its connection, in its SQL dialect, and writes the report into its folder."""

    dialect: str  # the SQL the answers' models are rendered in: "duckdb" or "postgres"
    name: str  # the database as messages name it (never a password)
    folder: Path  # where the report is written

    @abstractmethod
    def load(self, files: RunFiles, target_name: str) -> tuple[list[Stream], Progress]:
        """Discover, then read every stream from the state kept, committing window by window; raises
        LoadFailed or ConnectorFailed, after committing what was read up to the last STATE."""

    @abstractmethod
    def row_counts(self, streams: list[Stream]) -> dict[str, int]:
        """The rows each stream's table holds after the load."""

    @property
    @abstractmethod
    def connection(self) -> Any:
        """A DuckDB or DB-API connection whose current schema holds the stream tables, for the answers."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
