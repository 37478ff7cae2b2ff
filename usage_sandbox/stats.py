"""Counts of the requests served, per vendor, endpoint and status."""

from collections import defaultdict


class Stats:
    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)

    def add(self, vendor: str, endpoint: str, status: str) -> None:
        self._counts[(vendor, endpoint, status)] += 1

    def reset(self) -> None:
        self._counts.clear()

    def snapshot(self) -> dict[str, object]:
        vendors: dict[str, dict[str, dict[str, int]]] = {}
        for (vendor, endpoint, status), count in sorted(self._counts.items()):
            vendors.setdefault(vendor, {}).setdefault(endpoint, {})[status] = count
        return {"vendors": vendors, "total": sum(self._counts.values())}
