"""The connector: the declarative manifest, guarded by the config rules and a check per vendor."""

import json
import logging
from typing import Any, Dict, Iterator, List, Mapping, Optional
from urllib.parse import quote, quote_plus

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    ConfiguredAirbyteCatalog,
    Status,
    Type,
)
from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage import cdk_seams
from source_usage.config_rules import ConfigProblem, check_catalog, check_config, check_state
from source_usage.declared import CHECK_STREAMS, SECRETS, STREAMS, VENDORS, manifest

_RETRIES_EXHAUSTED = "Exhausted available request attempts. Please see logs for more details. Exception: "
_RATE_LIMITED = "API rate limit exceeded."  # the CDK's words for RATE_LIMITED after the last retry
_OURS_AFTER = ("Last exception: ", "Error handler message: ")


def _as_info(record: logging.LogRecord) -> bool:
    """The Airbyte UI shows every WARN of a sync; these CDK warnings ask nothing of the user, so they stay INFO."""
    if record.levelno == logging.WARNING:
        record.levelno, record.levelname = logging.INFO, "INFO"
    return True


# leaf_user_consumption crosses contracts with users, whose parents are full refresh: no parent state is lost
logging.getLogger("airbyte.CartesianProductStreamSlicer").addFilter(_as_info)


def mask_encoded_secrets(config: Mapping[str, Any]) -> None:
    """The CDK masks each secret as typed; a login body carries it URL- or JSON-encoded, so mask those too."""
    for vendor, field in SECRETS:
        block = config.get(vendor)
        secret = block.get(field) if isinstance(block, Mapping) else None
        if isinstance(secret, str) and secret:
            for variant in {quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]} - {secret}:
                add_to_secrets(variant)


def load_manifest(config: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """The manifest, with the config's request timeout: a requester's timeout cannot be interpolated."""
    loaded, timeout = manifest(), (config or {}).get("request_timeout_seconds")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        loaded["definitions"]["requester_base"]["read_timeout_in_seconds"] = timeout
    return loaded


def plain_message(message: Optional[str], internal: Optional[str]) -> str:
    """The CDK wraps our error handlers' sentences in its own words after retries; give the user ours alone."""
    message = message or ""
    if message.startswith(_RETRIES_EXHAUSTED):
        return message[len(_RETRIES_EXHAUSTED) :]
    for marker in _OURS_AFTER if message == _RATE_LIMITED and internal else ():
        if marker in internal:
            return internal.split(marker, 1)[1].strip().strip("'")
    return message


class SourceUsage(ConcurrentDeclarativeSource):
    def __init__(
        self,
        catalog: Optional[ConfiguredAirbyteCatalog] = None,
        config: Optional[Mapping[str, Any]] = None,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> None:
        super().__init__(catalog, config, state, source_config=load_manifest(config))
        cdk_seams.bound_queues(self)

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        mask_encoded_secrets(config)
        cdk_seams.forget_parent_answers()
        try:
            check_config(config)
        except ConfigProblem as problem:
            return AirbyteConnectionStatus(status=Status.FAILED, message=problem.message)
        streams = {stream.name: stream for stream in self.streams(config)}
        failures = [
            message
            for key, name in CHECK_STREAMS.items()
            if config.get(key) and (message := self._probe(VENDORS[key].title, streams[name], logger))
        ]
        if failures:
            return AirbyteConnectionStatus(status=Status.FAILED, message=" ".join(failures))
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    @staticmethod
    def _probe(title: str, stream: Any, logger: logging.Logger) -> Optional[str]:
        try:
            availability = stream.check_availability()
        except AirbyteTracedException as error:
            return plain_message(error.message, error.internal_message) or f"{title} could not be reached."
        except Exception as error:  # noqa: BLE001 - any other failure is reported as one sentence
            logger.info("check of %s failed: %s", title, type(error).__name__)
            return f"{title} could not be reached ({type(error).__name__}); check its base URL and network access."
        if availability.is_available:
            return None
        return (availability.reason or "").strip() or f"{title} could not be reached; check its settings."

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        mask_encoded_secrets(config)
        check_config(config)
        return super().discover(logger, config)

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> Iterator[AirbyteMessage]:
        mask_encoded_secrets(config)
        check_config(config)
        cdk_seams.forget_parent_answers()  # the parents are read afresh on every sync, then once per sync
        check_state([AirbyteStateMessageSerializer.dump(message) for message in state or []])
        check_catalog(catalog, {name for name, stream in STREAMS.items() if config.get(stream.vendor)})
        for message in super().read(logger, config, catalog, state):
            error = message.trace.error if message.type == Type.TRACE and message.trace else None
            if error is not None and error.message:
                error.message = plain_message(error.message, error.internal_message)
            yield message
