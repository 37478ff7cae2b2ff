"""Config rules the JSON Schema cannot say, each failing with one sentence that names the field and the fix."""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime
from typing import Any, Mapping, Optional
from urllib.parse import urlsplit

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage.declared import SPEC, VENDORS

INTEGERS = {
    name: (field["minimum"], field.get("maximum"))
    for name, field in SPEC["properties"].items()
    if "integer" in field.get("type", ())
}
PERIODS = tuple(VENDORS["insideview"].fields["period"]["enum"])
# the secrets that travel in an HTTP header (X-Api-Key), where only visible ASCII can go
HEADER_SECRETS = (("leadfeeder", "api_key"), ("whitepages", "api_key"))
QUOTE_LIMIT = 60


class ConfigProblem(AirbyteTracedException):
    """A config (or state, or catalog) that cannot work; its text is the sentence shown to the user."""

    def __init__(self, sentence: str) -> None:
        super().__init__(internal_message=sentence, message=sentence, failure_type=FailureType.config_error)


def today_utc() -> date:
    return datetime.now(UTC).date()


def cut(value: Any) -> str:
    """A value as an error shows it: cut to a readable length, any character that is not valid text (an unpaired
    surrogate) escaped, so that the message itself can always be printed."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > QUOTE_LIMIT:
        text = f"{text[:QUOTE_LIMIT]}… ({len(text):,} characters)"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def quoted(value: Any) -> str:
    """`cut(value)` in quotes."""
    return f"'{cut(value)}'"


def _not_text(value: Any, path: str) -> Optional[str]:
    """The dotted path of the first string (key or value) holding an unpaired surrogate, which no request can
    carry (it has no UTF-8 form)."""
    if isinstance(value, str):
        return path if any("\ud800" <= character <= "\udfff" for character in value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _not_text(key, "") is not None:
                return inner
            found = _not_text(item, inner)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _not_text(item, f"{path}[{index}]")
            if found:
                return found
    return None


def check_config(config: Mapping[str, Any], today: Optional[date] = None) -> None:
    """Raise ConfigProblem for the first rule the config breaks."""
    if not isinstance(config, Mapping):
        raise ConfigProblem("The config must be a JSON object; see the README's Config section.")
    today = today or today_utc()
    broken = _not_text(config, "")
    if broken is not None:
        raise ConfigProblem(
            f"The config field {quoted(broken)} holds a character that is not valid text (an unpaired surrogate, "
            "often left by a bad copy and paste); type that value again."
        )
    # the Connector Builder and the platform add their own keys, all starting with "__"
    unknown = sorted(key for key in set(config) - set(SPEC["properties"]) if not str(key).startswith("__"))
    if unknown:
        raise ConfigProblem(
            f"The config has an unknown field {quoted(unknown[0])}; the vendor blocks are {_listed('and')}."
        )
    start = _date(config, "start_date", required=True)
    end = _date(config, "end_date", required=False)
    if start > today:
        raise ConfigProblem(f"start_date {start.isoformat()} lies in the future; use a day up to {today.isoformat()}.")
    if end is not None:
        if end < start:
            raise ConfigProblem(
                f"end_date {end.isoformat()} is before start_date {start.isoformat()}; swap or fix them."
            )
        if end > today:
            raise ConfigProblem(f"end_date {end.isoformat()} lies in the future; leave it empty to read up to today.")
    for name, (minimum, maximum) in INTEGERS.items():
        _integer(config, name, minimum, maximum)
    configured = [key for key in VENDORS if config.get(key) is not None]
    if not configured:
        raise ConfigProblem(f"No vendor is configured; add at least one of the {_listed('or')} blocks.")
    for key in configured:
        _vendor(key, config[key])


def _listed(last: str, names: Any = VENDORS) -> str:
    """'leadfeeder, insideview, whitepages and leaf'"""
    *most, final = list(names)
    return f"{', '.join(most)} {last} {final}"


def _date(config: Mapping[str, Any], name: str, required: bool) -> Optional[date]:
    value = config.get(name)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigProblem(f"{name} is required as a day in the form YYYY-MM-DD, e.g. 2024-01-01.")
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(name, value)
    except ValueError:
        return _bad_date(name, value)


def _bad_date(name: str, value: str) -> date:
    raise ConfigProblem(f"{name} {quoted(value)} is not a day in the form YYYY-MM-DD, e.g. 2024-01-01.")


def _integer(config: Mapping[str, Any], name: str, minimum: int, maximum: Optional[int]) -> None:
    value = config.get(name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigProblem(f"{name} must be a whole number, not {quoted(value)}.")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ConfigProblem(f"{name} must be {bound}, not {cut(value)}.")


def _vendor(key: str, block: Any) -> None:
    title, fields, required, _ = VENDORS[key]
    if not isinstance(block, Mapping):
        raise ConfigProblem(f"{key} must be an object with the {title} settings, e.g. {{\"{required[0]}\": \"...\"}}.")
    unknown = sorted(set(block) - set(fields))
    if unknown:
        raise ConfigProblem(
            f"{key}.{cut(unknown[0])} is not a {title} setting; the settings are {', '.join(sorted(fields))}."
        )
    for name in required:
        value = block.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ConfigProblem(f"{key}.{name} is empty; copy the {title} {name.replace('_', ' ')} into it.")
        if (key, name) in HEADER_SECRETS:
            _header_safe(key, name, title, value)
    for name in (name for name in fields if name.endswith("_url")):
        _url(key, name, title, block.get(name))
    if key == "insideview" and block.get("period") not in (None, *PERIODS):
        period = quoted(block.get("period"))
        raise ConfigProblem(f"insideview.period {period} is unknown; use {_listed('or', PERIODS)}.")
    if key == "leadfeeder":
        ids = block.get("account_ids")
        if ids is not None and (
            not isinstance(ids, list) or not all(isinstance(i, str) and i.strip() and "/" not in i for i in ids)
        ):
            raise ConfigProblem("leadfeeder.account_ids must be a list of account IDs such as [\"123456\"].")


def _header_safe(key: str, name: str, title: str, value: str) -> None:
    """An HTTP header carries visible ASCII only: a pasted key with a line break, a space or a control character
    would crash the request. The secret itself is never quoted, only where the character sits."""
    for position, character in enumerate(value, start=1):
        if not "!" <= character <= "~":
            kind = "space" if character == " " else "line break" if character in "\r\n" else (
                "control character" if ord(character) < 32 or ord(character) == 127 else "non-ASCII character"
            )
            raise ConfigProblem(
                f"{key}.{name} holds a {kind} at position {position} of {len(value)}, which cannot be sent in an "
                f"HTTP header; copy the {title} {name.replace('_', ' ')} again without it."
            )


def _url(key: str, name: str, title: str, value: Any) -> None:
    if value in (None, ""):
        return
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigProblem(f"{key}.{name} is not an http(s) URL with a host; leave it empty for {title}'s own API.")
    if parts.username or parts.password or parts.query:
        raise ConfigProblem(f"{key}.{name} must not carry credentials or a query; put secrets in their own fields.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigProblem(
            f"{key}.{name} uses plain http to {cut(parts.hostname)}; use https, since only loopback hosts "
            "may use http."
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
