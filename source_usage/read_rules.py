"""Catalog and state rules: a read refuses input this version did not write, in one sentence, before any request."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping, Optional, Set, Tuple

from airbyte_cdk.models import AirbyteStateMessage, AirbyteStateType, ConfiguredAirbyteCatalog

from source_usage.config_rules import ConfigProblem, cut, quoted, today_utc
from source_usage.declared import STREAMS

RESET = "reset the stream in Airbyte (or run without --state) to start it over"
# stream → (cursor field, whether its state is kept per partition), and every format a cursor value takes
CURSORS = {name: (stream.cursor, stream.partitioned) for name, stream in STREAMS.items() if stream.cursor}
CURSOR_FORMATS = tuple(dict.fromkeys(pattern for stream in STREAMS.values() for pattern in stream.formats))
PARTITION_KEYS = {"states", "state", "lookback_window", "use_global_cursor", "parent_state"}


def check_catalog(catalog: ConfiguredAirbyteCatalog, available: Set[str]) -> None:
    """Every configured stream exists for this config (a full-refresh stream asked for incrementally is read
    in full, as the CDK does: PyAirbyte asks for every stream incrementally)."""
    for configured in catalog.streams:
        name = configured.stream.name
        if name not in available:
            raise ConfigProblem(
                f"The catalog asks for stream {quoted(name)}, which this config does not provide; "
                "configure its vendor or run discover again."
            )


def check_state_file(raw: Any) -> None:
    """The state file holds STREAM messages whose states are objects, as this connector writes them."""
    if raw in (None, {}, []):
        return
    if not isinstance(raw, list):
        raise ConfigProblem(f"The state file must hold a list of STREAM state messages; {RESET}.")
    for message in raw:
        kind = message.get("type") if isinstance(message, Mapping) else None
        if kind != "STREAM":
            raise ConfigProblem(
                f"The state holds a {kind or 'malformed'} message, but this connector writes one STREAM "
                f"message per stream; {RESET}."
            )
        stream = message.get("stream")
        descriptor = stream.get("stream_descriptor") if isinstance(stream, Mapping) else None
        name = descriptor.get("name") if isinstance(descriptor, Mapping) else None
        if not isinstance(name, str) or not name:
            raise ConfigProblem(f"The state holds a STREAM message without a stream name; {RESET}.")
        if not isinstance(stream.get("stream_state") or {}, Mapping):
            raise ConfigProblem(f"The saved state of stream {quoted(name)} is not an object; {RESET}.")


def check_state(state: Optional[Iterable[AirbyteStateMessage]], today: Optional[date] = None) -> None:
    """Each stream's state has the shape this version writes and cursor values that are days not in the future."""
    today = today or today_utc()
    for message in state or []:
        if message.type != AirbyteStateType.STREAM or message.stream is None:
            raise ConfigProblem(
                f"The state holds a {getattr(message.type, 'value', message.type)} message, but this connector "
                f"writes one STREAM message per stream; {RESET}."
            )
        name = message.stream.stream_descriptor.name
        blob = message.stream.stream_state
        value = blob.__dict__ if blob is not None and hasattr(blob, "__dict__") else blob
        if name in CURSORS and value:
            _check_stream_state(name, value, today)


def _check_stream_state(name: str, value: Any, today: date) -> None:
    field, partitioned = CURSORS[name]
    if not isinstance(value, Mapping):
        raise ConfigProblem(f"The saved state of stream '{name}' is not an object; {RESET}.")
    if partitioned and "states" in value:
        unknown = sorted(set(value) - PARTITION_KEYS)
        if unknown or not isinstance(value["states"], list):
            raise ConfigProblem(f"The saved state of stream '{name}' has a shape this version does not know; {RESET}.")
        for entry in value["states"]:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("partition"), Mapping):
                raise ConfigProblem(f"The saved state of stream '{name}' has a partition without keys; {RESET}.")
            _check_cursor(name, entry.get("cursor"), field, today)
        if "state" in value and value["state"]:
            _check_cursor(name, value["state"], field, today)
        return
    _check_cursor(name, value, field, today)


def _check_cursor(name: str, cursor: Any, field: str, today: date) -> None:
    if not isinstance(cursor, Mapping) or field not in cursor:
        raise ConfigProblem(f"The saved state of stream '{name}' has no '{field}' cursor; {RESET}.")
    if set(cursor) - {field}:
        extra = cut(", ".join(sorted(str(key) for key in set(cursor) - {field})))
        raise ConfigProblem(
            f"The saved state of stream '{name}' has keys this version does not write ({extra}); {RESET}."
        )
    parsed = _parse(cursor[field])
    if parsed is None:
        raise ConfigProblem(
            f"The saved state of stream '{name}' has {field} {quoted(cursor[field])}, which is not a date; {RESET}."
        )
    day, pattern = parsed
    if day > _first_unread(today, pattern):
        raise ConfigProblem(
            f"The saved state of stream '{name}' has {field} {cursor[field]} in the future, "
            f"so nothing would be read; {RESET}."
        )


def _parse(value: Any) -> Optional[Tuple[date, str]]:
    if not isinstance(value, str):
        return None
    for pattern in CURSOR_FORMATS:
        try:
            return datetime.strptime(value, pattern).date(), pattern
        except ValueError:
            continue
    return None


def _first_unread(today: date, pattern: str) -> date:
    """The furthest state a sync up to today writes: the first day, month or year after today's."""
    if pattern == "%Y":
        return date(today.year + 1, 1, 1)
    if pattern == "%Y-%m":
        return (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return today + timedelta(days=1)
