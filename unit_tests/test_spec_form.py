"""The spec laid out as the Airbyte form lays it out, per Airbyte's connector-specification reference.

The reference's rules, as `layout` applies them: top-level fields go into cards by their `group`, the cards in
the order of `groups`; inside a card or an object, fields are shown by `order`, and an optional field without
`always_show: true` is collapsed into the "Optional fields" section at the bottom. `group` is allowed on
top-level fields only, and `order` values may not repeat within a card or an object.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

import pytest

from source_usage.source import SourceUsage

# The first card holds the vendors' credentials; proxy and sandbox settings are collapsed at the bottom of each.
EXPECTED_FORM: list[tuple[str, list[str], list[str]]] = [
    (
        "Vendors (fill in at least one)",
        [
            "leadfeeder",
            "leadfeeder.api_key",
            "leadfeeder.account_ids",
            "insideview",
            "insideview.client_id",
            "insideview.client_secret",
            "insideview.period",
            "whitepages",
            "whitepages.api_key",
            "leaf",
            "leaf.username",
            "leaf.password",
        ],
        ["leadfeeder.base_url", "insideview.base_url", "insideview.token_url", "whitepages.base_url", "leaf.base_url"],
    ),
    ("What to read", ["start_date", "end_date"], ["lookback_days"]),
    ("Request limits", [], ["max_requests_per_second", "concurrency", "request_timeout_seconds"]),
]
PROXY_FIELDS = {"base_url", "token_url"}


@dataclass
class Card:
    title: str
    shown: list[str]
    collapsed: list[str]


def _form_order(properties: dict[str, Any], required: list[str]) -> list[str]:
    """Fields with an `order` by it; then the rest, required before optional, each alphabetically."""
    with_order = sorted(
        (name for name in properties if "order" in properties[name]), key=lambda n: properties[n]["order"]
    )
    rest = sorted(
        (name for name in properties if "order" not in properties[name]), key=lambda n: (n not in required, n)
    )
    return with_order + rest


def _lay_out(schema: dict[str, Any], names: list[str], prefix: str, card: Card, collapsed: bool) -> None:
    """Add the fields `names` of the object `schema` to `card`, an object's own fields right after it."""
    properties, required = schema["properties"], schema.get("required", [])
    ordered = [name for name in _form_order(properties, required) if name in names]
    orders = [properties[name]["order"] for name in ordered if "order" in properties[name]]
    assert len(orders) == len(set(orders)), f"`order` repeats among {prefix or 'the top-level'} fields {ordered}"
    hidden_here = [name for name in ordered if name not in required and not properties[name].get("always_show")]
    for name in [name for name in ordered if name not in hidden_here] + hidden_here:
        field, path = properties[name], prefix + name
        is_collapsed = collapsed or name in hidden_here
        (card.collapsed if is_collapsed else card.shown).append(path)
        if field.get("type") == "object" and "properties" in field:
            assert all("group" not in child for child in field["properties"].values()), f"`group` inside {path}"
            _lay_out(field, list(field["properties"]), path + ".", card, is_collapsed)


def layout(connection_specification: dict[str, Any]) -> list[Card]:
    """The cards of the form and, in each, the fields shown and those collapsed under "Optional fields"."""
    properties = connection_specification["properties"]
    groups = connection_specification.get("groups", [])
    titles = {group["id"]: group.get("title", group["id"]) for group in groups}
    used = {field.get("group") for field in properties.values()}
    ids = [group["id"] for group in groups if group["id"] in used]
    ids += sorted(group for group in used if group is not None and group not in titles)
    cards = []
    for group_id in ids + ([None] if None in used else []):
        card = Card(titles.get(group_id, group_id or ""), [], [])
        members = [name for name, field in properties.items() if field.get("group") == group_id]
        _lay_out(connection_specification, members, "", card, collapsed=False)
        cards.append(card)
    return cards


@pytest.fixture(scope="module")
def connection_specification() -> dict[str, Any]:
    """The spec as the connector emits it for `spec`, which is what Airbyte builds the form from."""
    return SourceUsage().spec(logging.getLogger("airbyte")).connectionSpecification


def _field(connection_specification: dict[str, Any], path: str) -> dict[str, Any]:
    field: dict[str, Any] = {"properties": connection_specification["properties"]}
    for name in path.split("."):
        field = field["properties"][name]
    return field


def _every_field(schema: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    fields = []
    for name, field in schema.get("properties", {}).items():
        fields.append((prefix + name, field))
        fields += _every_field(field, prefix + name + ".")
    return fields


def test_the_form_shows_credentials_first_and_collapses_proxy_settings(
    connection_specification: dict[str, Any],
) -> None:
    cards = [(card.title, card.shown, card.collapsed) for card in layout(connection_specification)]
    assert cards == EXPECTED_FORM


def test_every_vendor_block_is_shown_without_opening_optional_fields(
    connection_specification: dict[str, Any],
) -> None:
    properties = connection_specification["properties"]
    vendors = [name for name, field in properties.items() if field.get("type") == "object"]
    assert vendors == ["leadfeeder", "insideview", "whitepages", "leaf"]
    shown = layout(connection_specification)[0].shown
    assert all(vendor in shown and properties[vendor].get("always_show") is True for vendor in vendors)


def test_every_secret_is_masked_and_shown_and_nothing_else_is_masked(connection_specification: dict[str, Any]) -> None:
    secrets = sorted(path for path, field in _every_field(connection_specification) if field.get("airbyte_secret"))
    assert secrets == ["insideview.client_secret", "leadfeeder.api_key", "leaf.password", "whitepages.api_key"]
    shown = {path for card in layout(connection_specification) for path in card.shown}
    assert set(secrets) <= shown


def test_proxy_settings_come_last_in_their_vendor_block(connection_specification: dict[str, Any]) -> None:
    for vendor, field in connection_specification["properties"].items():
        if field.get("type") != "object":
            continue
        names = _form_order(field["properties"], field.get("required", []))
        proxies = [name for name in names if name in PROXY_FIELDS]
        assert proxies and names[-len(proxies) :] == proxies, f"{vendor}: {names}"


def test_every_field_has_a_title_and_a_description_a_new_user_can_read(
    connection_specification: dict[str, Any],
) -> None:
    for path, field in _every_field(connection_specification):
        assert field.get("title"), f"{path} has no title"
        description = field.get("description", "")
        assert description.endswith(".") and len(description) >= 30, f"{path}: {description!r}"


def test_the_leadfeeder_key_says_where_keys_are_made(connection_specification: dict[str, Any]) -> None:
    assert "Settings → Personal → API Keys" in _field(connection_specification, "leadfeeder.api_key")["description"]


@pytest.mark.parametrize(
    ("change", "path", "key", "value"),
    [
        ("a vendor block folded away", "whitepages", "always_show", None),
        ("the password before the username", "leaf.password", "order", -1),
        ("a proxy URL shown", "insideview.token_url", "always_show", True),
        ("the what-to-read card first", None, "groups", "period-first"),
        ("account IDs folded away", "leadfeeder.account_ids", "always_show", None),
    ],
    ids=["always-show", "order", "proxy-shown", "groups", "nested-always-show"],
)
def test_the_layout_check_fails_on_a_regression(
    connection_specification: dict[str, Any], change: str, path: str | None, key: str, value: Any
) -> None:
    broken = copy.deepcopy(connection_specification)
    if path is None:
        broken["groups"] = broken["groups"][1:2] + broken["groups"][:1] + broken["groups"][2:]
    elif value is None:
        del _field(broken, path)[key]
    else:
        _field(broken, path)[key] = value
    cards = [(card.title, card.shown, card.collapsed) for card in layout(broken)]
    assert cards != EXPECTED_FORM, f"{change} went unnoticed"


def test_repeated_orders_in_one_object_are_refused(connection_specification: dict[str, Any]) -> None:
    broken = copy.deepcopy(connection_specification)
    _field(broken, "insideview.token_url")["order"] = _field(broken, "insideview.base_url")["order"]
    with pytest.raises(AssertionError, match="`order` repeats"):
        layout(broken)
