"""The report's notices, first on the page: the open alerts (view usage_alerts) and the credit pools running out."""

from collections.abc import Sequence
from html import escape

from local_sync.answers import alerts as alerting
from local_sync.answers import views as answers


def alerts(alerts: Sequence[alerting.Alert]) -> str:
    """The open alerts (view usage_alerts), first on the page."""
    if not alerts:
        return '<div class="alerts none">No alert open (view usage_alerts).</div>'
    items = "".join(
        f'<li class="alert"><b>{escape(alert.kind)}</b>: {escape(alert.subject)}: {alert.value:,.2f} '
        f"{escape(alert.unit)} (threshold {alert.threshold:,.2f}), since {alert.first_seen}</li>"
        for alert in alerts
    )
    return f'<div class="alerts"><b>{len(alerts)} alert(s) open</b> (view usage_alerts)<ul>{items}</ul></div>'


def warnings(pools: Sequence[answers.Pool]) -> str:
    flagged = [pool for pool in pools if pool.status != "ok"]
    if not flagged:
        return ""
    items = "".join(
        f"<li><b>{escape(pool.vendor)} {escape(pool.account_name or pool.account_id)}</b>: "
        + (
            f"no {escape(pool.unit.lower())} left."
            if pool.status == "exhausted"
            else f"runs out on {pool.runs_out_on}"
            + (f", before its reset on {pool.resets_on}." if pool.resets_on else " (the vendor names no reset day).")
        )
        + "</li>"
        for pool in flagged
    )
    return f'<div class="warnings"><b>Credit pools running out</b><ul>{items}</ul></div>'
