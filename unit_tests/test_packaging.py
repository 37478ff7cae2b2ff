"""The wheel built from the Docker build context is the connector: installed alone, it runs spec and discover.

The wheel goes into a fresh venv without system site-packages; a .pth file then puts this environment's
site-packages behind it, so airbyte-cdk and the other dependencies resolve but the project itself (code,
manifest, schemas) can only come from the wheel.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import yaml

from source_usage.declared import STREAMS
from source_usage.source import SourceUsage

ROOT = Path(__file__).parents[1]

# port 9 (discard) on loopback: discover must not make a request, and none could succeed
VENDOR_BLOCKS: dict[str, dict[str, Any]] = {
    "leadfeeder": {"api_key": "k", "account_ids": [], "base_url": "http://127.0.0.1:9/leadfeeder"},
    "insideview": {
        "client_id": "c",
        "client_secret": "s",
        "period": "day",
        "base_url": "http://127.0.0.1:9/insideview",
        "token_url": "http://127.0.0.1:9/insideview-login/Auth/login/v1/token.json",
    },
    "whitepages": {"api_key": "k", "base_url": "http://127.0.0.1:9/whitepages"},
    "leaf": {"username": "u", "password": "p", "base_url": "http://127.0.0.1:9/leaf"},
}


def _config(*vendors: str) -> dict[str, Any]:
    config: dict[str, Any] = {"start_date": "2026-10-01", "end_date": "2026-11-20", "lookback_days": 3}
    config.update({vendor: VENDOR_BLOCKS[vendor] for vendor in vendors})
    return config


def _in_tree(*vendors: str) -> dict[str, tuple[list[list[str]], list[str], list[str]]]:
    """stream: (primary key, cursor field, sync modes), as this source tree's discover states them."""
    config = _config(*vendors)
    catalog = SourceUsage(config=config).discover(logging.getLogger("test_packaging"), config)
    return {
        stream.name: (
            stream.source_defined_primary_key or [],
            stream.default_cursor_field or [],
            [mode.value for mode in stream.supported_sync_modes],
        )
        for stream in catalog.streams
    }


def _copy_docker_context(destination: Path) -> Path:
    """Copy what .dockerignore lets into the image build (`*`, then `!name` lines, then ignored patterns)."""
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()]
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*", ".dockerignore is expected to ignore everything, then name what the build needs"
    kept = [rule[1:] for rule in rules[1:] if rule.startswith("!")]
    ignored = shutil.ignore_patterns(*(rule.removeprefix("**/") for rule in rules[1:] if not rule.startswith("!")))
    destination.mkdir()
    for name in kept:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, symlinks=True, ignore=ignored)
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _build_wheel(context: Path, out: Path) -> Path:
    # --no-isolation: no network, so this environment's setuptools builds the wheel. airbyte-cdk requires
    # setuptools>=80.9, which makes wheels itself; the separate `wheel` package in build-system.requires is
    # only needed by older setuptools, so its presence is not checked.
    build = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--skip-dependency-check"]
    _run([*build, "--outdir", str(out), str(context)], context)
    wheels = list(out.glob("source_usage-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _install_alone(wheel: Path, venv: Path) -> Path:
    """Install the wheel without dependencies into a new venv, then let the venv see this env's packages."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], venv.parent)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    _run([*pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)], venv.parent)
    site_packages = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], venv)
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site_packages.strip(), "dependencies_from_test_env.pth").write_text("\n".join(sorted(ours)) + "\n")
    return venv / "bin"


def _messages(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def _catalog(bin_dir: Path, work: Path, env: dict[str, str], *vendors: str) -> dict[str, dict[str, Any]]:
    config = work / f"config_{'_'.join(vendors)}.json"
    config.write_text(json.dumps(_config(*vendors)))
    messages = _messages(_run([str(bin_dir / "source-usage"), "discover", "--config", str(config)], work, env))
    catalogs = [message["catalog"] for message in messages if message["type"] == "CATALOG"]
    assert len(catalogs) == 1, messages
    return {stream["name"]: stream for stream in catalogs[0]["streams"]}


def _shape(stream: dict[str, Any]) -> tuple[list[list[str]], list[str], list[str]]:
    return (
        stream.get("source_defined_primary_key") or [],
        stream.get("default_cursor_field") or [],
        stream["supported_sync_modes"],
    )


def test_wheel_alone_ships_manifest_and_schemas_and_runs_spec_and_discover(tmp_path: Path) -> None:
    wheel = _build_wheel(_copy_docker_context(tmp_path / "context"), tmp_path / "dist")

    shipped = set(zipfile.ZipFile(wheel).namelist())
    assert "source_usage/manifest.yaml" in shipped
    assert sorted(path.stem for path in (ROOT / "schemas").glob("*.json")) == sorted(STREAMS)
    assert {f"source_usage/schemas/{name}.json" for name in STREAMS} <= shipped
    streams = _in_tree(*VENDOR_BLOCKS)
    assert sorted(streams) == sorted(STREAMS)

    bin_dir = _install_alone(wheel, tmp_path / "venv")
    work = tmp_path / "work"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    origin = _run([str(bin_dir / "python"), "-c", "import source_usage; print(source_usage.__file__)"], work, env)
    assert Path(origin.strip()).is_relative_to(tmp_path / "venv"), origin

    specs = [
        message["spec"]
        for message in _messages(_run([str(bin_dir / "source-usage"), "spec"], work, env))
        if message["type"] == "SPEC"
    ]
    assert len(specs) == 1
    manifest_spec = yaml.safe_load((ROOT / "source_usage" / "manifest.yaml").read_text(encoding="utf-8"))["spec"]
    assert specs[0]["connectionSpecification"] == manifest_spec["connection_specification"]

    two_vendors = _catalog(bin_dir, work, env, "leadfeeder", "whitepages")
    assert {name: _shape(stream) for name, stream in two_vendors.items()} == {
        name: streams[name] for name in ("accounts", "api_usage", "daily_usage")
    }

    all_vendors = _catalog(bin_dir, work, env, *VENDOR_BLOCKS)
    assert {name: _shape(stream) for name, stream in all_vendors.items()} == streams
