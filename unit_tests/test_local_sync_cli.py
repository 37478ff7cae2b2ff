"""`python -m local_sync`: its verbs listed by --help, and `sync` when none is given, as `make sync` runs it."""

from pathlib import Path

import pytest
import yaml

from local_sync.__main__ import DEFAULT_DB, VERBS, parse
from local_sync.answers.alerts import KINDS
from local_sync.answers.models import PACKAGE


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


def test_fail_on_takes_kinds_of_alert_and_refuses_others(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse(["--fail-on", "budget, runway"]).fail_on == ("budget", "runway")
    assert parse([]).fail_on == ()
    with pytest.raises(SystemExit) as exited:
        parse(["--fail-on", "budget,credits"])

    assert exited.value.code == 2
    assert (
        "argument --fail-on: not a kind of alert: credits; use one or more of budget, runway, credits_percent, "
        "credits_floor, credit_reset, spike, contract_end" in " ".join(capsys.readouterr().err.split())
    )


def test_the_kinds_of_alert_are_the_ones_the_model_declares() -> None:
    schema = yaml.safe_load((PACKAGE / "models" / "schema.yml").read_text())
    alerts = next(model for model in schema["models"] if model["name"] == "usage_alerts")
    kind = next(column for column in alerts["columns"] if column["name"] == "kind")
    assert tuple(kind["data_tests"][1]["accepted_values"]["arguments"]["values"]) == KINDS
