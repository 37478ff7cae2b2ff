"""What the summary, the report and the exit code read of usage_alerts: the open alerts, each of one KIND."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from local_sync.answers.views import rows, table_names

# usage_alerts' kinds (docs/answers.md, "Alerts"), in the order the summary lists them
KINDS = ("budget", "runway", "credits_percent", "credits_floor", "credit_reset", "spike", "contract_end")


@dataclass(frozen=True)
class Alert:
    """One row of usage_alerts: `value` against `threshold`, in `unit`, first seen on `first_seen`."""

    kind: str
    vendor: str
    subject: str
    value: float
    threshold: float
    unit: str
    first_seen: date

    def sentence(self) -> str:
        return f"{self.kind}: {self.subject} at {self.value:,.2f} {self.unit} (threshold {self.threshold:,.2f})"


def open_alerts(connection: Any) -> list[Alert]:
    """Every alert usage_alerts holds, by kind (KINDS' order), then vendor and subject."""
    if "usage_alerts" not in table_names(connection):
        return []
    found = [
        Alert(kind, vendor, subject, float(value), float(threshold), unit, first_seen)
        for kind, vendor, subject, value, threshold, unit, first_seen in rows(
            connection, "SELECT kind, vendor, subject, value, threshold, unit, first_seen FROM usage_alerts"
        )
    ]
    return sorted(found, key=lambda alert: (KINDS.index(alert.kind), alert.vendor, alert.subject))
