"""sync.py picks the loader by the database's name; every loader is a `Loader` (loaders/base.py)."""

import socket
from pathlib import Path

import pytest

from local_sync.loaders.base import DatabaseUnavailable, Loader
from local_sync.loaders.duckdb_sync import DuckDBLoader
from local_sync.sync import loader_for


def test_a_file_name_is_a_duckdb_loader_named_by_the_file_and_reporting_beside_it(tmp_path: Path) -> None:
    with loader_for(str(tmp_path / "usage.duckdb")) as loader:
        assert isinstance(loader, DuckDBLoader) and isinstance(loader, Loader)
        assert (loader.dialect, loader.name, loader.folder) == ("duckdb", "usage.duckdb", tmp_path)
        assert loader.connection.execute("SELECT current_schema()").fetchone() == ("main",)
    assert (tmp_path / "usage.duckdb").exists()


@pytest.mark.parametrize("url", ["postgresql://localhost/usage", "postgres://usage@localhost/"])
def test_a_postgresql_url_goes_to_the_postgresql_loader_which_names_what_it_lacks(url: str) -> None:
    with pytest.raises(DatabaseUnavailable, match="must name the user, host and database"):
        loader_for(url)


def test_a_loader_that_leaves_a_step_out_cannot_be_made() -> None:
    class Partial(Loader):
        dialect = "sqlite"

        def close(self) -> None: ...

    with pytest.raises(TypeError, match="load"):
        Partial()  # type: ignore[abstract]


def test_a_postgresql_server_that_does_not_answer_is_named_without_its_password() -> None:
    port = _closed_port()
    with pytest.raises(DatabaseUnavailable) as refused:
        loader_for(f"postgresql://usage:pg-secret-7c1e@127.0.0.1:{port}/usage?schema=usage")

    message = str(refused.value)
    assert message.startswith(f"cannot connect to postgresql://usage@127.0.0.1:{port}/usage (")
    assert message.endswith("); start the server or fix the URL.") and "\n" not in message
    assert "pg-secret-7c1e" not in message


def _closed_port() -> int:
    """A loopback port nothing listens on: bound for a moment, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
