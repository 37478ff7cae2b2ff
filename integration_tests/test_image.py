"""The connector image as Airbyte runs it: the same messages as the installed package, and Airbyte's conventions.

Every test here runs the image `make image` built (see container.py), against the session's sandbox on the
host, and compares what the container prints with what the installed `source-usage` prints for the same input.
"""

from __future__ import annotations

import json
import resource
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from integration_tests import container
from integration_tests.connector_runs import Run, discover_catalog, run_connector
from integration_tests.truth_compare import comparable

if TYPE_CHECKING:
    from integration_tests.sandboxes import Sandbox

pytestmark = pytest.mark.image_tests

ROOT = Path(__file__).resolve().parents[1]
# A window across a month's end, so that every windowed stream has state in two months.
START_DATE = "2026-10-25"
END_DATE = "2026-11-06"
LOOKBACK_DAYS = 3


@pytest.fixture(scope="module")
def image() -> str:
    name = container.image_under_test()
    if not name:  # a module fixture runs before conftest's skip of image tests: skip here too, never error
        pytest.skip(container.NO_IMAGE)
    return name


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "metadata.yaml").read_text(encoding="utf-8"))["data"]


def _comparable_records(output: Run) -> dict[str, list[str]]:
    """Each stream's records without sync time, in a canonical order: partitions are read concurrently."""
    return {
        stream: sorted(json.dumps(comparable(stream, record), sort_keys=True) for record in records)
        for stream, records in output.record_data().items()
    }


def _final_states(output: Run) -> list[str]:
    """Each stream's last state without what depends on timing, its partitions in a canonical order."""
    canonical = []
    for full_state in output.final_states:
        # sourceStats counts the records since the stream's previous state, which depends on the interleaving
        state = {key: value for key, value in full_state.items() if key != "sourceStats"}
        # lookback_window is how many seconds the CDK's per-partition cursor took (its timer), not data
        stream_state = {
            key: value for key, value in state["stream"]["stream_state"].items() if key != "lookback_window"
        }
        if isinstance(stream_state.get("states"), list):
            stream_state = {**stream_state, "states": sorted(stream_state["states"], key=json.dumps)}
        canonical.append(
            json.dumps({**state, "stream": {**state["stream"], "stream_state": stream_state}}, sort_keys=True)
        )
    return sorted(canonical)


def test_image_spec_is_the_installed_spec(image: str) -> None:
    in_image, installed = container.run(image, "spec"), run_connector("spec")
    assert in_image.exit_code == 0, in_image.stderr
    assert in_image.of_type("SPEC") == installed.of_type("SPEC") != []


@pytest.mark.parametrize(
    ("vendor", "field", "wrong"),
    [(None, None, None), ("leadfeeder", "api_key", "wrong-key"), ("leaf", "password", "wrong-password")],
    ids=["valid", "wrong-leadfeeder-key", "wrong-leaf-password"],
)
def test_image_check_gives_the_installed_status(
    image: str, fresh_sandbox: Sandbox, vendor: str | None, field: str | None, wrong: str | None
) -> None:
    config = fresh_sandbox.config(start_date=START_DATE, end_date=END_DATE)
    if vendor and field:
        config[vendor][field] = wrong
    in_image, installed = container.run(image, "check", config), run_connector("check", config)
    assert in_image.connection_status() == installed.connection_status()
    assert in_image.connection_status()["status"] == ("SUCCEEDED" if vendor is None else "FAILED")
    assert wrong is None or wrong not in in_image.stderr + str(in_image.messages)


def test_image_discover_gives_the_installed_catalog(image: str, fresh_sandbox: Sandbox) -> None:
    config = fresh_sandbox.config(start_date=START_DATE, end_date=END_DATE)
    in_image, installed = container.run(image, "discover", config), run_connector("discover", config)
    assert in_image.exit_code == 0 and not in_image.errors, in_image.errors or in_image.stderr
    assert in_image.discovered_catalog() == installed.discovered_catalog()
    assert len(in_image.discovered_catalog()["streams"]) == 10


def _assert_same_read(in_image: Run, installed: Run) -> None:
    assert in_image.exit_code == 0 and not in_image.errors, in_image.errors or in_image.stderr
    assert _comparable_records(in_image) == _comparable_records(installed)
    assert _final_states(in_image) == _final_states(installed) != []


def test_image_reads_and_resumes_from_state_as_the_installed_package(image: str, fresh_sandbox: Sandbox) -> None:
    config = fresh_sandbox.config(start_date=START_DATE, end_date=END_DATE, lookback_days=LOOKBACK_DAYS)
    catalog = discover_catalog(config)
    first = container.run(image, "read", config, catalog)
    _assert_same_read(first, run_connector("read", config, catalog))
    assert len(first.record_data()) == 10

    resumed = container.run(image, "read", config, catalog, first.final_states)
    _assert_same_read(resumed, run_connector("read", config, catalog, first.final_states))
    # The state is the first day not yet read: the resumed read asks for the last day read and the lookback.
    resumed_days = sorted(record["date"] for record in resumed.record_data()["daily_usage"])
    assert resumed_days == [f"2026-11-0{day}" for day in range(6 - LOOKBACK_DAYS, 7)]
    assert len(resumed.record_data()["daily_consumption"]) < len(first.record_data()["daily_consumption"])


def test_image_runs_as_a_non_root_user(image: str) -> None:
    assert container.inspect(image)["Config"]["User"] == "airbyte"
    whoami = container.docker("run", "--rm", "--entrypoint", "id", image, "-u")
    assert whoami.returncode == 0 and whoami.stdout.strip() not in ("", "0"), whoami.stdout + whoami.stderr


def test_image_entrypoint_and_labels_match_metadata(image: str, metadata: dict[str, Any]) -> None:
    config = container.inspect(image)["Config"]
    labels, env = config["Labels"], dict(item.split("=", 1) for item in config["Env"])
    assert labels["io.airbyte.name"] == metadata["dockerRepository"]
    assert labels["io.airbyte.version"] == metadata["dockerImageTag"]
    assert config["Entrypoint"] == env["AIRBYTE_ENTRYPOINT"].split() == ["source-usage"]


def test_image_holds_no_test_code_sandbox_or_compiler(image: str) -> None:
    script = (
        'python3 -c \'import importlib.util as u; print("module", u.find_spec("usage_sandbox"))\';'
        " find / -xdev \\( -name usage_sandbox -o -name usage-sandbox -o -name unit_tests"
        " -o -name integration_tests -o -name acceptance-test-config.yml -o -name 'cc1*' \\) -print;"
        " for tool in gcc cc c++ g++ clang tcc; do command -v $tool; done; true"
    )
    found = container.docker("run", "--rm", "--entrypoint", "sh", image, "-c", script)
    assert found.returncode == 0, found.stderr
    assert found.stdout.split("\n") == ["module None", ""], found.stdout


def test_image_holds_exactly_the_locked_dependencies_and_no_installer(image: str, metadata: dict[str, Any]) -> None:
    """The connector's venv holds uv.lock's runtime versions and the connector; no pip in it, no uv anywhere."""
    export = [str(ROOT / ".ci" / "uv"), "export", "--quiet", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
    locked_lines = subprocess.run(export, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    # the lock's lines for this platform (the image's: Linux, Python 3.11, as the host running the tests)
    requirements = [Requirement(line) for line in locked_lines.splitlines() if line and line[0] not in "# "]
    locked = {
        canonicalize_name(requirement.name): str(requirement.specifier).removeprefix("==")
        for requirement in requirements
        if requirement.marker is None or requirement.marker.evaluate()
    }
    script = (
        "import importlib.metadata as m, json;"
        " print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    listed = container.docker("run", "--rm", "--entrypoint", "python3", image, "-c", script)
    assert listed.returncode == 0, listed.stderr
    installed = {canonicalize_name(name): version for name, version in json.loads(listed.stdout).items()}
    assert installed.pop("source-usage") == metadata["dockerImageTag"]
    assert installed == locked
    script = "ls /opt/source-usage/bin | grep -x -e 'pip.*' -e uv; command -v uv; ls -d /opt/uv 2>/dev/null; true"
    installers = container.docker("run", "--rm", "--entrypoint", "sh", image, "-c", script)
    assert installers.returncode == 0 and installers.stdout == "", installers.stdout + installers.stderr


def test_containers_get_the_hosts_hard_limits(image: str) -> None:
    """The engine's default ulimits (.ci/engine-conf): without them containers fail to start on this kernel."""
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], int(Path("/proc/sys/kernel/pid_max").read_text()))
    script = "import resource as r; print(r.getrlimit(r.RLIMIT_NOFILE)[1], r.getrlimit(r.RLIMIT_NPROC)[1])"
    limits = container.docker("run", "--rm", "--entrypoint", "python3", image, "-c", script)
    assert limits.returncode == 0, limits.stderr
    assert limits.stdout.split() == [str(nofile), str(nproc)]
