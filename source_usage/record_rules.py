"""Every record leaves the connector valid for its stream's schema, or the sync stops naming the field."""

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage.declared import STREAMS, VENDORS

SCHEMAS = Path(__file__).with_name("schemas")
VENDOR_OF = {name: VENDORS[stream.vendor].title for name, stream in STREAMS.items()}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PYTHON_TYPES: Dict[str, Tuple[type, ...]] = {
    "null": (type(None),),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_SIMPLE = {"string", "number", "integer", "boolean", "null"}
_SIMPLE_PYTHON = (str, float, int, bool, type(None))
_EXACT_FLOAT_INTEGERS = 2**53
_TRUTHY = ("y", "yes", "t", "true", "on", "1")
_FALSEY = ("n", "no", "f", "false", "off", "0")
Convert = Callable[[Any], Any]
Normalize = Callable[[Any], None]
# a top-level field with a declared type: the Python types it accepts, and the pattern a string must match
Check = Tuple[str, Tuple[type, ...], Optional[re.Pattern[str]]]


# a check of the objects inside a field (an array's items): what is wrong with one of them, or None
Inner = Callable[[Any], Optional[str]]


class _Rules(NamedTuple):
    normalize: Optional[Normalize]
    required: List[str]
    checks: List[Check]
    inner: List[Tuple[str, Inner]]


class RecordProblem(AirbyteTracedException):
    """A record that breaks its stream's schema; its text is the sentence shown to the user."""

    def __init__(self, sentence: str) -> None:
        super().__init__(internal_message=sentence, message=sentence, failure_type=FailureType.system_error)


class RecordRules:
    """Each stream's schema compiled once into one pass over a record: the conversions of the CDK's
    `schema_normalization: Default` (strings to numbers, numbers to strings, nested objects and arrays too),
    then the top-level `required`, `type`, `format: date` and `pattern` checked by hand. A few microseconds
    a record, where the CDK's jsonschema-driven normalizer and a JSON Schema validator cost about a hundred.

    Two deliberate differences from the CDK, both so that the check stops a value instead of writing a wrong
    one: a null in a field whose type does not allow null stays null (the CDK writes the string "None" into a
    string field), and a float in an integer field becomes an integer only when it is whole and exactly
    representable (the CDK truncates 12.7 to 12 and turns a huge integer read as a float into a wrong one).
    """

    def __init__(self, schemas: Optional[Mapping[str, Mapping[str, Any]]] = None) -> None:
        schemas = schemas if schemas is not None else _shipped_schemas()
        self._rules = {stream: _compile(schema) for stream, schema in schemas.items()}
        self._by_content = {_content(schema): stream for stream, schema in schemas.items()}

    def stream_of(self, schema: Mapping[str, Any]) -> str:
        """The stream whose schema this is ('' for another schema, which is then not checked)."""
        return self._by_content.get(_content(schema), "")

    def normalize(self, stream: str, record: Dict[str, Any]) -> None:
        """Convert the record's values in place to its stream's schema types, then check it."""
        rules = self._rules.get(stream)
        if rules is None:
            return
        if rules.normalize is not None:
            rules.normalize(record)
        for field in rules.required:
            if record.get(field) is None:
                raise RecordProblem(self._sentence(stream, field, "it is missing"))
        for field, accepts, pattern in rules.checks:
            if field not in record:
                continue
            value = record[field]
            kind = type(value)
            if kind not in accepts and (kind is bool or not isinstance(value, accepts)):
                raise RecordProblem(self._sentence(stream, field, f"{kind.__name__} {_short(value)}"))
            if pattern is not None and kind is str and not pattern.fullmatch(value):
                raise RecordProblem(self._sentence(stream, field, f"{_short(value)} is not in the expected form"))
        for field, inner in rules.inner:
            found = inner(record.get(field))
            if found is not None:
                raise RecordProblem(self._sentence(stream, field, found))

    @staticmethod
    def _sentence(stream: str, field: str, what: str) -> str:
        vendor = VENDOR_OF.get(stream, "The vendor")
        return (
            f"{vendor} sent a {stream} record whose '{field}' does not fit the stream's schema ({what}); "
            "the sync stops rather than write it, so retry later or report the vendor's answer."
        )


def _compile(schema: Mapping[str, Any]) -> _Rules:
    checks: List[Check] = []
    for field, spec in (schema.get("properties") or {}).items():
        accepts = _accepts(spec)
        pattern = re.compile(spec["pattern"]) if "pattern" in spec else _DATE if spec.get("format") == "date" else None
        if accepts:
            checks.append((field, accepts, pattern))
    inner = [(field, check) for field, spec in (schema.get("properties") or {}).items() if (check := _inner(spec))]
    return _Rules(_nested(schema), list(schema.get("required") or []), checks, inner)


def _inner(spec: Mapping[str, Any]) -> Optional[Inner]:
    """The checks of the objects an array field holds: their `required` fields and declared types."""
    items = spec.get("items")
    if not isinstance(items, Mapping) or not isinstance(items.get("properties"), Mapping):
        return None
    required = list(items.get("required") or [])
    typed = [(field, accepts) for field, sub in items["properties"].items() if (accepts := _accepts(sub))]

    def check(value: Any) -> Optional[str]:
        if not isinstance(value, list):
            return None
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            for field in required:
                if item.get(field) is None:
                    return f"its item {index} has no '{field}'"
            for field, accepts in typed:
                if field in item:
                    kind = type(item[field])
                    if kind not in accepts and (kind is bool or not isinstance(item[field], accepts)):
                        return f"its item {index} has '{field}' {kind.__name__} {_short(item[field])}"
        return None

    return check


def _accepts(spec: Mapping[str, Any]) -> Tuple[type, ...]:
    """The Python types a subschema's declared `type` allows (none when it declares no type)."""
    declared = spec.get("type")
    names = declared if isinstance(declared, list) else [declared] if declared else []
    return tuple(python for name in names for python in _PYTHON_TYPES.get(name, ()))


def _converter(spec: Mapping[str, Any]) -> Optional[Convert]:
    """What `TypeTransformer.default_convert` does to a value of this subschema, decided once, not per value."""
    declared = spec.get("type", [])
    if isinstance(declared, list):
        kinds = [name for name in declared if name != "null"]
        if len(kinds) != 1:
            return None
        kind = kinds[0]
    else:
        kind = declared
    if kind == "string":
        return _to_string
    if kind == "integer":
        return _to_integer
    if kind == "number":
        return _to_number
    if kind == "boolean":
        return _to_boolean
    if kind == "array":
        # the CDK takes set() of the items' type, so a single type name (a string) becomes a set of letters
        # and never matches: only a list of simple types, or none, wraps a lone value
        if set((spec.get("items") or {}).get("type", [])) <= _SIMPLE:
            return _to_array
    return None


def _nested(spec: Mapping[str, Any]) -> Optional[Normalize]:
    """The conversions inside an object's properties (the record's own, too) and an array's items, in place,
    as the CDK walks them."""
    if isinstance(spec.get("properties"), Mapping):
        every = [(field, _converter(sub), _nested(sub)) for field, sub in spec["properties"].items()]
        steps = [(field, convert, nested) for field, convert, nested in every if convert or nested]
        if not steps:
            return None

        def normalize_object(value: Any) -> None:
            if isinstance(value, dict):
                for field, convert, nested in steps:
                    if field in value:
                        if convert is not None:
                            value[field] = convert(value[field])
                        if nested is not None:
                            nested(value[field])

        return normalize_object
    items = spec.get("items")
    if isinstance(items, Mapping):
        convert, nested = _converter(items), _nested(items)
        if convert is None and nested is None:
            return None

        def normalize_items(value: Any) -> None:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if convert is not None:
                        item = value[index] = convert(item)
                    if nested is not None:
                        nested(item)

        return normalize_items
    return None


def _to_string(value: Any) -> Any:
    return value if type(value) is str or value is None else str(value)


def _to_integer(value: Any) -> Any:
    if type(value) is int or value is None:
        return value
    if type(value) is float:
        # whole and exact, or left as it is for the check to stop: the JSON decoder reads integers beyond 64 bits
        # as floats (10**24 + 1 would become 999999999999999983222784) and 12.7 is not a count of 12
        return int(value) if value.is_integer() and abs(value) <= _EXACT_FLOAT_INTEGERS else value
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        return value


def _to_number(value: Any) -> Any:
    if type(value) is float or value is None:
        return value
    try:
        return float(value)
    except (ValueError, TypeError, OverflowError):
        return value


def _to_boolean(value: Any) -> Any:
    if type(value) is bool or value is None:
        return value
    if isinstance(value, str):
        text = value.lower().strip()
        return True if text in _TRUTHY else False if text in _FALSEY else value
    return bool(value)


def _to_array(value: Any) -> Any:
    return [value] if type(value) in _SIMPLE_PYTHON and value is not None else value


def _content(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, default=str)


def _shipped_schemas() -> Dict[str, Mapping[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json"))}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
