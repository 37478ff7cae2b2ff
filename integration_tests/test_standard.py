"""The CDK standard tests on the scenarios of `acceptance-test-config.yml`, against the sandbox.

The scenarios' configs (`integration_tests/configs/`) name a sandbox on its default port; the
`scenario` fixture hands each test a copy whose base URLs point at the session's sandbox, written to a
temporary directory. The connector under test is `SourceUsage`, built with the scenario's config.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest
from airbyte_cdk.models import Status
from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.models.scenario import ScenarioCommand
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from airbyte_cdk.test.standard_tests._job_runner import IConnector

from integration_tests import container
from source_usage.source import SourceUsage

if TYPE_CHECKING:
    from integration_tests.sandboxes import Sandbox

CONFIGS = Path(__file__).resolve().parent / "configs"
# Where the configs of integration_tests/configs/ expect the sandbox: `usage-sandbox serve`'s default port.
CONFIGS_ORIGIN = "http://127.0.0.1:8765"


# The command each standard test runs, so that it is given only the configs listed for that command
# (the suite would skip the others); a test not named here gets every config.
COMMAND_OF_TEST: dict[str, ScenarioCommand] = {
    "test_config_matches_spec": "spec",
    "test_docker_image_build_and_config_matches_spec": "spec",
    "test_check": "check",
    "test_docker_image_build_and_check": "check",
    "test_discover": "discover",
    "test_docker_image_build_and_discover": "discover",
    "test_basic_read": "read",
    "test_fail_read_with_bad_catalog": "read",
    "test_docker_image_build_and_read": "read",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each standard test that takes a `scenario` runs once per config listed for its command."""
    if "scenario" in metafunc.fixturenames and metafunc.cls is not None:
        command = COMMAND_OF_TEST.get(metafunc.function.__name__)
        scenarios = [item for item in metafunc.cls.get_scenarios() if command is None or item.runs(command)]
        metafunc.parametrize("scenario", scenarios, ids=[item.id for item in scenarios], indirect=True)


def _pointed_at(value: Any, url: str) -> Any:
    """`value` with every URL under CONFIGS_ORIGIN moved to `url`."""
    if isinstance(value, dict):
        return {key: _pointed_at(item, url) for key, item in value.items()}
    if isinstance(value, list):
        return [_pointed_at(item, url) for item in value]
    if isinstance(value, str) and value.startswith(CONFIGS_ORIGIN):
        return url + value[len(CONFIGS_ORIGIN) :]
    return value


@pytest.fixture(scope="session")
def sandbox_configs(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with every config of integration_tests/configs/, pointed at the session's sandbox."""
    directory = tmp_path_factory.mktemp("standard-configs")
    for template in CONFIGS.glob("*.json"):
        config = _pointed_at(json.loads(template.read_text()), sandbox.url)
        (directory / template.name).write_text(json.dumps(config))
    return directory


@pytest.fixture
def scenario(request: pytest.FixtureRequest, sandbox: Sandbox, sandbox_configs: Path) -> ConnectorTestScenario:
    declared: ConnectorTestScenario = request.param
    assert declared.config_path is not None, "every scenario of acceptance-test-config.yml names a config"
    assert sandbox.today == sandbox.default_today, "a test before this one left the sandbox on another day"
    return declared.model_copy(update={"config_path": sandbox_configs / declared.config_path.name})


@pytest.fixture
def connector_image_override() -> str | None:
    """The image `make image` built from the Dockerfile; without it the CDK would build one from its template."""
    return container.image_under_test()


@pytest.fixture
def connector_base_image_override() -> str | None:
    return None


@pytest.fixture
def read_from_streams() -> Literal["all", "none", "default"] | list[str]:
    return "all"


@pytest.fixture
def read_scenarios() -> Literal["all", "none", "default"] | list[str]:
    return "default"


class TestSourceUsageStandard(SourceTestSuiteBase):
    """spec, check, discover and read as the CDK's standard suite runs them."""

    connector = SourceUsage

    @classmethod
    def create_connector(cls, scenario: ConnectorTestScenario | None) -> IConnector:
        config = (
            scenario.get_config_dict(connector_root=cls.get_connector_root_dir(), empty_if_missing=True)
            if scenario
            else {}
        )
        return SourceUsage(config=config)

    @pytest.mark.skip(
        reason="source-usage is not in Airbyte's registry, so there is no published spec to compare with "
        "(the test would ask connectors.airbyte.com, and tests reach loopback only)"
    )
    def test_docker_image_spec_backward_compatibility(self) -> None:
        """Skipped: see the reason."""


@pytest.mark.parametrize(
    ("config_name", "sentence", "field"),
    [
        ("invalid_leadfeeder_key", "Leadfeeder rejected the API key", "leadfeeder.api_key"),
        (
            "invalid_insideview_secret",
            "InsideView rejected the client credentials",
            "insideview.client_secret",
        ),
        ("invalid_whitepages_key", "Whitepages rejected the API key", "whitepages.api_key"),
        ("invalid_leaf_password", "Leaf rejected the username or password", "leaf.password"),
    ],
    ids=["leadfeeder", "insideview", "whitepages", "leaf"],
)
def test_check_names_only_the_vendor_and_field_whose_credentials_are_wrong(
    sandbox_configs: Path, config_name: str, sentence: str, field: str
) -> None:
    config = json.loads((sandbox_configs / f"{config_name}.json").read_text())
    status = SourceUsage(config=config).check(logging.getLogger("airbyte"), config)
    assert status.status == Status.FAILED
    assert status.message is not None and status.message.startswith(sentence)
    assert field in status.message
    assert status.message.count("rejected") == 1, status.message
