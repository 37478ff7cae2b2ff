"""After a sync's records and states are committed: the answers rebuilt, the summary printed, the report written;
the same for every database."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local_sync.answers.alerts import Alert
    from local_sync.answers.budgets import Budgets
    from local_sync.answers.rates import RateCard
    from local_sync.answers.views import Pool
    from local_sync.notify.targets import Target

Stats = Callable[[], dict[str, Any] | None]  # the requests the sync made, when the sandbox counted them


@dataclass(frozen=True)
class Answers:
    """What the user gave the answers, each read before any request: the rate card and the budgets (None: keep
    the database's) and the targets new alerts are sent to."""

    card: RateCard | None = None
    budgets: Budgets | None = None
    targets: Sequence[Target] = ()


def summarize(
    connection: Any,
    dialect: str,
    config: dict[str, Any],
    rows: str,
    stats: Stats,
    folder: Path,
    target_name: str,
    read: str,
    started: float,
    given: Answers,
) -> tuple[list[Pool], list[Alert]]:
    """After the records and states are committed: the answers rebuilt, new alerts sent, the summary printed, the
    report written into `folder`; the same for every database. Returns the credit pools and the open alerts."""
    from local_sync.answers import alerts as alerting
    from local_sync.answers import build, money, outlook
    from local_sync.answers import views as answers
    from local_sync.notify import deliver
    from local_sync.report import html as html_report
    from local_sync.report import outlook_text
    from local_sync.report import text as report

    today, lookback = config.get("end_date"), config.get("lookback_days", 3)
    build.refresh(connection, dialect, today=today, lookback_days=lookback, card=given.card, budgets=given.budgets)
    pools = answers.runway(connection)
    sections = [rows, report.requests_section(stats()), report.overview_section(connection)]
    alerts = alerting.open_alerts(connection)
    deliveries = deliver.deliver(connection, dialect, alerts, given.targets, target_name)
    leaf = report.leaf_billing_section(connection)
    costs = money.monthly_costs(connection)  # read once: the summary and the report show it
    statuses = outlook.budget_statuses(connection)  # each read once: the summary and the report show them
    month_ahead = (
        outlook_text.budgets_section(statuses, outlook.example_budgets(connection)),
        outlook_text.forecast_section(outlook.forecasts(connection)),
    )
    sections += [section for section in (leaf, report.costs_section(connection, costs), *month_ahead) if section]
    sections.append(report.runway_section(pools))
    warnings = report.warnings_section(pools)
    sections += [warnings] if warnings else []
    sections += [outlook_text.alerts_section(alerts)]
    sections += [outlook_text.notifications_section(deliveries)] if deliveries else []
    page = html_report.write(connection, folder, target_name, costs, statuses, alerts)
    elapsed = time.monotonic() - started
    print(f"\nSynced {read} read, in {elapsed:.0f} s.\n")
    print("\n\n".join(sections), flush=True)
    print(f"\nReport: {page}", flush=True)
    return pools, alerts
