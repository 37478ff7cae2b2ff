"""The server's mutable state: the sandbox's today, page cap, counters, limits, ranges, faults and tokens."""

from dataclasses import dataclass, field
from datetime import date

from usage_sandbox.faults import Faults
from usage_sandbox.limits import Limits
from usage_sandbox.ranges import Ranges
from usage_sandbox.stats import Stats
from usage_sandbox.tokens import TokenStore
from usage_sandbox.vendor import VendorSpec
from usage_sandbox.vendors.leaf import DAILY_SUMMARY_READINGS


@dataclass(frozen=True)
class RouteInfo:
    """`authenticated`: the access layer checks the vendor's credential (not on logins and unknown paths)."""

    vendor: str
    endpoint: str
    is_login: bool
    authenticated: bool


@dataclass
class Runtime:
    seed: int
    size: str
    today: date
    faults: Faults
    tokens: TokenStore
    stats: Stats = field(default_factory=Stats)
    page_cap: int | None = None  # at most this many items a page, whatever size a client asks for
    # how Leadfeeder's lists page: "links" (`links.next`, under the page cap) or "page_number" (`page[number]`,
    # `page[size]` and `meta.pagination`, as public clients page its sibling lists); Leadfeeder documents neither
    leadfeeder_paging: str = "links"
    leaf_daily_summary: str = DAILY_SUMMARY_READINGS[0]  # how Leaf's daily summary reads (vendors/leaf)
    truncated_lists: bool = False  # every list answers half its page, its total unchanged, and offers no next page
    limits: Limits = field(default_factory=lambda: Limits({}))
    ranges: Ranges = field(default_factory=lambda: Ranges({}))
    routes: dict[str, RouteInfo] = field(default_factory=dict)
    vendors: dict[str, VendorSpec] = field(default_factory=dict)
