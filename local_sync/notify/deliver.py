"""The open alerts each target has not had yet, sent through Apprise, and remembered in alerts_sent (the dbt
package's model): an alert is sent again only when it crosses a new threshold (another key) or opens again after
it closed. A target that cannot be reached gets its alerts on the next sync; the sync itself never fails for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from local_sync.answers.build import execute
from local_sync.answers.seed_tables import literal, values
from local_sync.answers.views import rows, table_names

if TYPE_CHECKING:
    from local_sync.answers.alerts import Alert
    from local_sync.notify.targets import Target

TABLE = "alerts_sent"
KEY = ("kind", "vendor", "subject", "unit", "threshold")  # what makes an alert new, with the target
COLUMNS = {
    "kind": "varchar", "vendor": "varchar", "subject": "varchar", "unit": "varchar", "threshold": "numeric(28,6)",
    "value": "numeric(28,6)", "target": "varchar", "scheme": "varchar", "sent_at": "timestamp",
}  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    """What one target got this sync: `new` alerts it had not had, `delivered` or not, and `before` open alerts
    it had already been sent."""

    target: Target
    new: int
    before: int
    delivered: bool

    def sentence(self) -> str:
        if not self.new:
            return f"{self.target.name}: nothing new ({self.before} open alert(s) sent before)."
        if self.delivered:
            return f"{self.target.name}: {self.new} new alert(s) sent."
        return f"{self.target.name}: NOT DELIVERED ({self.new} new alert(s)); the next sync sends them again."


def key(alert: Alert) -> tuple[str, str, str, str, float]:
    return alert.kind, alert.vendor, alert.subject, alert.unit, round(alert.threshold, 6)


def deliver(
    connection: Any, dialect: str, alerts: Sequence[Alert], targets: Sequence[Target], source: str
) -> list[Delivery]:
    """Closes the sent alerts no longer open, then sends each target, in one message, the open `alerts` it has not
    had (`source` names where the figures come from) and keeps those delivered."""
    if TABLE not in table_names(connection):  # built by local_sync.answers.build with the other models
        return []
    now = datetime.now(UTC).replace(tzinfo=None)
    open_keys = {key(alert) for alert in alerts}
    sent: dict[str, set[tuple[str, str, str, str, float]]] = {}
    closing: list[str] = []
    for *fields, threshold, target in rows(
        connection, f"SELECT {', '.join(KEY)}, target FROM {TABLE} WHERE closed_at IS NULL"
    ):
        kept = (*fields, round(float(threshold), 6))
        if kept in open_keys:
            sent.setdefault(target, set()).add(kept)
        else:
            closing.append(_where(kept, target))
    if closing:
        stamp = literal(now, "timestamp")
        execute(connection, [f"UPDATE {TABLE} SET closed_at = {stamp} WHERE {where}" for where in closing], dialect)
    deliveries = []
    for target in targets:
        had = sent.get(target.digest, set())
        new = [alert for alert in alerts if key(alert) not in had]
        delivered = bool(new) and _send(target, new, source)
        if delivered:
            execute(connection, [_insert(new, target, now)], dialect)
        deliveries.append(Delivery(target, len(new), len(alerts) - len(new), delivered))
    return deliveries


def message(alerts: Sequence[Alert], source: str) -> tuple[str, str]:
    """The title and body of one message of `alerts`."""
    title = f"source-usage: {len(alerts)} new alert(s) from {source}"
    lines = [f"- {alert.sentence()}, first seen {alert.first_seen}" for alert in alerts]
    return title, "\n".join([*lines, "", "Every open alert: view usage_alerts; what was sent: alerts_sent."])


def _send(target: Target, alerts: Sequence[Alert], source: str) -> bool:
    """True when Apprise delivered the message; any failure is a False (retried next sync), never an error."""
    from apprise import NotifyFormat, NotifyType

    title, body = message(alerts, source)
    try:  # plain text: the same lines in a webhook's JSON, a mail and a chat (no markup to mangle an "_")
        return bool(
            target.notifier.notify(
                body=body, title=title, notify_type=NotifyType.WARNING, body_format=NotifyFormat.TEXT
            )
        )
    except Exception:  # a notifier's failure never fails the sync (and its message may hold the URL)
        return False


def _where(kept: tuple[Any, ...], target: str) -> str:
    names, given = (*KEY, "target"), (*kept, target)
    return " AND ".join(f"{name} = {literal(value, COLUMNS[name])}" for name, value in zip(names, given, strict=True))


def _insert(alerts: Sequence[Alert], target: Target, now: datetime) -> str:
    kept = [(*key(alert), alert.value, target.digest, target.scheme, now) for alert in alerts]
    return f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES\n{values(kept, list(COLUMNS.values()))}"
