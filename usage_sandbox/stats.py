"""Counts of the requests served, per vendor, endpoint and status, and of the faults met, per profile and vendor."""

from collections import defaultdict


class Stats:
    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self._faults: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._delayed = 0  # answers held in their latency now, and the most held at once
        self._most_delayed = 0

    def add(self, vendor: str, endpoint: str, status: str) -> None:
        self._counts[(vendor, endpoint, status)] += 1

    def met(self, profile: str, vendor: str) -> None:
        """A fault profile changed what a vendor request got: an error, a stall, a rewritten answer."""
        self._faults[(profile, vendor)] += 1

    def delaying(self, started: bool) -> None:
        """An answer entered (True) or left (False) its latency pause."""
        self._delayed += 1 if started else -1
        self._most_delayed = max(self._most_delayed, self._delayed)

    def reset(self) -> None:
        self._counts.clear()
        self._faults.clear()
        self._most_delayed = self._delayed

    def snapshot(self) -> dict[str, object]:
        snapshot: dict[str, object] = {
            "vendors": _nested(self._counts),  # vendor -> endpoint -> status -> count
            "total": sum(self._counts.values()),
            "faults": _nested(self._faults),  # profile -> vendor -> count
        }
        if self._most_delayed:
            snapshot["most_delayed_at_once"] = self._most_delayed
        return snapshot


def _nested(counts: dict[tuple[str, ...], int]) -> dict[str, object]:
    """Counts keyed by tuples as nested objects, one level per part of the key, in sorted order."""
    tree: dict[str, object] = {}
    for (*path, last), count in sorted(counts.items()):
        level = tree
        for part in path:
            level = level.setdefault(part, {})  # type: ignore[assignment]
        level[last] = count
    return tree
