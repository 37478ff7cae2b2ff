"""sync.py picks the loader by the database's name; every loader is a `Loader` (loaders/base.py)."""

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
