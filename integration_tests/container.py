"""Run the connector image as Airbyte does: `docker run --rm` with the inputs mounted as files under /secrets.

The image is the one `make image` built, named by SOURCE_USAGE_IMAGE (`make test` sets it); `docker` is the
project's podman under `make test` (.image/bin/docker). Containers share the host's network, so the configs'
loopback URLs reach the sandbox the tests started.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from integration_tests.connector_runs import Run

IMAGE_ENV = "SOURCE_USAGE_IMAGE"
NO_IMAGE = f"the image tests run the image of `make image`; run `make test`, or set {IMAGE_ENV}"
TIMEOUT_SECONDS = 180.0
MOUNT = "/secrets"


def image_under_test() -> str | None:
    return os.environ.get(IMAGE_ENV) or None


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
