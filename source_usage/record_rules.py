"""Every record leaves the connector valid for its stream's schema, or the sync stops naming the field."""

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

SCHEMAS = Path(__file__).with_name("schemas")
VENDOR_OF = {
    "accounts": "Leadfeeder", "api_usage": "Leadfeeder",
    "credits": "InsideView", "api_transactions": "InsideView",
    "daily_usage": "Whitepages",
    "contracts": "Leaf", "contract_consumption": "Leaf", "daily_consumption": "Leaf",
    "leaf_users": "Leaf", "leaf_user_consumption": "Leaf",
}
VENDOR_KEY_OF = {stream: vendor.lower() for stream, vendor in VENDOR_OF.items()}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TYPES: Dict[str, Callable[[Any], bool]] = {
    "null": lambda value: value is None,
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}
Check = Tuple[str, List[Callable[[Any], bool]], Optional[re.Pattern[str]]]


class RecordProblem(ValueError):
    """A record that breaks its stream's schema; its text is the sentence shown to the user."""


class RecordRules:
    """The top-level `required`, `type`, `format: date` and `pattern` of each stream's schema, checked by hand:
    a few microseconds a record, where a JSON Schema validator costs tens."""

    def __init__(self, schemas: Optional[Mapping[str, Mapping[str, Any]]] = None) -> None:
        schemas = schemas if schemas is not None else _shipped_schemas()
        self._rules = {stream: _rules(schema) for stream, schema in schemas.items()}
        self._by_content = {_content(schema): stream for stream, schema in schemas.items()}

    def stream_of(self, schema: Mapping[str, Any]) -> str:
        """The stream whose schema this is ('' for another schema, which is then not checked)."""
        return self._by_content.get(_content(schema), "")

    def check(self, stream: str, record: Mapping[str, Any]) -> None:
        rules = self._rules.get(stream)
        if rules is None:
            return
        required, checks = rules
        for field in required:
            if record.get(field) is None:
                raise RecordProblem(self._sentence(stream, field, "it is missing"))
        for field, types, pattern in checks:
            if field not in record:
                continue
            value = record[field]
            if not any(accepts(value) for accepts in types):
                raise RecordProblem(self._sentence(stream, field, f"{type(value).__name__} {_short(value)}"))
            if pattern is not None and isinstance(value, str) and not pattern.fullmatch(value):
                raise RecordProblem(self._sentence(stream, field, f"{_short(value)} is not in the expected form"))

    @staticmethod
    def _sentence(stream: str, field: str, what: str) -> str:
        vendor = VENDOR_OF.get(stream, "The vendor")
        return (
            f"{vendor} sent a {stream} record whose '{field}' does not fit the stream's schema ({what}); "
            "the sync stops rather than write it, so retry later or report the vendor's answer."
        )


def _rules(schema: Mapping[str, Any]) -> Tuple[List[str], List[Check]]:
    checks: List[Check] = []
    for field, spec in (schema.get("properties") or {}).items():
        declared = spec.get("type")
        names = declared if isinstance(declared, list) else [declared] if declared else []
        types = [_TYPES[name] for name in names if name in _TYPES]
        if not types:
            continue
        pattern = re.compile(spec["pattern"]) if "pattern" in spec else _DATE if spec.get("format") == "date" else None
        checks.append((field, types, pattern))
    return list(schema.get("required") or []), checks


def _content(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, default=str)


def _shipped_schemas() -> Dict[str, Mapping[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json"))}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
