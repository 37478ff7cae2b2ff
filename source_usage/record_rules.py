"""The per-record path, on the CDK's worker threads: answers become records that fit their schema, or the sync stops."""

import json
import re
from dataclasses import InitVar, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, MutableMapping, Optional, Tuple

import dpath
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.extractors.dpath_extractor import DpathExtractor
from airbyte_cdk.sources.declarative.interpolation.interpolated_string import InterpolatedString
from airbyte_cdk.sources.declarative.transformations import RecordTransformation
from airbyte_cdk.sources.declarative.transformations.keys_to_snake_transformation import KeysToSnakeCaseTransformation
from airbyte_cdk.sources.types import Config, StreamSlice
from airbyte_cdk.sources.utils.transform import TransformConfig, TypeTransformer
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_usage.declared import STREAMS, VENDORS

SCHEMAS = Path(__file__).with_name("schemas")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONVERTS = {"string": str, "integer": int, "number": float, "boolean": bool, "array": list}
_ACCEPTS = {
    **{name: (python,) for name, python in _CONVERTS.items()},
    "number": (int, float),
    "null": (type(None),),
    "object": (dict,),
}
_MISSING = "it is missing"
_CREDENTIALS = "credentials"
Checks = Tuple[List[str], List[Tuple[str, Tuple[type, ...], Optional[re.Pattern[str]]]], List[Tuple[str, Any]]]


@dataclass
class EnvelopeExtractor(DpathExtractor):
    """DpathExtractor drops the envelope, where InsideView (account) and Leaf (area unit) put what records need."""

    envelope_fields: List[str] = field(default_factory=list)

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        for body in (body for body in self.decoder.decode(response) if isinstance(body, Mapping)):
            envelope = {name: body.get(name) for name in self.envelope_fields}
            items = dpath.get(body, [str(part) for part in self.field_path], default=[])
            for item in (item for item in (items if isinstance(items, list) else [items]) if isinstance(item, Mapping)):
                record = {**envelope, **item}
                for detail in record.pop("details", None) or []:  # `[{type, value}]`: a field per type
                    if isinstance(detail, Mapping) and detail.get("type"):
                        record[str(detail["type"])] = detail.get("value")
                yield record


@lru_cache(maxsize=10_000)
def snake_key(key: str) -> str:
    """KeysToSnakeCase transliterates and tokenizes every key of every record; the vendors send the same few keys."""
    return KeysToSnakeCaseTransformation().process_key(key)


@dataclass
class SnakeCaseKeys(RecordTransformation):
    """KeysToSnakeCase converts each key anew on every record (25 µs) and never those in arrays (Leaf's, if `deep`)."""

    deep: bool = False

    def transform(
        self,
        record: Dict[str, Any],
        config: Optional[Config] = None,
        stream_state: Any = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> None:
        renamed = self._renamed(record)
        record.clear()
        record.update(renamed)

    def _renamed(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {snake_key(key): self._renamed(item) for key, item in value.items()}
        return [self._renamed(item) for item in value] if self.deep and isinstance(value, list) else value


class ConnectedProviders(RecordTransformation):
    """RemoveFields needs keys named in advance, and Leaf adds providers: each `*Credentials` key goes, at any depth."""

    def transform(
        self,
        record: Dict[str, Any],
        config: Optional[Config] = None,
        stream_state: Any = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> None:
        record["connected_providers"] = sorted(
            {
                snake_key(key[: -len(_CREDENTIALS)])
                for key, value in _drop_credentials(record).items()
                if len(key) > len(_CREDENTIALS) and value
            }
        )


@dataclass
class SchemaFields(RecordTransformation):
    """RemoveFields names what goes, and vendors add fields: an allow-list keeps only the stream schema's properties."""

    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._kept = frozenset(json.loads((SCHEMAS / f"{parameters['name']}.json").read_text())["properties"])

    def transform(
        self,
        record: Dict[str, Any],
        config: Optional[Config] = None,
        stream_state: Any = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> None:
        for key in [key for key in record if snake_key(str(key)) not in self._kept]:
            del record[key]


def _drop_credentials(value: Any) -> Dict[str, Any]:
    """Drops every `*Credentials` key at any depth, and returns those of this object with their values."""
    found = [key for key in value if str(key).lower().endswith(_CREDENTIALS)] if isinstance(value, dict) else []
    dropped = {key: value.pop(key) for key in found}
    for nested in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _drop_credentials(nested)
    return dropped


@dataclass
class RecordFields(RecordTransformation):
    """AddFields (a template and ast.literal_eval, not thread-safe on 3.11: gh-106905) and dpath walks, per record."""

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    flatten: Optional[str] = None  # an object whose fields are lifted to the top level
    partition_fields: List[str] = field(default_factory=list)  # copied from the partition, as strings
    parent_fields: List[str] = field(default_factory=list)  # copied from the parent record (the slice's extra_fields)
    day_fields: List[str] = field(default_factory=list)  # ISO timestamps cut to their day
    constants: Mapping[str, str] = field(default_factory=dict)  # interpolated once, against the config
    day_from_window: Optional[str] = None  # a missing day taken from the start of the window asked for
    remove: List[str] = field(default_factory=list)

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._constants = {
            name: InterpolatedString.create(template, parameters=parameters).eval(self.config)
            for name, template in self.constants.items()
        }

    def transform(
        self,
        record: Dict[str, Any],
        config: Optional[Config] = None,
        stream_state: Any = None,
        stream_slice: Optional[StreamSlice] = None,
    ) -> None:
        if self.flatten is not None and isinstance(nested := record.pop(self.flatten, None), Mapping):
            record.update(nested)
        partition = stream_slice.partition if stream_slice is not None else {}
        for name in self.partition_fields:
            if partition.get(name) is not None:
                record[name] = str(partition[name])
        extra = stream_slice.extra_fields if stream_slice is not None else {}
        for name in self.parent_fields:
            record[name] = extra.get(name)
        if self.day_from_window and not record.get(self.day_from_window) and stream_slice is not None:
            record[self.day_from_window] = stream_slice.get("start_time")
        for name in self.day_fields:
            if isinstance(record.get(name), str):
                record[name] = record[name][:10]
        record.update(self._constants)
        for name in self.remove:
            record.pop(name, None)


class RecordProblem(AirbyteTracedException):
    """A record that breaks its stream's schema; its text is the sentence shown to the user."""

    def __init__(self, sentence: str) -> None:
        super().__init__(internal_message=sentence, message=sentence, failure_type=FailureType.system_error)


class RecordRules(TypeTransformer):
    """The CDK's jsonschema-driven normalization costs ~100 µs a record and lets through what it cannot convert."""

    def __init__(self, schemas: Optional[Mapping[str, Mapping[str, Any]]] = None) -> None:
        super().__init__(TransformConfig.DefaultSchemaNormalization)  # for a schema that is not one of ours
        schemas = (
            schemas
            if schemas is not None
            else {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json"))}
        )
        self._rules = {stream: (_converter(schema), _checks(schema)) for stream, schema in schemas.items()}
        self._by_content = {_content(schema): stream for stream, schema in schemas.items()}
        self._streams: Dict[int, str] = {}

    def transform(self, record: Dict[str, Any], schema: Mapping[str, Any]) -> None:
        if (stream := self._streams.get(id(schema))) is None:
            stream = self._streams.setdefault(id(schema), self._by_content.get(_content(schema), ""))
        if stream:
            self.normalize(stream, record)
        else:
            super().transform(record, schema)

    def normalize(self, stream: str, record: Dict[str, Any]) -> None:
        """Convert the record's values in place as `schema_normalization: Default` does, then check it."""
        convert, checks = self._rules[stream]
        if convert is not None:
            convert(record)
        misfit = _misfit(checks, record)
        if misfit is not None:
            vendor = VENDORS[STREAMS[stream].vendor].title if stream in STREAMS else "The vendor"
            article = "an" if stream[0] in "aeiou" else "a"
            raise RecordProblem(
                f"{vendor} sent {article} {stream} record whose '{misfit[0]}' does not fit the "
                f"stream's schema ({misfit[1]}); the sync stops rather than write it, so retry later "
                "or report the vendor's answer."
            )


def _converter(spec: Mapping[str, Any]) -> Optional[Callable[[Any], Any]]:
    """`TypeTransformer.default_convert` of a subschema's values and of its properties' and items', decided once."""
    kinds = [kind for kind in _declared(spec) if kind != "null"]
    target = _CONVERTS.get(kinds[0]) if len(kinds) == 1 else None
    properties = spec["properties"] if isinstance(spec.get("properties"), Mapping) else {}
    fields = [(name, convert) for name, sub in properties.items() if (convert := _converter(sub))]
    items = _converter(spec["items"]) if isinstance(spec.get("items"), Mapping) else None
    if target is None and not fields and items is None:
        return None

    def convert(value: Any) -> Any:
        if target is not None and value is not None and type(value) is not target:
            # the CDK's two faults, left for the check to stop: a null made "None", an inexact float cut to an integer
            if target is int and type(value) is float and not (value.is_integer() and abs(value) <= 2**53):
                return value
            try:  # default_convert's own str(), int() or float(), without its branches for the common types
                value = target(value) if target in (str, int, float) else TypeTransformer.default_convert(value, spec)
            except (ValueError, TypeError, OverflowError):
                return value
        if fields and isinstance(value, dict):
            for name, inner in fields:
                if name in value:
                    value[name] = inner(value[name])
        elif items is not None and isinstance(value, list):
            for index, item in enumerate(value):
                value[index] = items(item)
        return value

    return convert


def _checks(spec: Mapping[str, Any]) -> Checks:
    """An object's `required` fields, its typed fields (types accepted, a string's form), and its arrays' objects'."""
    properties = spec.get("properties") or {}
    typed = [
        (name, accepts, _form(sub))
        for name, sub in properties.items()
        if (accepts := tuple(python for kind in _declared(sub) for python in _ACCEPTS.get(kind, ())))
    ]
    inner = [
        (name, _checks(sub["items"]))
        for name, sub in properties.items()
        if isinstance(sub.get("items"), Mapping) and isinstance(sub["items"].get("properties"), Mapping)
    ]
    return list(spec.get("required") or []), typed, inner


def _misfit(checks: Checks, value: Mapping[str, Any]) -> Optional[Tuple[str, str]]:
    """The first field of an object that does not fit its schema, and what is wrong with it."""
    required, typed, inner = checks
    for name in required:
        if value.get(name) is None:
            return name, _MISSING
    for name, accepts, pattern in typed:
        if name in value:
            kind = type(found := value[name])
            if kind not in accepts and (kind is bool or not isinstance(found, accepts)):
                return name, f"{kind.__name__} {_short(found)}"
            if pattern is not None and kind is str and not pattern.fullmatch(found):
                return name, f"{_short(found)} is not in the expected form"
    for name, item_checks in inner:
        items = value.get(name)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and (misfit := _misfit(item_checks, item)) is not None:
                told = f"no '{misfit[0]}'" if misfit[1] == _MISSING else f"'{misfit[0]}' {misfit[1]}"
                return name, f"its item {index} has {told}"
    return None


def _declared(spec: Mapping[str, Any]) -> List[str]:
    declared = spec.get("type")
    return declared if isinstance(declared, list) else [declared] if declared else []


def _form(spec: Mapping[str, Any]) -> Optional[re.Pattern[str]]:
    """The form a string must have: its `pattern`, or a day for `format: date`."""
    return re.compile(spec["pattern"]) if "pattern" in spec else _DATE if spec.get("format") == "date" else None


def _content(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, default=str)


def _short(value: Any) -> str:
    return text if len(text := repr(value)) <= 40 else f"{text[:37]}..."
