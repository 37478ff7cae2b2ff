"""Every list is read to where the vendor says it ends, with pages shorter than asked, and nothing else leaks.

The sandbox caps every page at two items whatever `size` asks for (providers.md: a Leaf page may hold fewer items
than asked while `Link` and `X-Total-Count` say more are coming; a Leadfeeder list may carry `links.next`).
A full sync of every stream under that cap must still equal the truth, each list must have been read page after
page, and no output of the sync (records, logs, states, errors, stderr) may hold a Leaf user's provider secret.
The sync logs no warning: the Airbyte UI shows each one to the user, and none of these asks anything of them.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from integration_tests.connector_runs import Run, discover_catalog, run_connector
from integration_tests.sandboxes import own_sandbox
from integration_tests.truth_compare import differences, duplicated_keys, merge
from usage_sandbox.truth import STREAMS, personal_values, provider_secrets

SEED = int(os.environ.get("USAGE_SANDBOX_SEED", "42"))
TODAY = "2026-11-20"
START_DATE = "2026-10-01"
PAGE_CAP = 2
# the allow-list, read from the schema (what a destination may get of a Leaf user)
LEAF_USER_SCHEMA = Path(__file__).parent.parent / "schemas" / "leaf_users.json"
LEAF_USER_FIELDS = set(json.loads(LEAF_USER_SCHEMA.read_text())["properties"])
# (vendor, the sandbox's name of the list endpoint): each must have answered more than one page
LISTS = [("leadfeeder", "accounts"), ("leadfeeder", "usage"), ("leaf", "contracts"), ("leaf", "users")]


@dataclass
class CappedSync:
    output: Run
    requests: dict[str, dict[str, dict[str, int]]]
    truth: dict[str, list[dict[str, Any]]]
    secrets: list[str]


@pytest.fixture(scope="module")
def capped_sync() -> Iterator[CappedSync]:
    with own_sandbox(SEED, "small", TODAY, extra_args=["--page-cap", str(PAGE_CAP)]) as sandbox:
        config = sandbox.config(start_date=START_DATE)
        catalog = discover_catalog(config)
        sandbox.reset()
        output = run_connector("read", config, catalog)
        assert output.exit_code == 0 and not output.errors, output.errors or output.stderr[-2000:]
        yield CappedSync(output, sandbox.stats()["vendors"], sandbox.truth(START_DATE), provider_secrets(SEED, "small"))


@pytest.mark.parametrize("stream", STREAMS)
def test_every_stream_under_short_pages_equals_the_truth(capped_sync: CappedSync, stream: str) -> None:
    records = capped_sync.output.record_data()
    assert duplicated_keys({stream: records.get(stream, [])}) == {}
    assert differences(merge(records), capped_sync.truth, [stream]) == {}
    assert capped_sync.truth[stream], f"the truth has no {stream} record: the test would prove nothing"


def _pages(items: int) -> int:
    """The pages of a list of `items` under the cap (an empty list is one page)."""
    return max(1, math.ceil(items / PAGE_CAP))


@pytest.mark.parametrize(("vendor", "endpoint"), LISTS)
def test_every_list_was_followed_past_its_first_short_page(capped_sync: CappedSync, vendor: str, endpoint: str) -> None:
    """Every page of every list, counted exactly: the account list's pages, then one answer per account's credits;
    each account's usage (one window from START_DATE) in its pages; Leaf's contracts and users in theirs."""
    truth = capped_sync.truth
    accounts = [record["id"] for record in truth["accounts"]]
    usage_rows = {account: sum(1 for row in truth["api_usage"] if row["account_id"] == account) for account in accounts}
    expected = {
        ("leadfeeder", "accounts"): _pages(len(accounts)) + len(accounts),
        ("leadfeeder", "usage"): sum(_pages(rows) for rows in usage_rows.values()),
        ("leaf", "contracts"): _pages(len(truth["contracts"])),
        ("leaf", "users"): _pages(len(truth["leaf_users"])),
    }[(vendor, endpoint)]
    unpaged = {("leadfeeder", "accounts"): 1 + len(accounts), ("leadfeeder", "usage"): len(accounts)}.get(
        (vendor, endpoint), 1
    )
    answered = capped_sync.requests[vendor][endpoint]
    assert answered == {"200": expected} and expected > unpaged, f"{vendor} {endpoint}: {answered}, {expected} pages"


def test_no_output_of_the_sync_holds_a_leaf_provider_secret(capped_sync: CappedSync) -> None:
    assert capped_sync.secrets, "the sandbox's users carry no provider secret: the test would prove nothing"
    everything = json.dumps(capped_sync.output.messages) + capped_sync.output.stderr
    assert [secret for secret in capped_sync.secrets if secret in everything] == []
    users = capped_sync.output.record_data()["leaf_users"]
    assert not [key for user in users for key in user if key.endswith("credentials")]
    assert any(user["connected_providers"] for user in users)


def test_no_output_of_the_sync_holds_a_growers_phone_number_or_address(capped_sync: CappedSync) -> None:
    personal = personal_values(SEED, "small")
    assert personal, "the sandbox's users carry no personal data: the test would prove nothing"
    everything = json.dumps(capped_sync.output.messages) + capped_sync.output.stderr
    assert [value for value in personal if value in everything] == []
    assert all(set(user) <= LEAF_USER_FIELDS for user in capped_sync.output.record_data()["leaf_users"])


def test_the_sync_logs_no_warning(capped_sync: CappedSync) -> None:
    warnings = [
        message["log"]["message"]
        for message in capped_sync.output.of_type("LOG")
        if message["log"]["level"] in ("WARN", "WARNING")
    ]
    assert warnings == []
