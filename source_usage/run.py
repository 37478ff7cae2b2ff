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

from source_usage.config_rules import ConfigProblem, check_config, check_state, cut
from source_usage.source import SourceUsage


class UsageEntrypoint(AirbyteEntrypoint):
    """Applies the config rules before the JSON Schema, so a bad config gets a sentence naming its field."""

    def validate_connection(self, source_spec: ConnectorSpecification, config: Mapping[str, Any]) -> None:
        check_config(config)
        super().validate_connection(source_spec, config)


# what each input file must hold, as a failed read names it
SHAPES = {
    "config": "a JSON object of settings",
    "catalog": "an Airbyte configured catalog",
    "state": "a list of Airbyte state messages",
}


def _load(kind: str, path: Optional[str], reader: Callable[[str], Any]) -> Any:
    """The file read by the CDK's reader, or one sentence saying what is wrong with it (never its content)."""
    if not path:
        return None
    try:
        return reader(path)
    except AirbyteTracedException:
        raise
    except Exception as error:  # noqa: BLE001 - any unreadable input file is a config error, named by its fault
        raise ConfigProblem(
            f"The {kind} file {path} {_fault(kind, path, error)}; pass the JSON {kind} Airbyte wrote or a copy of it."
        ) from None


def _fault(kind: str, path: str, error: Exception) -> str:
    """What is wrong with a file the reader refused, looked for only once it has: unreadable, empty, not JSON, or
    JSON of another shape."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as problem:
        return f"cannot be read ({problem.strerror if isinstance(problem, OSError) else 'it is not UTF-8 text'})"
    if not text.strip():
        return "is empty"
    try:
        json.loads(text)
    except json.JSONDecodeError as problem:
        return f"is not JSON at line {problem.lineno}, column {problem.colno}"
    except ValueError:  # json's own limit: a number of more than 4,300 digits
        return "is not JSON"
    return f"is JSON but not {SHAPES[kind]}{_first_fault(error)}"


def _first_fault(error: Exception) -> str:
    """Where a catalog breaks the protocol's schema, as its validator says (a catalog holds no secret)."""
    faults = getattr(error, "errors", None)
    if not faults:
        return ""
    path, message = getattr(faults[0], "instance_path", ""), getattr(faults[0], "message", "")
    return f" ({path or 'the top'}: {cut(message)})" if message else ""


def _read_state(path: str) -> List[AirbyteStateMessage]:
    check_state(json.loads(Path(path).read_text()))
    return SourceUsage.read_state(path)


def run(args: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if args is None else args
    init_uncaught_exception_handler(logging.getLogger("airbyte"))
    try:
        parsed = AirbyteEntrypoint.parse_args(args)
        entrypoint = UsageEntrypoint(
            SourceUsage(
                config=_load("config", getattr(parsed, "config", None), SourceUsage.read_config),
                catalog=_load("catalog", getattr(parsed, "catalog", None), SourceUsage.read_catalog),
                state=_load("state", getattr(parsed, "state", None), _read_state),
            )
        )
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
