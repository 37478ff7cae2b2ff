"""The manifest in the Connector Builder: `resolve_manifest` and `test_read` through the CDK's handler.

Each request goes through `airbyte_cdk.connector_builder.main.handle_request`, the function the Builder
runs, with the config it sends: the connector config plus `__injected_declarative_manifest`,
`__command` and `__test_read_config`, and, as the UI holds a connector with custom code,
`__injected_components_py` with its md5 checksum and class names in the injected `components` module.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from airbyte_cdk.connector_builder.main import handle_request
from airbyte_cdk.sources.declarative.parsers import model_to_component_factory

from integration_tests.truth_compare import comparable
from source_usage import cdk_seams
from usage_sandbox.truth import STREAMS

if TYPE_CHECKING:
    from integration_tests.sandboxes import Sandbox

PACKAGE = Path(__file__).resolve().parent.parent / "source_usage"
MANIFEST = PACKAGE / "manifest.yaml"
COMPONENTS = PACKAGE / "components.py"
START_DATE = "2026-11-14"
TEST_READ_LIMITS = {"max_records": 100, "max_pages_per_slice": 2, "max_slices": 4, "max_streams": 100}
# One stream of each vendor, each behind a parent stream or a login where the vendor has one.
STREAM_OF_VENDOR = {
    "leadfeeder": "api_usage",
    "insideview": "api_transactions",
    "whitepages": "daily_usage",
    "leaf": "leaf_user_consumption",
}
BuilderRequest = Callable[..., dict[str, Any]]


@pytest.fixture
def builder(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BuilderRequest]:
    """Sends one Builder request for the sandbox's config and returns the message the handler answers."""
    monkeypatch.setenv("AIRBYTE_ENABLE_UNSAFE_CODE", "true")
    # Injected components.py is registered as these modules.
    registered = {name: sys.modules.get(name) for name in ("components", "source_declarative_manifest.components")}

    def request(command: str, stream: str = "daily_usage", *, inject_components: bool = False) -> dict[str, Any]:
        manifest_text = MANIFEST.read_text()
        config: dict[str, Any] = sandbox.config(start_date=START_DATE)
        if inject_components:
            manifest_text = manifest_text.replace("source_usage.components.", "components.")
            components = COMPONENTS.read_text()
            config["__injected_components_py"] = components
            config["__injected_components_py_checksums"] = {"md5": hashlib.md5(components.encode()).hexdigest()}
        config |= {
            "__injected_declarative_manifest": yaml.safe_load(manifest_text),
            "__command": command,
            "__test_read_config": TEST_READ_LIMITS,
        }
        catalog = {
            "streams": [
                {
                    "stream": {"name": stream, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                    "sync_mode": "full_refresh",
                    "destination_sync_mode": "overwrite",
                }
            ]
        }
        (tmp_path / "config.json").write_text(json.dumps(config))
        (tmp_path / "catalog.json").write_text(json.dumps(catalog))
        args = [
            "read",
            "--config",
            str(tmp_path / "config.json"),
            "--catalog",
            str(tmp_path / "catalog.json"),
        ]
        return json.loads(handle_request(args))

    yield request
    for name, module in registered.items():
        if module is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = module


def _stream_names(manifest: dict[str, Any]) -> list[str]:
    names = []
    for stream in manifest["streams"]:
        inner = stream["streams"] if stream.get("type") == "ConditionalStreams" else [stream]
        names += [item["name"] for item in inner]
    return names


def _records(stream_read: dict[str, Any]) -> list[dict[str, Any]]:
    return [record for part in stream_read["slices"] for page in part["pages"] for record in page["records"]]


def _assert_test_read_returns_sandbox_records(message: dict[str, Any], sandbox: Sandbox, stream: str) -> None:
    assert message["type"] == "RECORD", message
    stream_read = message["record"]["data"]
    errors = [log["message"] for log in stream_read["logs"] if log["level"] == "ERROR"]
    assert not errors, errors
    records = _records(stream_read)
    assert records, f"test_read of {stream} returned no records"
    truth = sandbox.truth(START_DATE)[stream]
    expected = [json.dumps(comparable(stream, record), sort_keys=True) for record in truth]
    for record in records:
        found = json.dumps(comparable(stream, record), sort_keys=True)
        assert found in expected, f"{stream} record not in the ground truth: {record}"


def test_builder_resolves_the_manifest_with_its_ten_streams(builder: BuilderRequest) -> None:
    message = builder("resolve_manifest")
    assert message["type"] == "RECORD", message
    manifest = message["record"]["data"]["manifest"]
    names = _stream_names(manifest)
    assert sorted(set(names)) == sorted(STREAMS)
    assert "$ref" not in json.dumps(manifest)


@pytest.mark.parametrize("vendor", STREAM_OF_VENDOR)
def test_builder_test_read_returns_sandbox_records(builder: BuilderRequest, sandbox: Sandbox, vendor: str) -> None:
    stream = STREAM_OF_VENDOR[vendor]
    _assert_test_read_returns_sandbox_records(builder("test_read", stream), sandbox, stream)


def test_builder_test_read_runs_components_py_injected_as_the_ui_sends_it(
    builder: BuilderRequest, sandbox: Sandbox
) -> None:
    stream = STREAM_OF_VENDOR["insideview"]
    message = builder("test_read", stream, inject_components=True)
    _assert_test_read_returns_sandbox_records(message, sandbox, stream)
    # the injected module applies the CDK seams once, from source_usage.cdk_seams: nothing to undo afterwards
    assert model_to_component_factory.CustomFormatConcurrentStreamStateConverter is cdk_seams.WindowEndStateConverter
