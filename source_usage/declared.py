"""What the manifest and its spec declare, read once and without the CDK (the local sync's loader imports it)."""

import copy
import re
from pathlib import Path
from typing import Any, Dict, Mapping, NamedTuple, Optional, Tuple

import yaml

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
SECRETS = tuple((key, field) for key, vendor in VENDORS.items() for field in vendor.secrets)


def resolved(node: Any) -> Any:
    """`node` with every `$ref` replaced by what it points at, its own keys winning, as the CDK's resolver does."""
    if isinstance(node, dict):
        own = {key: resolved(value) for key, value in node.items() if key != "$ref"}
        target = resolved(node["$ref"]) if "$ref" in node else {}
        return target | own if isinstance(target, dict) else target
    if isinstance(node, list):
        return [resolved(value) for value in node]
    if isinstance(node, str) and node.startswith("#/"):
        target: Any = MANIFEST
        for key in node[2:].split("/"):
            target = target[int(key) if isinstance(target, list) else key]
        return resolved(target)
    return node


def streams_of(manifest: Mapping[str, Any]) -> Dict[str, Stream]:
    """Each stream of a resolved manifest, under the vendor its ConditionalStreams condition names first."""
    streams: Dict[str, Stream] = {}
    for group in manifest["streams"]:
        vendor = next(key for key in re.findall(r"config\.get\('(\w+)'\)", group["condition"]) if key in VENDORS)
        for stream in group["streams"]:
            name = stream.get("name") or stream["$parameters"]["name"]
            cursor = stream.get("incremental_sync") or {}
            known = streams[name].formats if name in streams else ()
            formats = [*known, *(cursor.get("cursor_datetime_formats") or [cursor.get("datetime_format")])]
            partitioned = bool(stream["retriever"].get("partition_router"))
            streams[name] = Stream(
                vendor,
                cursor.get("cursor_field"),
                partitioned,
                tuple(dict.fromkeys(str(pattern) for pattern in formats if pattern)),
            )
    return streams


# the secrets an ApiKeyAuthenticator sends in a header, where only visible ASCII can go
_AUTHENTICATORS = [resolved(MANIFEST["definitions"][key]["requester"]).get("authenticator", {}) for key in VENDORS]
HEADER_SECRETS = tuple(
    tuple(re.findall(r"config\.(\w+)\.(\w+)", authenticator["api_token"])[0])
    for authenticator in _AUTHENTICATORS
    if authenticator.get("type") == "ApiKeyAuthenticator" and authenticator["inject_into"]["inject_into"] == "header"
)
STREAMS = streams_of({"streams": resolved(MANIFEST["streams"])})
# One cheap stream per vendor for `check`, the first the manifest's check names: it reads its first record.
CHECK_STREAMS: Dict[str, str] = {}
for _name in MANIFEST["check"]["stream_names"]:
    CHECK_STREAMS.setdefault(STREAMS[_name].vendor, _name)


def manifest() -> Dict[str, Any]:
    """A copy of the manifest, for a source to resolve and change."""
    return copy.deepcopy(MANIFEST)
