"""local_sync's rooms: each package says its purpose, no module is long, and imports run downward only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import local_sync

ROOT = Path(local_sync.__file__).parent
# from the top down: a room may import the rooms below it, never one above
LAYERS = ("__main__", "cli", "sync", "loaders", "report", "notify", "answers", "connector")
MAX_LINES = 250


def _name(path: Path) -> str:
    return ".".join(("local_sync", *path.relative_to(ROOT).with_suffix("").parts)).removesuffix(".__init__")


def _room(module: str) -> str:
    return module.split(".")[1] if module != "local_sync" else ""


def _imports(path: Path) -> set[str]:
    """The local_sync modules a module imports, wherever in it (a lazy import inside a function counts)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("local_sync"):
            for alias in node.names:
                inner = f"{node.module}.{alias.name}"
                found.add(inner if inner in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("local_sync")}
    return found


FILES = {_name(path): path for path in sorted(ROOT.rglob("*.py"))}
MODULES = set(FILES)
GRAPH = {name: _imports(path) for name, path in FILES.items()}


@pytest.mark.parametrize("name", sorted(FILES))
def test_no_module_is_over_250_lines(name: str) -> None:
    assert len(FILES[name].read_text().splitlines()) <= MAX_LINES


@pytest.mark.parametrize("package", sorted(path.parent.name for path in ROOT.glob("*/__init__.py")))
def test_each_package_says_its_purpose_in_one_line(package: str) -> None:
    init = ast.parse((ROOT / package / "__init__.py").read_text())
    purpose = ast.get_docstring(init)
    assert purpose and "\n" not in purpose and purpose.endswith("."), purpose
    assert len(init.body) == 1, "an __init__.py holds its purpose alone"


def test_every_room_is_on_the_map() -> None:
    assert {_room(name) for name in MODULES} - {""} == set(LAYERS)


def test_imports_run_downward_only() -> None:
    upward = [
        (name, imported)
        for name, imports in GRAPH.items()
        for imported in imports
        if _room(imported) and _room(name) and LAYERS.index(_room(imported)) < LAYERS.index(_room(name))
    ]
    assert upward == []


def test_no_import_circle() -> None:
    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and not seen.add(nxt) and reaches(nxt, goal, seen))
            for nxt in GRAPH.get(start, ())
        )

    assert [name for name in GRAPH if reaches(name, name, set())] == []
