"""`python -m local_sync`: its verbs listed by --help, and `sync` when none is given, as `make sync` runs it."""

from pathlib import Path

import pytest

from local_sync.__main__ import DEFAULT_DB, VERBS, parse


def test_help_lists_every_verb_with_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(["--help"])

    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert exited.value.code == 0
    for verb, line in VERBS.items():
        assert f"{verb} {line}" in shown, shown


def test_no_verb_is_a_sync_with_the_same_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_SYNC_DB", raising=False)

    alone, with_options = parse([]), parse(["--seed", "7", "--db", "usage.db", "--config", "vendors.json"])

    assert (alone.verb, alone.db, alone.config, alone.seed) == ("sync", DEFAULT_DB, None, 42)
    assert (with_options.verb, with_options.seed, with_options.db) == ("sync", 7, "usage.db")
    assert with_options.config == Path("vendors.json")
    assert parse(["sync", "--seed", "7"]).seed == 7


def test_a_bad_option_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(["--today", "2026-02-30"])

    assert exited.value.code == 2
    assert "argument --today: not a YYYY-MM-DD date: '2026-02-30'" in capsys.readouterr().err
