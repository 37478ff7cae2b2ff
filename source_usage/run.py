"""The `source-usage` command: the Airbyte protocol commands spec, check, discover and read."""

import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.exception_handler import init_uncaught_exception_handler
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import AirbyteStateMessage, ConnectorSpecification, FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage.config_rules import ConfigProblem, check_config, check_state
from source_usage.source import SourceUsage


class UsageEntrypoint(AirbyteEntrypoint):
    """Applies the config rules before the JSON Schema, so a bad config gets a sentence naming its field."""

    def validate_connection(self, source_spec: ConnectorSpecification, config: Mapping[str, Any]) -> None:
        check_config(config)
        super().validate_connection(source_spec, config)

def _load(kind: str, path: Optional[str], reader: Callable[[str], Any]) -> Any:
    try:
        return reader(path) if path else None
    except AirbyteTracedException:
        raise
    except Exception as error:  # noqa: BLE001 - any unreadable input file is the same config error
        raise ConfigProblem(f"The {kind} file {path} could not be read ({type(error).__name__}); pass the JSON {kind} "
                            "Airbyte wrote or a copy of it.") from None

def _read_state(path: str) -> List[AirbyteStateMessage]:
    check_state(json.loads(Path(path).read_text()))
    return SourceUsage.read_state(path)

def run(args: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if args is None else args
    init_uncaught_exception_handler(logging.getLogger("airbyte"))
    try:
        parsed = AirbyteEntrypoint.parse_args(args)
        entrypoint = UsageEntrypoint(SourceUsage(
            config=_load("config", getattr(parsed, "config", None), SourceUsage.read_config),
            catalog=_load("catalog", getattr(parsed, "catalog", None), SourceUsage.read_catalog),
            state=_load("state", getattr(parsed, "state", None), _read_state),
        ))
        with PRINT_BUFFER:
            for message in entrypoint.run(parsed):
                print(f"{message}\n", end="")
    except AirbyteTracedException as error:
        if error.failure_type != FailureType.config_error:
            raise
        # a config error is the user's to fix: one TRACE message with the sentence, no stack trace
        message = error.as_airbyte_message()
        message.trace.error.message = error.message or "The config is invalid."
        message.trace.error.stack_trace = None
        print(AirbyteEntrypoint.airbyte_message_to_string(message), flush=True)
        sys.exit(1)

if __name__ == "__main__":
    run()
