"""Lists read whole or the stream fails: Leadfeeder's lists paged by `page[number]` and `meta.pagination` (as
public clients page its sibling lists; Leadfeeder documents no paging) are read exact, pages shorter than asked
included, and a list cut short (fewer records than its `meta.total_records` or `X-Total-Count`, no next page)
fails the sync with one sentence naming the vendor, the list and both counts, never a silent partial sync."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from integration_tests.connector_runs import read
from integration_tests.truth_compare import assert_same_records
from usage_sandbox.credentials import LEADFEEDER_API_KEY

KEY = {"X-Api-Key": LEADFEEDER_API_KEY}
START = "2025-06-01"


def _usage_pages(sandbox: Any, size: str) -> list[dict[str, Any]]:
    account = requests.get(f"{sandbox.url}/leadfeeder/v1/accounts", headers=KEY, timeout=10).json()["data"][0]["id"]
    pages, number = [], 1
    while number:
        body = requests.get(
            f"{sandbox.url}/leadfeeder/v1/usage",
            params={
                "account_id": account,
                "start_period": "2025-01",
                "end_period": "2026-11",
                "page[number]": str(number),
                "page[size]": size,
            },
            headers=KEY,
            timeout=10,
        ).json()
        pages.append(body)
        number = body["meta"]["pagination"]["next_page"]
    return pages


def test_sandbox_pages_leadfeeder_by_page_number_with_meta_pagination(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits({"enabled": False})  # many pages at once: the rate limit has its own tests
    fresh_sandbox.set_page_cap(4, leadfeeder="page_number")
    pages = _usage_pages(fresh_sandbox, "10")
    total = pages[0]["meta"]["total_records"]
    assert len(pages) > 2 and all("links" not in page for page in pages)
    assert all(len(page["data"]) <= 4 for page in pages)  # shorter than the 10 asked: the page cap
    assert sum(len(page["data"]) for page in pages) == total == pages[0]["meta"]["pagination"]["total_count"]
    assert [page["meta"]["pagination"]["current_page"] for page in pages] == list(range(1, len(pages) + 1))


def test_sandbox_cuts_every_list_short_on_request(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_page_cap(None, truncated=True)
    account = requests.get(f"{fresh_sandbox.url}/leadfeeder/v1/accounts", headers=KEY, timeout=10).json()["data"][0]
    body = requests.get(
        f"{fresh_sandbox.url}/leadfeeder/v1/usage",
        params={"account_id": account["id"], "start_period": "2025-01", "end_period": "2026-11"},
        headers=KEY,
        timeout=10,
    ).json()
    assert 0 < len(body["data"]) < body["meta"]["total_records"] and "next" not in body.get("links", {})


def test_leadfeeder_lists_paged_by_page_number_are_read_exact(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_page_cap(2, leadfeeder="page_number")
    config = fresh_sandbox.config("leadfeeder", start_date=START)

    run = read(config, ["accounts", "api_usage"])

    assert run.exit_code == 0 and not run.errors, run.describe()
    truth = fresh_sandbox.truth(START)
    for stream in ("accounts", "api_usage"):
        assert_same_records(stream, run.record_data().get(stream, []), truth[stream])
    served = fresh_sandbox.stats()["vendors"]["leadfeeder"]
    assert served["usage"]["200"] > 2 * len(truth["accounts"])  # every account's usage took several pages


@pytest.mark.parametrize(
    ("vendor", "streams", "sentence"),
    [
        ("leadfeeder", ["api_usage"], r"Leadfeeder's list /leadfeeder/v1/usage ended after (\d+) of the (\d+)"),
        (
            "leaf",
            ["contracts"],
            r"Leaf's list /leaf/services/billingapplication/api/billing/contracts ended after (\d+) of the (\d+) "
            r"records it says",
        ),
        ("leaf", ["leaf_users"], r"Leaf's list /leaf/services/usermanagement/api/users ended after (\d+) of the (\d+)"),
    ],
    ids=["leadfeeder-usage", "leaf-contracts", "leaf-users"],
)
def test_a_list_cut_short_fails_the_sync_naming_the_vendor_the_list_and_both_counts(
    fresh_sandbox: Any, vendor: str, streams: list[str], sentence: str
) -> None:
    fresh_sandbox.set_page_cap(None, truncated=True)
    config = fresh_sandbox.config(vendor, start_date=START)

    run = read(config, streams)

    assert run.exit_code != 0, run.describe()
    matches = [re.match(sentence, message) for message in run.error_messages()]
    counted = [match for match in matches if match]
    assert counted, run.error_messages()
    assert all(int(match.group(1)) < int(match.group(2)) for match in counted)
    assert all(
        message.endswith("sync again, and if it persists, tell the vendor.")
        for message in [match.string for match in counted]
    )


@pytest.mark.parametrize("body", [{"cap": None, "leadfeeder": "cursor"}, {"cap": None, "truncated": "yes"}])
def test_sandbox_refuses_a_paging_it_does_not_serve_and_changes_nothing(fresh_sandbox: Any, body: Any) -> None:
    response = requests.post(f"{fresh_sandbox.url}/_sandbox/pages", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["error"]
    assert requests.get(f"{fresh_sandbox.url}/_sandbox/pages", timeout=10).json() == {
        "cap": None,
        "leadfeeder": "links",
        "truncated": False,
    }
