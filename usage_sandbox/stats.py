"""Counts of the requests served, per vendor, endpoint and status, and of the faults met, per profile and vendor."""

from collections import defaultdict


class Stats:
    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self._faults: defaultdict[tuple[str, str], int] = defaultdict(int)

    def add(self, vendor: str, endpoint: str, status: str) -> None:
        self._counts[(vendor, endpoint, status)] += 1

    def met(self, profile: str, vendor: str) -> None:
        """A fault profile changed what a vendor request got: an error, a stall, a rewritten answer."""
        self._faults[(profile, vendor)] += 1

    def reset(self) -> None:
        self._counts.clear()
        self._faults.clear()

    def snapshot(self) -> dict[str, object]:
        vendors: dict[str, dict[str, dict[str, int]]] = {}
        for (vendor, endpoint, status), count in sorted(self._counts.items()):
            vendors.setdefault(vendor, {}).setdefault(endpoint, {})[status] = count
        faults: dict[str, dict[str, int]] = {}
        for (profile, vendor), count in sorted(self._faults.items()):
            faults.setdefault(profile, {})[vendor] = count
        return {"vendors": vendors, "total": sum(self._counts.values()), "faults": faults}
