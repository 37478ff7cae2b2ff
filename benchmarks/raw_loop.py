"""The floor of the machine: a plain `requests` loop over the baseline's two endpoints, same windows.

`python -m benchmarks.raw_loop --config CONFIG` reads Leadfeeder usage per account (24-month windows) and
InsideView day usage (92-day windows), paced to each vendor's documented rate, and writes each record as one
JSON line on stdout, the least a connector must do with it.
"""

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import requests

from benchmarks.dlt_load import _day_windows, _month_windows

RATES = {"leadfeeder": 10.0, "insideview": 20.0}


class Paced:
    """A session that never sends faster than `rate` requests per second."""

    def __init__(self, rate: float, headers: dict[str, str]) -> None:
        self.interval, self.next_at = 1.0 / rate, 0.0
        self.session = requests.Session()
        self.session.headers.update(headers)

    def get(self, url: str, params: dict[str, str]) -> Any:
        wait = self.next_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.next_at = max(self.next_at, time.monotonic()) + self.interval
        response = self.session.get(url, params=params, timeout=60)
        response.raise_for_status()
        return response.json()


def leadfeeder_records(config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    block = config["leadfeeder"]
    base = block["base_url"].rstrip("/")
    client = Paced(RATES["leadfeeder"], {"X-Api-Key": block["api_key"]})
    accounts = [account["id"] for account in client.get(f"{base}/v1/accounts", {})["data"]]
    for first, last in _month_windows(config["start_date"], config["end_date"], 24):
        for account in accounts:
            params = {"account_id": account, "start_period": first, "end_period": last}
            yield from client.get(f"{base}/v1/usage", params)["data"]


def insideview_records(config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    block = config["insideview"]
    form = {"clientId": block["client_id"], "clientSecret": block["client_secret"], "grantType": "cred"}
    token = requests.post(block["token_url"], data=form, timeout=60).json()["accessTokenDetails"]["accessToken"]
    client = Paced(RATES["insideview"], {"accessToken": token, "Accept": "application/json"})
    url = f"{block['base_url'].rstrip('/')}/api/v1/admin/usage"
    for first, last in _day_windows(config["start_date"], config["end_date"], 92):
        yield from client.get(url, {"period": "day", "start": first, "end": last})["usageForAccount"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.raw_loop")
    parser.add_argument("--config", type=Path, required=True)
    config = json.loads(parser.parse_args().config.read_text())
    out = sys.stdout
    for stream, records in (
        ("api_usage", leadfeeder_records(config)),
        ("api_transactions", insideview_records(config)),
    ):
        for record in records:
            out.write(json.dumps({"stream": stream, "data": record}) + "\n")


if __name__ == "__main__":
    main()
