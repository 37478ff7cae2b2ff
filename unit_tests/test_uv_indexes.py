""".ci/uv hands uv the package indexes pip is configured with, and locks against PyPI alone.

pip reads a config file of the test's own (PIP_CONFIG_FILE, loaded after the machine's files, so its values win);
the machine's PIP_* and UV_* variables are cleared, so only what each test sets is in play. Nothing is installed.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
UV_SCRIPT = runpy.run_path(str(ROOT / ".ci" / "uv"), run_name="uv_indexes")
uv_environment = UV_SCRIPT["uv_environment"]

PIP_CONF = """\
[global]
index-url = https://mirror.example/simple
extra-index-url = file:///mirror-a/simple
    file:///mirror-b/simple
find-links = /wheels-global
default-timeout = 42
[install]
find-links = /wheels-one /wheels-two
"""


@pytest.fixture
def pip_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for variable in list(os.environ):
        if variable.startswith(("PIP_", "UV_")):
            monkeypatch.delenv(variable)
    path = tmp_path / "pip.conf"
    path.write_text(PIP_CONF)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(path))
    return path


def _uv_variables(environment: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in environment.items() if name.startswith("UV_")}


def test_installs_see_pips_indexes_install_section_over_global(pip_conf: Path) -> None:
    assert _uv_variables(uv_environment(["pip", "sync", "requirements.txt"])) == {
        "UV_DEFAULT_INDEX": "https://mirror.example/simple",
        "UV_INDEX": "file:///mirror-a/simple file:///mirror-b/simple",
        "UV_FIND_LINKS": "/wheels-one,/wheels-two",
        "UV_HTTP_TIMEOUT": "42",
        "UV_INDEX_STRATEGY": "unsafe-best-match",
        "UV_PYTHON_DOWNLOADS": "never",
    }


def test_a_pip_variable_wins_over_pips_files(pip_conf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", "/wheels-from-the-environment")
    monkeypatch.setenv("PIP_INDEX_URL", "https://other.example/simple")
    variables = _uv_variables(uv_environment(["venv"]))
    assert variables["UV_FIND_LINKS"] == "/wheels-from-the-environment"
    assert variables["UV_DEFAULT_INDEX"] == "https://other.example/simple"


def test_a_uv_variable_already_set_is_kept(pip_conf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UV_INDEX", "https://chosen.example/simple")
    monkeypatch.setenv("UV_INDEX_STRATEGY", "first-index")
    variables = _uv_variables(uv_environment(["pip", "install", "duckdb"]))
    assert variables["UV_INDEX"] == "https://chosen.example/simple"
    assert variables["UV_INDEX_STRATEGY"] == "first-index"
    assert variables["UV_DEFAULT_INDEX"] == "https://mirror.example/simple"


def test_lock_resolves_against_pypi_alone(pip_conf: Path) -> None:
    assert _uv_variables(uv_environment(["lock"])) == {
        "UV_DEFAULT_INDEX": "https://pypi.org/simple",
        "UV_HTTP_TIMEOUT": "42",
        "UV_PYTHON_DOWNLOADS": "never",
    }


def test_the_lock_records_pypi_alone() -> None:
    lock = (ROOT / "uv.lock").read_text()
    sources = {line.split('registry = "')[1].split('"')[0] for line in lock.splitlines() if 'registry = "' in line}
    assert sources == {"https://pypi.org/simple"}
