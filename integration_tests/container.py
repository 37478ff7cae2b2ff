"""Run the connector image as Airbyte does: `docker run --rm` with the inputs mounted as files under /secrets.

The image is the one `make image` built, named by SOURCE_USAGE_IMAGE (`make test` sets it); `docker` is the
project's podman under `make test` (.image/bin/docker). `make test` also sets SOURCE_USAGE_IMAGE_BUILD to
`make image`, which the first image test of each worker runs (one worker at a time; a no-op once built), so that on
a fresh checkout the image is built while the other workers' tests run. Containers share the host's network, so
the configs' loopback URLs reach the sandbox the tests started.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock

from integration_tests.connector_runs import Run

IMAGE_ENV, BUILD_ENV = "SOURCE_USAGE_IMAGE", "SOURCE_USAGE_IMAGE_BUILD"
NO_IMAGE = f"the image tests run the image of `make image`; run `make test`, or set {IMAGE_ENV}"
TIMEOUT_SECONDS = 180.0
BUILD_TIMEOUT_SECONDS = 900.0
MOUNT = "/secrets"
ROOT = Path(__file__).resolve().parent.parent


def image_under_test() -> str | None:
    """The image's name, once the command in BUILD_ENV (if set) has made sure it is built."""
    name = os.environ.get(IMAGE_ENV) or None
    if name and os.environ.get(BUILD_ENV) and (failed := _build(os.environ[BUILD_ENV])):
        raise RuntimeError(failed)
    return name


@functools.cache
def _build(command: str) -> str | None:
    """Runs `command` once per process; what went wrong, or None."""
    (ROOT / ".image").mkdir(exist_ok=True)
    # this make is not the jobserver's child: without its flags it builds alone, as `make image` would
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    with FileLock(str(ROOT / ".image" / "image-build.lock")):
        built = subprocess.run(
            command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS
        )
    if built.returncode == 0:
        return None
    return f"`{command}` failed (exit {built.returncode}):\n{built.stdout[-3000:]}{built.stderr[-3000:]}"


@functools.cache
def engine_answers() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)


def inspect(image: str) -> dict[str, Any]:
    """`docker image inspect` of the image: its Config holds User, Env, Entrypoint and Labels."""
    completed = docker("image", "inspect", image)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)[0]


def run(
    image: str,
    command: str,
    config: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    state: Any = None,
) -> Run:
    """`source-usage <command>` inside the image, read as connector_runs.run_connector reads the installed one."""
    with tempfile.TemporaryDirectory(prefix="source-usage-image-") as directory:
        folder = Path(directory)
        folder.chmod(0o755)  # the connector runs as the image's own non-root user
        args = [command]
        for name, value in {"config": config, "catalog": catalog, "state": state}.items():
            if value is not None:
                path = folder / f"{name}.json"
                path.write_text(json.dumps(value))
                path.chmod(0o644)
                args += [f"--{name}", f"{MOUNT}/{name}.json"]
        completed = docker("run", "--rm", "-v", f"{folder}:{MOUNT}:ro", image, *args)
    return Run(args, completed.stdout, completed.stderr, completed.returncode)
