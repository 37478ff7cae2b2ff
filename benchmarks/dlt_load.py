"""dlt's rest_api source loading the same four streams as `local_sync` with those two vendors into DuckDB: what
a user would otherwise script.

`python -m benchmarks.dlt_load --config CONFIG --db FILE --pipelines-dir DIR [--usage-only]` reads Leadfeeder
usage (per account, 24-month windows) and each account's credits (`/v1/accounts?account_id=`, one request an
account), and InsideView day usage (92-day windows) and credits (the last day), with dlt's stock REST client,
into four tables; `--usage-only` reads the two usage endpoints alone. No rate limiting of its own: dlt retries
429 after Retry-After.
"""

import argparse
import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import requests
from dlt.sources.rest_api import rest_api_source


def _month_windows(first: str, last: str, months: int) -> list[tuple[str, str]]:
    start = int(first[:4]) * 12 + int(first[5:7]) - 1
    end = int(last[:4]) * 12 + int(last[5:7]) - 1
    windows = []
    for lo in range(start, end + 1, months):
        hi = min(lo + months - 1, end)
        windows.append((f"{lo // 12}-{lo % 12 + 1:02d}", f"{hi // 12}-{hi % 12 + 1:02d}"))
    return windows


def _day_windows(first: str, last: str, days: int) -> list[tuple[str, str]]:
    lo, end = date.fromisoformat(first), date.fromisoformat(last)
    count = math.ceil(((end - lo).days + 1) / days)
    return [(str(lo + timedelta(days * i)), str(min(lo + timedelta(days * i + days - 1), end))) for i in range(count)]


def _insideview_token(config: dict[str, Any]) -> str:
    block = config["insideview"]
    form = {"clientId": block["client_id"], "clientSecret": block["client_secret"], "grantType": "cred"}
    response = requests.post(block["token_url"], data=form, timeout=60)
    response.raise_for_status()
    return response.json()["accessTokenDetails"]["accessToken"]


def leadfeeder_source(config: dict[str, Any], usage_only: bool) -> Any:
    block = config["leadfeeder"]
    windows = _month_windows(config["start_date"], config["end_date"], 24)
    resources: list[Any] = [
        {
            "name": "account_list",
            "endpoint": {"path": "v1/accounts", "data_selector": "data", "paginator": "single_page"},
            "selected": False,
        }
    ]
    if not usage_only:
        resources.append(
            {
                "name": "accounts",
                "primary_key": "id",
                "endpoint": {
                    "path": "v1/accounts",
                    "data_selector": "data",
                    "paginator": "single_page",
                    "params": {"account_id": "{resources.account_list.id}"},
                },
            }
        )
    for index, (first, last) in enumerate(windows):
        resources.append(
            {
                "name": f"api_usage_{index}",
                "table_name": "api_usage",
                "primary_key": "id",
                "endpoint": {
                    "path": "v1/usage",
                    "data_selector": "data",
                    "paginator": "single_page",
                    "params": {
                        "account_id": "{resources.account_list.id}",
                        "start_period": first,
                        "end_period": last,
                    },
                },
            }
        )
    return rest_api_source(
        {
            "client": {
                "base_url": block["base_url"].rstrip("/") + "/",
                "auth": {
                    "type": "api_key",
                    "name": "X-Api-Key",
                    "api_key": block["api_key"],
                    "location": "header",
                },
            },
            "resources": resources,
        },
        name="leadfeeder",
    )


def insideview_source(config: dict[str, Any], usage_only: bool) -> Any:
    block = config["insideview"]
    resources: list[Any] = []
    if not usage_only:
        last = config["end_date"]
        resources.append(
            {
                "name": "credits",
                "endpoint": {
                    "path": "api/v1/admin/usage",
                    "data_selector": "creditsForAccount",
                    "paginator": "single_page",
                    "params": {"period": "day", "start": last, "end": last},
                },
            }
        )
    for index, (first, last) in enumerate(_day_windows(config["start_date"], config["end_date"], 92)):
        resources.append(
            {
                "name": f"api_transactions_{index}",
                "table_name": "api_transactions",
                "endpoint": {
                    "path": "api/v1/admin/usage",
                    "data_selector": "usageForAccount",
                    "paginator": "single_page",
                    "params": {"period": "day", "start": first, "end": last},
                },
            }
        )
    return rest_api_source(
        {
            "client": {
                "base_url": block["base_url"].rstrip("/") + "/",
                "headers": {"accessToken": _insideview_token(config), "Accept": "application/json"},
            },
            "resources": resources,
        },
        name="insideview",
    )


TABLES = ("accounts", "api_usage", "credits", "api_transactions")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dlt_load")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--pipelines-dir", type=Path, required=True)
    parser.add_argument("--usage-only", action="store_true", help="api_usage and api_transactions alone")
    args = parser.parse_args()
    config = json.loads(args.config.read_text())
    pipeline = dlt.pipeline(
        pipeline_name="usage_bench",
        destination=dlt.destinations.duckdb(str(args.db)),
        dataset_name="usage",
        pipelines_dir=str(args.pipelines_dir),
    )
    info = pipeline.run([leadfeeder_source(config, args.usage_only), insideview_source(config, args.usage_only)])
    info.raise_on_failed_jobs()
    counts = pipeline.last_trace.last_normalize_info.row_counts
    print(json.dumps({"rows": {table: counts.get(table, 0) for table in TABLES}}))


if __name__ == "__main__":
    main()
