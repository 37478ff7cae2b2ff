"""The `sandbox` fixture: one usage_sandbox server per session (per xdist worker) on a free port.

Environment overrides: USAGE_SANDBOX_TODAY (default 2026-11-20), USAGE_SANDBOX_SEED (42),
USAGE_SANDBOX_SIZE (small), USAGE_SANDBOX_URL (use a sandbox that is already running instead of starting one),
CONNECTOR_RUNS_WARM=0 (start every connector run from the console script).
"""

import os
from collections.abc import Iterator

import pytest

from integration_tests.answers_sync import answers_sync  # noqa: F401  (the answers' tests share one sync)
from integration_tests.sandboxes import Sandbox, own_sandbox
from usage_sandbox.process import wait_until_healthy

DEFAULT_TODAY = "2026-11-20"
START_TIMEOUT_SECONDS = 30.0


def pytest_configure(config: pytest.Config) -> None:
    """Connector runs fork from a process that has imported the connector (connector_runs, warm_start.py);
    CONNECTOR_RUNS_WARM=0 runs the console script every time instead."""
    os.environ.setdefault("CONNECTOR_RUNS_WARM", "1")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    seed = int(os.environ.get("USAGE_SANDBOX_SEED", "42"))
    size = os.environ.get("USAGE_SANDBOX_SIZE", "small")
    today = os.environ.get("USAGE_SANDBOX_TODAY", DEFAULT_TODAY)
    external = os.environ.get("USAGE_SANDBOX_URL")
    if external:
        wait_until_healthy(external, START_TIMEOUT_SECONDS)
        yield Sandbox(external.rstrip("/"), seed, size, today)
        return
    with own_sandbox(seed, size, today) as box:
        yield box


@pytest.fixture
def fresh_sandbox(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox with counters cleared, restored to its defaults after the test."""
    sandbox.restore()
    yield sandbox
    sandbox.restore()


@pytest.fixture(autouse=True)
def _image_tests_need_the_built_image(request: pytest.FixtureRequest) -> None:
    """Image tests run the image `make image` built (container.IMAGE_ENV), never one built or pulled here."""
    if not request.node.get_closest_marker("image_tests"):
        return
    # imported here: container imports what `discover` says (~2.5 s), which pytest-xdist's controller, loading this
    # conftest before it starts the workers, never needs
    from integration_tests import container

    if not container.image_under_test():
        pytest.skip(container.NO_IMAGE)
    if not container.engine_answers():
        pytest.fail(f"{container.IMAGE_ENV} names an image to test, but no engine answers `docker info`.")
