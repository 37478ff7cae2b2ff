"""--notify: URLs refused before any request in one sentence naming the scheme (never the URL), and each open
alert sent once per target, remembered in alerts_sent (an in-memory DuckDB; the notifiers are stand-ins here,
integration_tests/test_answers_notify.py sends through real servers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from local_sync.__main__ import main
from local_sync.answers.alerts import Alert
from local_sync.answers.models import render
from local_sync.notify import deliver as delivery
from local_sync.notify.targets import NotifyError, Target, digest, read

SECRET = "hunter2-token"
EXAMPLES = "json://host/path, mailto://, slack://, or workflows:// for Microsoft Teams"
BUDGET = Alert("budget", "whitepages", "whitepages requests", 84.0, 80.0, "percent", date(2026, 11, 20))
RUNWAY = Alert("runway", "insideview", "insideview Sandbox (a1)", 21.5, 30.0, "days", date(2026, 11, 20))
SOURCE = "the sandbox (seed 42, size small)"


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        (
            f"hooks.example.com/{SECRET}",
            f"A --notify URL cannot be parsed: it has no scheme; write it as SCHEME://... ({EXAMPLES}).",
        ),
        (
            f"{SECRET}_x://host",
            "A --notify URL cannot be parsed: what comes before :// is not a scheme (a letter, then letters, digits, "
            f"+ - or .); write it as SCHEME://... ({EXAMPLES}).",
        ),
        (
            f"nosuch://user:{SECRET}@host/path",
            f"No notifier speaks --notify scheme nosuch://; use one Apprise speaks ({EXAMPLES}; "
            "https://github.com/caronc/apprise/wiki).",
        ),
        (
            f"SLACK://{SECRET}",
            "A --notify URL of scheme slack:// cannot be read: a part it needs is missing or malformed; write it as "
            "Apprise's page for slack:// shows (https://github.com/caronc/apprise/wiki).",
        ),
        (
            f"mailto://user:{SECRET}@127.0.0.1:2525?from=not-an-address",
            "A --notify URL of scheme mailto:// cannot be read: a part it needs is missing or malformed; write it as "
            "Apprise's page for mailto:// shows (https://github.com/caronc/apprise/wiki).",
        ),
    ],
)
def test_a_url_no_notifier_can_use_is_refused_naming_its_scheme_never_the_url(url: str, sentence: str) -> None:
    with pytest.raises(NotifyError) as refused:
        read(["json://127.0.0.1:9/ok", url])

    assert str(refused.value) == sentence
    assert SECRET not in str(refused.value)


def test_the_command_refuses_a_bad_url_before_any_request_and_prints_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "usage.duckdb"

    code = main(["--db", str(db), "--airbyte-dir", str(tmp_path / ".airbyte"), "--notify", f"nosuch://{SECRET}@x"])

    printed = capsys.readouterr()
    assert code == 2
    assert printed.err.startswith("local_sync: No notifier speaks --notify scheme nosuch://;")
    assert SECRET not in printed.out + printed.err
    assert not db.exists(), "refused before the sandbox started or the database opened"


def test_the_urls_default_to_local_sync_notify_separated_by_spaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOCAL_SYNC_NOTIFY", f"json://127.0.0.1:9/a  nosuch://{SECRET}")

    code = main(["--db", str(tmp_path / "usage.duckdb"), "--airbyte-dir", str(tmp_path / ".airbyte")])

    assert code == 2 and "--notify scheme nosuch://" in capsys.readouterr().err


def test_each_url_is_a_target_once_kept_as_a_hash() -> None:
    url = f"json://127.0.0.1:9/hook/{SECRET}"

    targets = read([url, "mailto://127.0.0.1:2525?from=a@example.com&to=b@example.com", f" {url} "])

    assert [(target.number, target.scheme, target.name) for target in targets] == [
        (1, "json", "json target 1"), (2, "mailto", "mailto target 2"),
    ]  # fmt: skip
    assert targets[0].digest == digest(url) and len(targets[0].digest) == 16 and SECRET not in targets[0].digest
    assert SECRET not in repr(targets[0])


class Notifier:
    """Stands in for Apprise's plugin: records each message, answers `answer` (or raises it)."""

    def __init__(self, answer: bool | Exception = True) -> None:
        self.answer = answer
        self.messages: list[tuple[str, str]] = []

    def notify(self, body: str, title: str, **_: object) -> bool:
        self.messages.append((title, body))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _target(number: int, notifier: Notifier) -> Target:
    return Target(number, "json", digest(f"json://host/{number}"), notifier)


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    connection.execute(f"CREATE TABLE alerts_sent AS {render('alerts_sent', 'duckdb', set()).sql}")
    return connection


def _sent(connection: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return connection.execute(
        "SELECT kind, subject, threshold, target, closed_at IS NULL FROM alerts_sent ORDER BY sent_at, kind, threshold"
    ).fetchall()


def test_the_python_columns_are_the_models(connection: duckdb.DuckDBPyConnection) -> None:
    described = connection.execute("DESCRIBE alerts_sent").fetchall()

    assert [name for name, *_ in described] == [*delivery.COLUMNS, "closed_at"]


def test_an_open_alert_is_sent_once_and_again_only_at_a_new_threshold(connection: duckdb.DuckDBPyConnection) -> None:
    notifier = Notifier()
    target = _target(1, notifier)

    first = delivery.deliver(connection, "duckdb", [BUDGET, RUNWAY], [target], SOURCE)
    again = delivery.deliver(connection, "duckdb", [replace(BUDGET, value=92.0), RUNWAY], [target], SOURCE)
    crossed = delivery.deliver(connection, "duckdb", [replace(BUDGET, value=101.0, threshold=100.0), RUNWAY],
                               [target], SOURCE)  # fmt: skip

    assert [(d.new, d.before, d.delivered) for d in (*first, *again, *crossed)] == [(2, 0, True), (0, 2, False),
                                                                                    (1, 1, True)]  # fmt: skip
    assert [title for title, _ in notifier.messages] == [
        f"source-usage: 2 new alert(s) from {SOURCE}", f"source-usage: 1 new alert(s) from {SOURCE}",
    ]  # fmt: skip
    assert notifier.messages[1][1].startswith(
        "- budget: whitepages requests at 101.00 percent (threshold 100.00), first seen 2026-11-20\n"
    )
    assert [row[:3] + row[4:] for row in _sent(connection)] == [
        ("budget", "whitepages requests", 80, False),  # closed when the 100 % alert took its place
        ("runway", "insideview Sandbox (a1)", 30, True),
        ("budget", "whitepages requests", 100, True),
    ]


def test_an_alert_that_closes_and_opens_again_is_sent_again(connection: duckdb.DuckDBPyConnection) -> None:
    notifier = Notifier()
    target = _target(1, notifier)

    delivery.deliver(connection, "duckdb", [RUNWAY], [target], SOURCE)
    delivery.deliver(connection, "duckdb", [], [target], SOURCE)
    reopened = delivery.deliver(connection, "duckdb", [RUNWAY], [target], SOURCE)

    assert len(notifier.messages) == 2 and reopened[0].delivered
    assert [row[4] for row in _sent(connection)] == [False, True]


def test_a_failed_delivery_is_kept_for_the_next_sync_and_never_raises(connection: duckdb.DuckDBPyConnection) -> None:
    down, refusing, up = Notifier(ConnectionError(f"http://host/{SECRET}")), Notifier(False), Notifier()
    targets = [_target(1, down), _target(2, refusing), _target(3, up)]

    first = delivery.deliver(connection, "duckdb", [BUDGET], targets, SOURCE)
    down.answer = refusing.answer = True
    second = delivery.deliver(connection, "duckdb", [BUDGET], targets, SOURCE)

    assert [(d.target.number, d.delivered) for d in first] == [(1, False), (2, False), (3, True)]
    assert first[0].sentence() == "json target 1: NOT DELIVERED (1 new alert(s)); the next sync sends them again."
    assert [(d.target.number, d.new, d.delivered) for d in second] == [(1, 1, True), (2, 1, True), (3, 0, False)]
    assert second[2].sentence() == "json target 3: nothing new (1 open alert(s) sent before)."
    assert len(down.messages) == len(refusing.messages) == 2 and len(up.messages) == 1
    assert sorted(row[3] for row in _sent(connection)) == sorted(target.digest for target in targets)


def test_without_targets_nothing_is_sent_but_closed_alerts_are_closed(connection: duckdb.DuckDBPyConnection) -> None:
    delivery.deliver(connection, "duckdb", [RUNWAY], [_target(1, Notifier())], SOURCE)

    assert delivery.deliver(connection, "duckdb", [], [], SOURCE) == []
    assert [row[4] for row in _sent(connection)] == [False]
