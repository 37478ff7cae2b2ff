"""Config, catalog and state rules the JSON Schema cannot say, each one sentence naming the field and the fix."""

import ipaddress
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Mapping, Optional, Set, Tuple
from urllib.parse import urlsplit

from airbyte_cdk.models import ConfiguredAirbyteCatalog, FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage.declared import HEADER_SECRETS, SPEC, STREAMS, VENDORS

INTEGERS = {
    key: (field["minimum"], field.get("maximum"))
    for key, field in SPEC["properties"].items()
    if "integer" in field.get("type", ())
}
PERIODS = tuple(VENDORS["insideview"].fields["period"]["enum"])
SURROGATE = re.compile("[\ud800-\udfff]")  # an unpaired surrogate has no UTF-8 form, so no request can carry it
RESET = "reset the stream in Airbyte (or run without --state) to start it over"
CURSOR_FORMATS = tuple(dict.fromkeys(pattern for stream in STREAMS.values() for pattern in stream.formats))
PARTITION_KEYS = {"states", "state", "lookback_window", "use_global_cursor", "parent_state"}


class ConfigProblem(AirbyteTracedException):
    """A config (or state, or catalog) that cannot work; its text is the sentence shown to the user."""

    def __init__(self, sentence: str) -> None:
        super().__init__(internal_message=sentence, message=sentence, failure_type=FailureType.config_error)


def cut(value: Any) -> str:
    """A value as an error quotes it: cut to 60 characters, unpaired surrogates escaped so the message prints."""
    text = value if isinstance(value, str) else repr(value)
    text = f"{text[:60]}… ({len(text):,} characters)" if len(text) > 60 else text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def quoted(value: Any) -> str:
    """A value as an error quotes it: text in quotes, any other value as JSON writes it (true, 2.5, [1])."""
    if isinstance(value, str):
        return f"'{cut(value)}'"
    try:
        return cut(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        return cut(value)


def _words(name: str) -> str:
    """A field's name as words: 'api_key' is 'API key', 'client_id' 'client ID'."""
    return " ".join({"api": "API", "id": "ID"}.get(word, word) for word in name.split("_"))


def _possessive(title: str) -> str:
    return f"{title}'" if title.endswith("s") else f"{title}'s"


def _listed(last: str, names: Any = VENDORS) -> str:
    """'leadfeeder, insideview, whitepages and leaf'"""
    *most, final = list(names)
    return f"{', '.join(most)} {last} {final}"


def _not_text(value: Any, path: str = "") -> Optional[str]:
    """The dotted path of the first key or string holding an unpaired surrogate."""
    if isinstance(value, str):
        return path if SURROGATE.search(value) else None
    items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        inner = f"{path}[{key}]" if isinstance(value, list) else f"{path}.{key}" if path else str(key)
        if found := inner if isinstance(key, str) and SURROGATE.search(key) else _not_text(item, inner):
            return found
    return None


def check_config(config: Mapping[str, Any], today: Optional[date] = None) -> None:
    """Raise ConfigProblem for the first rule the config breaks."""
    if not isinstance(config, Mapping):
        raise ConfigProblem("The config must be a JSON object; see the README's Config section.")
    today = today or datetime.now(UTC).date()
    if broken := _not_text(config):
        raise ConfigProblem(
            f"The config field {quoted(broken)} holds a character that is not valid text (an unpaired "
            "surrogate, often left by a bad copy and paste); type that value again."
        )
    # the Connector Builder and the platform add their own keys, all starting with "__"
    if unknown := sorted(key for key in set(config) - set(SPEC["properties"]) if not str(key).startswith("__")):
        raise ConfigProblem(
            f"The config has an unknown field {quoted(unknown[0])}; the vendor blocks are {_listed('and')}."
        )
    start, end = _date(config, "start_date", required=True), _date(config, "end_date", required=False)
    if start > today:
        raise ConfigProblem(f"start_date {start} lies in the future; use a day up to {today}.")
    if end is not None and end < start:
        raise ConfigProblem(f"end_date {end} is before start_date {start}; swap or fix them.")
    if end is not None and end > today:
        raise ConfigProblem(f"end_date {end} lies in the future; leave it empty to read up to today.")
    for name, (minimum, maximum) in INTEGERS.items():
        if (value := config.get(name)) is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigProblem(f"{name} must be a whole number, not {quoted(value)}.")
        if value is not None and (value < minimum or (maximum is not None and value > maximum)):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise ConfigProblem(f"{name} must be {bound}, not {cut(value)}.")
    if not (configured := [key for key in VENDORS if config.get(key) is not None]):
        raise ConfigProblem(f"No vendor is configured; add at least one of the {_listed('or')} blocks.")
    for key in configured:
        _vendor(key, config[key])


def _date(config: Mapping[str, Any], name: str, required: bool) -> Optional[date]:
    if (value := config.get(name)) in (None, "") and not required:
        return None
    if isinstance(value, str) and not value.strip() or value is None:
        raise ConfigProblem(f"{name} is required as a day in the form YYYY-MM-DD, e.g. 2024-01-01.")
    if not isinstance(value, str):
        raise ConfigProblem(
            f"{name} must be a day written as text in the form YYYY-MM-DD, e.g. 2024-01-01, not {quoted(value)}."
        )
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ConfigProblem(f"{name} {quoted(value)} is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.")


def _vendor(key: str, block: Any) -> None:
    title, fields, required, _ = VENDORS[key]
    if not isinstance(block, Mapping):
        raise ConfigProblem(f'{key} must be an object with the {title} settings, e.g. {{"{required[0]}": "..."}}.')
    if unknown := sorted(set(block) - set(fields)):
        raise ConfigProblem(
            f"{key}.{cut(unknown[0])} is not a {title} setting; the settings are {', '.join(sorted(fields))}."
        )
    for name in required:
        value = block.get(name)
        if not isinstance(value, str) or not value.strip():  # never quoted: a secret, or a person's username
            problem = "is missing" if value is None else "is empty" if isinstance(value, str) else "must be text"
            raise ConfigProblem(f"{key}.{name} {problem}; copy the {title} {_words(name)} into it.")
        # a pasted key with a line break, a space or a control character would crash the request; never quoted
        if (key, name) in HEADER_SECRETS and (bad := re.search("[^!-~]", value)):
            raise ConfigProblem(
                f"{key}.{name} holds a {_kind_of(bad.group())} at position {bad.start() + 1} of {len(value)}, which "
                f"cannot be sent in an HTTP header; copy the {title} {_words(name)} again without it."
            )
    for name in (name for name in fields if name.endswith("_url") and block.get(name) not in (None, "")):
        _url(key, name, title, block[name])
    if key == "insideview" and block.get("period") not in (None, *PERIODS):
        raise ConfigProblem(f"insideview.period {quoted(block['period'])} is unknown; use {_listed('or', PERIODS)}.")
    ids = block.get("account_ids") if key == "leadfeeder" else None
    if ids is not None and not isinstance(ids, list):
        raise ConfigProblem(
            f'leadfeeder.account_ids must be a list of account IDs such as ["123456"], not {quoted(ids)}.'
        )
    for account_id in ids or ():
        if not isinstance(account_id, str) or not account_id.strip() or "/" in account_id:
            raise ConfigProblem(
                f"leadfeeder.account_ids holds {quoted(account_id)}, which is not an account ID; list "
                'IDs as text such as "123456".'
            )


def _kind_of(character: str) -> str:
    """What a character no HTTP header can carry is, as the sentence names it (never the character itself)."""
    if character == " ":
        return "space"
    if character in "\r\n":
        return "line break"
    if ord(character) < 32 or ord(character) == 127:
        return "control character"
    return "non-ASCII character"


def _url(key: str, name: str, title: str, value: Any) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigProblem(
            f"{key}.{name} is not an http(s) URL with a host; leave it empty for {_possessive(title)} own API."
        )
    if parts.username or parts.password or parts.query:
        raise ConfigProblem(f"{key}.{name} must not carry credentials or a query; put secrets in their own fields.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigProblem(
            f"{key}.{name} uses plain http to {cut(parts.hostname)}; use https, since only loopback hosts may use http."
        )


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_catalog(catalog: ConfiguredAirbyteCatalog, available: Set[str]) -> None:
    """Every configured stream exists for this config (a full-refresh stream asked for incrementally is read in
    full, as the CDK does: PyAirbyte asks for every stream incrementally)."""
    if missing := [configured.stream.name for configured in catalog.streams if configured.stream.name not in available]:
        raise ConfigProblem(
            f"The catalog asks for stream {quoted(missing[0])}, which this config does not provide; "
            "configure its vendor or run discover again."
        )


def check_state(raw: Any, today: Optional[date] = None) -> None:
    """The state (as JSON) holds STREAM messages in the shape this version writes, with cursors not in the future."""
    if raw in (None, {}, []):
        return
    if not isinstance(raw, list):
        raise ConfigProblem(f"The state file must hold a list of STREAM state messages; {RESET}.")
    for message in raw:
        kind = message.get("type") if isinstance(message, Mapping) else None
        if kind != "STREAM":
            raise ConfigProblem(
                f"The state holds a {kind or 'malformed'} message, but this connector writes one "
                f"STREAM message per stream; {RESET}."
            )
        stream = message.get("stream")
        descriptor = stream.get("stream_descriptor") if isinstance(stream, Mapping) else None
        name = descriptor.get("name") if isinstance(descriptor, Mapping) else None
        if not isinstance(name, str) or not name:
            raise ConfigProblem(f"The state holds a STREAM message without a stream name; {RESET}.")
        if not isinstance(value := stream.get("stream_state") or {}, Mapping):
            raise ConfigProblem(f"The saved state of stream {quoted(name)} is not an object; {RESET}.")
        if value and name in STREAMS and STREAMS[name].cursor:
            _check_stream_state(name, value, today or datetime.now(UTC).date())


def _check_stream_state(name: str, value: Mapping[str, Any], today: date) -> None:
    if not (STREAMS[name].partitioned and "states" in value):
        return _check_cursor(name, value, today)
    if set(value) - PARTITION_KEYS or not isinstance(value["states"], list):
        raise ConfigProblem(f"The saved state of stream '{name}' has a shape this version does not know; {RESET}.")
    for entry in value["states"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("partition"), Mapping):
            raise ConfigProblem(f"The saved state of stream '{name}' has a partition without keys; {RESET}.")
        _check_cursor(name, entry.get("cursor"), today)
    if value.get("state"):
        _check_cursor(name, value["state"], today)


def _check_cursor(name: str, cursor: Any, today: date) -> None:
    field = STREAMS[name].cursor
    if not isinstance(cursor, Mapping) or field not in cursor:
        raise ConfigProblem(f"The saved state of stream '{name}' has no '{field}' cursor; {RESET}.")
    if extra := sorted(str(key) for key in set(cursor) - {field}):
        raise ConfigProblem(
            f"The saved state of stream '{name}' has keys this version does not write "
            f"({cut(', '.join(extra))}); {RESET}."
        )
    if (parsed := _parse(cursor[field])) is None:
        raise ConfigProblem(
            f"The saved state of stream '{name}' has {field} {quoted(cursor[field])}, which is not a date; {RESET}."
        )
    # the furthest state a sync up to today writes: the first day, month or year after today's
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if parsed[0] > {"%Y": date(today.year + 1, 1, 1), "%Y-%m": next_month}.get(parsed[1], today + timedelta(days=1)):
        raise ConfigProblem(
            f"The saved state of stream '{name}' has {field} {cursor[field]} in the future, so "
            f"nothing would be read; {RESET}."
        )


def _parse(value: Any) -> Optional[Tuple[date, str]]:
    for pattern in CURSOR_FORMATS if isinstance(value, str) else ():
        try:
            return datetime.strptime(value, pattern).date(), pattern
        except ValueError:
            continue
    return None
