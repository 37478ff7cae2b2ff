"""metadata.yaml is valid Airbyte connector metadata and agrees with pyproject, the Dockerfile and the spec.

The metadata schema is Airbyte's own, kept offline in ../shared/airbyte-metadata-schema; its SOURCE.md says
how it must be loaded, and `_metadata_validator` follows it.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).parents[1]
SCHEMA_DIR = Path(__file__).parents[2] / "shared" / "airbyte-metadata-schema"
ENTRY_SCHEMA = "ConnectorMetadataDefinitionV0.yaml"


class DatesAsStringsLoader(yaml.SafeLoader):
    """A SafeLoader that keeps `2025-01-15` a string, as the metadata schema's `format: date` expects."""


DatesAsStringsLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=DatesAsStringsLoader)


def _metadata_validator() -> jsonschema.Draft7Validator:
    assert SCHEMA_DIR.is_dir(), f"Airbyte's metadata schema is expected in {SCHEMA_DIR} (see its SOURCE.md)"
    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted(SCHEMA_DIR.glob("*.yaml")):
        contents = _load_yaml(path)
        # the $ids point at GitHub folders that do not exist; without them every $ref is a bare file name
        contents.pop("$id", None)
        resources.append((path.name, Resource.from_contents(contents, default_specification=DRAFT7)))
    registry: Registry[Any] = Registry().with_resources(resources)
    return jsonschema.Draft7Validator(
        {"$ref": ENTRY_SCHEMA}, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def _errors(validator: jsonschema.Draft7Validator, document: Any) -> list[str]:
    return sorted(
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(document)
    )


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction of the Dockerfile, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def _dockerfile_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for keyword, arguments in _dockerfile_instructions():
        if keyword == "LABEL":
            labels.update(pair.split("=", 1) for pair in shlex.split(arguments))
    return labels


def _spec() -> dict[str, Any]:
    manifest = yaml.safe_load((ROOT / "source_usage" / "manifest.yaml").read_text(encoding="utf-8"))
    return manifest["spec"]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    return _metadata_validator()


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    return _load_yaml(ROOT / "metadata.yaml")


def test_metadata_is_valid_under_airbyte_metadata_schema(
    validator: jsonschema.Draft7Validator, metadata: dict[str, Any]
) -> None:
    assert _errors(validator, metadata) == []


@pytest.mark.parametrize(
    ("field", "value", "error_path"),
    [
        ("releaseStage", "beta-ish", "data/releaseStage"),
        ("definitionId", "not-a-uuid", "data/definitionId"),
        ("icon_url", "https://example.com/icon.svg", "data"),
    ],
    ids=["unknown-release-stage", "definition-id-not-uuid", "unknown-field"],
)
def test_metadata_schema_rejects_broken_metadata(
    validator: jsonschema.Draft7Validator, metadata: dict[str, Any], field: str, value: str, error_path: str
) -> None:
    broken = copy.deepcopy(metadata)
    broken["data"][field] = value
    errors = _errors(validator, broken)
    assert errors, f"a metadata.yaml with {field}={value!r} passed validation"
    assert all(error.startswith(f"{error_path}: ") for error in errors), errors


def test_metadata_image_tag_is_the_package_version(metadata: dict[str, Any]) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert metadata["data"]["dockerImageTag"] == pyproject["project"]["version"]


def test_dockerfile_entrypoint_is_the_source_usage_command() -> None:
    entrypoints = [arguments for keyword, arguments in _dockerfile_instructions() if keyword == "ENTRYPOINT"]
    assert entrypoints and json.loads(entrypoints[-1]) == ["source-usage"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["source-usage"] == "source_usage.run:run"


def test_dockerfile_labels_name_the_metadata_image(metadata: dict[str, Any]) -> None:
    labels = _dockerfile_labels()
    assert labels["io.airbyte.name"] == metadata["data"]["dockerRepository"]
    assert labels["io.airbyte.version"] == metadata["data"]["dockerImageTag"]


def _dockerfile_base_image_default() -> str:
    """The default of the Dockerfile's `ARG BASE_IMAGE`."""
    arguments = [arguments for keyword, arguments in _dockerfile_instructions() if keyword == "ARG"]
    defaults = dict(argument.split("=", 1) for argument in arguments if "=" in argument)
    return defaults["BASE_IMAGE"]


def test_every_dockerfile_stage_is_built_on_the_base_image_argument() -> None:
    bases = [arguments.split()[0] for keyword, arguments in _dockerfile_instructions() if keyword == "FROM"]
    assert bases and set(bases) == {"${BASE_IMAGE}"}, bases


def test_metadata_base_image_is_the_dockerfile_default_base_pinned_by_digest(metadata: dict[str, Any]) -> None:
    base_image = metadata["data"]["connectorBuildOptions"]["baseImage"]
    assert base_image == _dockerfile_base_image_default()
    assert re.fullmatch(r"docker\.io/airbyte/python-connector-base:[0-9.]+@sha256:[0-9a-f]{64}", base_image)


def test_metadata_pypi_package_is_the_package_of_pyproject(metadata: dict[str, Any]) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert metadata["data"]["remoteRegistries"]["pypi"] == {
        "enabled": True,
        "packageName": pyproject["project"]["name"],
    }


# Where each test suite of connectorTestSuitesOptions lives in the repository.
SUITE_PATHS = {
    "unitTests": "unit_tests",
    "integrationTests": "integration_tests",
    "acceptanceTests": "acceptance-test-config.yml",
}


def test_metadata_test_suites_are_the_suites_of_the_repository(metadata: dict[str, Any]) -> None:
    suites = [option["suite"] for option in metadata["data"]["connectorTestSuitesOptions"]]
    assert sorted(suites) == sorted(SUITE_PATHS)
    assert all((ROOT / SUITE_PATHS[suite]).exists() for suite in suites)


def test_allowed_hosts_are_the_hosts_of_the_spec_default_urls(metadata: dict[str, Any]) -> None:
    vendors = _spec()["connection_specification"]["properties"]
    default_hosts = {
        urlsplit(field["default"]).hostname
        for vendor in vendors.values()
        for name, field in vendor.get("properties", {}).items()
        if name in ("base_url", "token_url")
    }
    assert sorted(metadata["data"]["allowedHosts"]["hosts"]) == sorted(default_hosts)


def test_documentation_url_is_the_spec_documentation_url(metadata: dict[str, Any]) -> None:
    url = metadata["data"]["documentationUrl"]
    assert urlsplit(url).scheme == "https"
    assert url == _spec()["documentation_url"]
