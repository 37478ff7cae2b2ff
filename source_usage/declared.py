"""What the manifest and its spec declare, read once: the vendors with their fields and secrets, and each
stream's vendor, cursor and cursor formats. The rest of the connector derives these facts from here."""

import copy
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

import yaml
from airbyte_cdk.sources.declarative.parsers.manifest_component_transformer import ManifestComponentTransformer
from airbyte_cdk.sources.declarative.parsers.manifest_reference_resolver import ManifestReferenceResolver

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's loader reads the manifest 0.8 s faster
MANIFEST: Dict[str, Any] = yaml.load(Path(__file__).with_name("manifest.yaml").read_text(), Loader=_LOADER)
SPEC: Mapping[str, Any] = MANIFEST["spec"]["connection_specification"]


class Vendor(NamedTuple):
    title: str  # the first word of its block's title, as messages name it: "Leadfeeder (Dealfront)" → Leadfeeder
    fields: Mapping[str, Mapping[str, Any]]
    required: Tuple[str, ...]
    secrets: Tuple[str, ...]


class Stream(NamedTuple):
    vendor: str  # the config block the stream's condition asks for
    cursor: Optional[str]  # None for a full-refresh stream
    partitioned: bool  # its state is kept per partition
    formats: Tuple[str, ...]  # of its cursor's values, in every variant of the stream


VENDORS: Dict[str, Vendor] = {
    key: Vendor(
        block["title"].split()[0],
        block["properties"],
        tuple(block.get("required", ())),
        tuple(name for name, field in block["properties"].items() if field.get("airbyte_secret")),
    )
    for key, block in SPEC["properties"].items()
    if block.get("type") == "object"
}


def _streams() -> Dict[str, Stream]:
    """Each stream of the resolved manifest, under the vendor its ConditionalStreams condition names first."""
    resolved = ManifestReferenceResolver().preprocess_manifest(copy.deepcopy(MANIFEST))
    resolved = ManifestComponentTransformer().propagate_types_and_parameters("", resolved, {})
    streams: Dict[str, Stream] = {}
    for group in resolved["streams"]:
        named = [key for key in re.findall(r"config\.get\('(\w+)'\)", group["condition"]) if key in VENDORS]
        for stream in group["streams"]:
            cursor = stream.get("incremental_sync") or {}
            formats: List[str] = cursor.get("cursor_datetime_formats") or [cursor.get("datetime_format")]
            known = streams[stream["name"]].formats if stream["name"] in streams else ()
            streams[stream["name"]] = Stream(
                named[0],
                cursor.get("cursor_field"),
                bool(stream["retriever"].get("partition_router")),
                tuple(dict.fromkeys([*known, *(str(pattern) for pattern in formats if pattern)])),
            )
    return streams


STREAMS = _streams()
# One cheap stream per vendor for `check`, the first the manifest's check names: it reads its first record.
CHECK_STREAMS: Dict[str, str] = {}
for _name in MANIFEST["check"]["stream_names"]:
    CHECK_STREAMS.setdefault(STREAMS[_name].vendor, _name)


def manifest() -> Dict[str, Any]:
    """A copy of the manifest, for a source to resolve and change."""
    return copy.deepcopy(MANIFEST)
