"""What the connector itself says about its streams and secrets, asked once per process: nothing restated here.

Keys and cursors come from `discover` with every vendor configured, the vendors from the config blocks of `spec`,
each vendor's streams from `discover` with that vendor alone, and the secret fields from the `airbyte_secret`
marks of `spec`. Both run in this process, `discover` through the CDK's own test kit (~4 s of CPU, paid once
by whoever imports this module first).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

from airbyte_cdk.models import AirbyteMessageSerializer
from airbyte_cdk.test.entrypoint_wrapper import discover

from source_usage.source import SourceUsage
from usage_sandbox.connector_config import connector_config

# discover makes no request; a config needs some base_url and start_date
_NOWHERE, _START = "http://127.0.0.1:9", "2026-01-01"


@contextmanager
def _quiet() -> Iterator[None]:
    """No log lines: the CDK's logger prints to stdout when a source starts."""
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _discover(*vendors: str) -> list[dict[str, Any]]:
    """The streams `discover` reports for a config of these vendors (all when none are named), as JSON."""
    config = connector_config(_NOWHERE, _START, *vendors)
    with _quiet():
        output = discover(SourceUsage(config=config), config)
    return AirbyteMessageSerializer.dump(output.catalog)["catalog"]["streams"]


@cache
def streams() -> dict[str, dict[str, Any]]:
    """Every stream as `discover` reports it with all four vendors configured, by name."""
    return {stream["name"]: stream for stream in _discover()}


def _secret_paths(schema: Mapping[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, field in schema.get("properties", {}).items():
        if field.get("airbyte_secret"):
            yield (*path, name)
        yield from _secret_paths(field, (*path, name))


@cache
def _spec() -> dict[str, Any]:
    with _quiet():
        spec = SourceUsage().spec(None)  # type: ignore[arg-type] - the declarative spec logs nothing
    return dict(spec.connectionSpecification)


def _value_at(config: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = config
    for name in path:
        value = value[name]
    return value


PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(path[0] for path in stream.get("source_defined_primary_key", [])) for name, stream in streams().items()
}
CURSORS: dict[str, str] = {
    name: stream["default_cursor_field"][0] for name, stream in streams().items() if stream.get("default_cursor_field")
}
# The vendors are the spec's config blocks, each vendor's streams what discover reports for it alone.
VENDORS: tuple[str, ...] = tuple(name for name, field in _spec()["properties"].items() if field.get("type") == "object")
VENDOR_STREAMS: dict[str, tuple[str, ...]] = {
    vendor: tuple(stream["name"] for stream in _discover(vendor)) for vendor in VENDORS
}
# The config fields `spec` marks `airbyte_secret`, as (vendor, field) paths, and their values in a sandbox config.
SECRET_PATHS: tuple[tuple[str, ...], ...] = tuple(_secret_paths(_spec()))
SANDBOX_SECRETS: tuple[str, ...] = tuple(_value_at(connector_config(_NOWHERE, _START), path) for path in SECRET_PATHS)


def json_schema(stream: str) -> dict[str, Any]:
    """The stream's JSON Schema as discover reports it (a copy of its own)."""
    return copy.deepcopy(streams()[stream]["json_schema"])
