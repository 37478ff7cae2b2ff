"""--notify through real servers on loopback (a JSON webhook, an SMTP server): the sandbox's open alerts reach
each target once, a new one when usage crosses a new budget threshold, a target that answered 500 on the next
sync; alerts_sent keeps what was sent, in DuckDB and PostgreSQL, and never the URL's secret."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb

from integration_tests.answers_sync import SECOND_DAY, AnswersSync, local_sync
from integration_tests.notify_servers import smtp_server, webhook
from integration_tests.postgres_server import postgres_url  # noqa: F401 - the session fixture
from local_sync.answers.alerts import Alert, open_alerts
from local_sync.notify.deliver import message

SECRET = "s3cret-webhook-token"
THIRD_DAY = "2026-11-27"  # a week on, the same month: more of the budget used
SOURCE = "the sandbox (seed 42, size small)"
THRESHOLDS = ";".join(str(percent) for percent in range(10, 101, 10))


def _budget_file(folder: Path, db: Path) -> Path:
    """Whitepages' requests budgeted at twice the month's forecast on SECOND_DAY, a threshold every 10 %: a week
    later more of it is used, and a new threshold crossed, with the month still foreseen under it."""
    with duckdb.connect(str(db), read_only=True) as connection:
        (forecast,) = connection.execute(
            "SELECT quantity_forecast FROM usage_forecast WHERE vendor = 'whitepages' AND metric = 'requests'"
        ).fetchone()
    path = folder / "budgets.csv"
    path.write_text(
        "vendor,metric,product,unit,amount,thresholds\n"
        f"whitepages,requests,,Requests,{round(2 * forecast)},{THRESHOLDS}\n"
    )
    return path


def _open(db: Path) -> list[Alert]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return open_alerts(connection)


def _lines(body: str) -> list[str]:
    return [line for line in body.strip().splitlines() if line.startswith("- ")]


def _budget_threshold(alerts: list[Alert]) -> float:
    (budget,) = [alert for alert in alerts if alert.kind == "budget"]
    assert budget.unit == "percent", "the budget is past a threshold, not foreseen over"
    return budget.threshold


def test_each_alert_reaches_each_target_once_and_a_target_that_failed_on_the_next_sync(
    answers_sync: AnswersSync, tmp_path: Path
) -> None:
    db = tmp_path / "usage.duckdb"
    shutil.copy(answers_sync.db, db)
    watched = _budget_file(tmp_path, db)
    runs = []
    with webhook() as hook, smtp_server() as mailbox, webhook(500) as failing:
        urls = [
            hook.url(f"/hook/{SECRET}"),
            mailbox.url("alerts@example.com", "team@example.com"),
            failing.url(f"/down/{SECRET}"),
        ]
        notify = [argument for url in urls for argument in ("--notify", url)]
        for today in (SECOND_DAY, SECOND_DAY, THIRD_DAY):
            run = local_sync(tmp_path, db, "--today", today, "--budgets", str(watched), *notify)
            assert run.returncode == 0, f"a failed delivery never fails the sync\n{run.stdout[-2000:]}{run.stderr}"
            runs.append((run, _open(db)))
    (first, opened), (second, still_open), (third, later) = runs
    title, body = message(opened, SOURCE)
    keys = {(alert.kind, alert.subject, alert.unit, alert.threshold) for alert in opened}
    new = [alert for alert in later if (alert.kind, alert.subject, alert.unit, alert.threshold) not in keys]

    # the first sync: every open alert to the webhook and by mail; the target that answered 500 named, by scheme
    assert opened and still_open == opened
    assert f"json target 1: {len(opened)} new alert(s) sent." in first.stdout
    assert f"mailto target 2: {len(opened)} new alert(s) sent." in first.stdout
    assert f"json target 3: NOT DELIVERED ({len(opened)} new alert(s)); the next sync sends them again." in first.stdout
    assert hook.delivered()[0]["title"] == title and hook.delivered()[0]["message"] == body
    assert len(_lines(body)) == len(opened) and all(alert.subject in body for alert in opened)
    assert mailbox.messages[0]["Subject"] == title and _lines(mailbox.texts()[0]) == _lines(body)
    # the second, the same day: nothing again, and the failed target gets them now
    assert f"json target 1: nothing new ({len(opened)} open alert(s) sent before)." in second.stdout
    assert f"json target 3: {len(opened)} new alert(s) sent." in second.stdout
    assert [status for status, _, _ in failing.received] == [500, 200, 200]  # the third: what is new
    assert failing.delivered()[0]["message"] == body
    # a week on: only what is new, the budget at its next threshold among it
    assert _budget_threshold(later) > _budget_threshold(opened)
    assert any(alert.kind == "budget" for alert in new)
    assert _lines(hook.delivered()[1]["message"]) == _lines(message(new, SOURCE)[1])
    assert _lines(mailbox.texts()[1]) == _lines(message(new, SOURCE)[1])
    assert _lines(failing.delivered()[1]["message"]) == _lines(message(new, SOURCE)[1])
    assert len(hook.delivered()) == len(mailbox.messages) == len(failing.delivered()) == 2
    # what is kept: each target's open alerts, the ones that closed marked so
    with duckdb.connect(str(db), read_only=True) as connection:
        kept = connection.execute(
            "SELECT scheme, count(*) FILTER (WHERE closed_at IS NULL), count(*) FROM alerts_sent GROUP BY target, "
            "scheme ORDER BY scheme"
        ).fetchall()
        stored = connection.execute("SELECT * FROM alerts_sent").fetchall()
    closed = len([alert for alert in opened if (alert.kind, alert.subject, alert.unit, alert.threshold) not in {
        (a.kind, a.subject, a.unit, a.threshold) for a in later}])  # fmt: skip
    assert kept == [(scheme, len(later), len(opened) + len(new)) for scheme in ("json", "json", "mailto")]
    assert closed >= 1, "the budget's lower threshold closed when the higher one opened"
    # the URLs' secret: nowhere
    printed = "".join(run.stdout + run.stderr for run, _ in runs)
    report = (tmp_path / "usage-report.html").read_text()
    logs = "".join(path.read_text(errors="replace") for path in (tmp_path / ".airbyte").rglob("*") if path.is_file())
    assert SECRET not in printed + report + logs + repr(stored)
    assert SECRET.encode() not in db.read_bytes()


def test_alerts_sent_is_kept_in_postgres_and_nothing_is_sent_twice(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
) -> None:
    import psycopg2

    url = f"{postgres_url}?schema=notify"
    with webhook() as hook:
        runs = [
            local_sync(tmp_path, url, "--today", SECOND_DAY, "--start-date", "2026-10-15", "--notify", hook.url("/h"))
            for _ in range(2)
        ]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr
    with psycopg2.connect(postgres_url) as connection, connection.cursor() as cursor:
        cursor.execute("SET search_path TO notify")
        alerts = open_alerts(connection)
        cursor.execute("SELECT kind, subject, unit, threshold, scheme, closed_at FROM alerts_sent")
        kept: list[tuple[Any, ...]] = cursor.fetchall()
    assert alerts, "the example budgets raise alerts in the sandbox"
    assert [body["message"] for body in hook.delivered()] == [message(alerts, SOURCE)[1]]
    assert sorted((kind, subject, unit, float(threshold), scheme, closed) for kind, subject, unit, threshold, scheme,
                  closed in kept) == sorted(
        (alert.kind, alert.subject, alert.unit, alert.threshold, "json", None) for alert in alerts
    )  # fmt: skip
    assert f"json target 1: nothing new ({len(alerts)} open alert(s) sent before)." in runs[1].stdout
