"""The `source-usage` command: the Airbyte protocol commands spec, check, discover and read."""

from __future__ import annotations

import logging
import sys
from typing import Any, List, Mapping, Optional

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.exception_handler import init_uncaught_exception_handler
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import ConnectorSpecification

from source_usage.source import SourceUsage, raise_on_config_error


class UsageEntrypoint(AirbyteEntrypoint):
    """Applies the config rules before the JSON Schema, so a bad config gets a sentence naming its field."""

    def validate_connection(self, source_spec: ConnectorSpecification, config: Mapping[str, Any]) -> None:
        raise_on_config_error(config)
        super().validate_connection(source_spec, config)


def _arg(args: List[str], flag: str) -> Optional[str]:
    return args[args.index(flag) + 1] if flag in args and args.index(flag) + 1 < len(args) else None


def _source(args: List[str]) -> SourceUsage:
    config_path, catalog_path, state_path = _arg(args, "--config"), _arg(args, "--catalog"), _arg(args, "--state")
    config = SourceUsage.read_config(config_path) if config_path else None
    catalog = SourceUsage.read_catalog(catalog_path) if catalog_path else None
    state = SourceUsage.read_state(state_path) if state_path else None
    return SourceUsage(catalog=catalog, config=config, state=state)


def run(args: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if args is None else args
    init_uncaught_exception_handler(logging.getLogger("airbyte"))
    entrypoint = UsageEntrypoint(_source(args))
    parsed = entrypoint.parse_args(args)
    with PRINT_BUFFER:
        for message in entrypoint.run(parsed):
            print(f"{message}\n", end="")


if __name__ == "__main__":
    run()
