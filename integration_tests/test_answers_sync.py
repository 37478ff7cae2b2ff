"""make sync's answers over the sandbox: balances kept across syncs, the warning section, --fail-within, the example
rate card and budgets, and files that cannot be used refused before any request."""

import shutil
from pathlib import Path

import duckdb

from integration_tests.answers_sync import FAR, NEAR, SECOND_DAY, AnswersSync, local_sync
from local_sync.answers import budgets, outlook, rates


def test_every_sync_keeps_its_balances(answers_sync: AnswersSync) -> None:
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        kept = connection.execute(
            "SELECT vendor, account_id, count(*), count(DISTINCT observed_at) FROM credit_balances GROUP BY ALL"
        ).fetchall()
        pools = connection.execute("SELECT vendor, account_id FROM credit_runway").fetchall()
    # the sandbox's 3 Leadfeeder accounts and its InsideView account, each read by both syncs
    assert sorted((vendor, n, distinct) for vendor, _, n, distinct in kept) == [
        ("insideview", 2, 2), ("leadfeeder", 2, 2), ("leadfeeder", 2, 2), ("leadfeeder", 2, 2),
    ]  # fmt: skip
    assert sorted(pools) == sorted((vendor, account) for vendor, account, _, _ in kept)


def test_sync_warns_of_each_pool_running_out_before_its_reset(answers_sync: AnswersSync) -> None:
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        flagged = connection.execute(
            "SELECT vendor, account_id, runs_out_on, as_of FROM credit_runway WHERE status <> 'ok'"
        ).fetchall()
    assert flagged, "the sandbox's InsideView pool has no reset day, so any exhaustion comes first"
    output = answers_sync.second.stdout
    warnings = output.split("WARNING: credit pools running out:", 1)[1].split("\n\n", 1)[0]
    for vendor, account_id, runs_out_on, as_of in flagged:
        assert str(as_of) == SECOND_DAY
        assert f"({account_id}): runs out on {runs_out_on}" in warnings and vendor in warnings


def test_fail_within_exits_3_naming_the_pools_that_run_out_within_the_days(answers_sync: AnswersSync) -> None:
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        near = connection.execute(
            f"SELECT vendor, runs_out_on FROM credit_runway WHERE runs_out_on - as_of <= {NEAR}"
        ).fetchall()
    assert answers_sync.first.returncode == 0, f"no pool runs out within {FAR} days"
    assert near and answers_sync.second.returncode == 3
    assert f"run out within {NEAR} days" in answers_sync.second.stderr
    for vendor, runs_out_on in near:
        assert f"{vendor} " in answers_sync.second.stderr and f"on {runs_out_on}" in answers_sync.second.stderr
    assert (answers_sync.db.parent / "usage-report.html").exists()


def test_the_sync_keeps_the_example_rate_card_the_sandbox_is_priced_with(answers_sync: AnswersSync) -> None:
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        kept = connection.execute("SELECT vendor, metric, sku, unit_price, billed FROM rate_card").fetchall()
    example = rates.read(rates.EXAMPLE)
    assert sorted(kept, key=repr) == sorted(
        ((rate.vendor, rate.metric, rate.sku, rate.unit_price, rate.billed) for rate in example.rates), key=repr
    )


def test_a_rate_card_that_cannot_price_stops_the_sync_before_any_request(tmp_path: Path) -> None:
    card = tmp_path / "rates.csv"
    card.write_text(rates.EXAMPLE.read_text().replace("0.010,USD", "-0.010,USD"))
    run = local_sync(tmp_path, tmp_path / "usage.duckdb", "--rates", str(card))
    line = next(n for n, text in enumerate(card.read_text().splitlines(), 1) if "-0.010" in text)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        f"local_sync: The rate card {card}, line {line}: unit_price -0.010 is negative; a price is 0 or more.\n"
    )
    assert not (tmp_path / "usage.duckdb").exists()


def test_the_sync_keeps_the_example_budgets_and_lists_those_at_risk_first(answers_sync: AnswersSync) -> None:
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        kept = connection.execute("SELECT vendor, metric, product, unit, amount FROM budgets").fetchall()
        statuses = dict(
            connection.execute(
                "SELECT vendor || ' ' || metric || coalesce(' of ' || product, ''), status FROM budget_status"
            ).fetchall()
        )
    example = budgets.read(budgets.EXAMPLE, rates.read(rates.EXAMPLE))
    assert sorted(kept, key=repr) == sorted((b.vendor, b.metric, b.product, b.unit, b.amount) for b in example.budgets)
    summary = answers_sync.second.stdout
    section = summary[summary.index("Budgets for 2026-11 (view budget_status, as of 2026-11-20") :].split("\n\n")[0]
    lines = [line for line in section.splitlines()[2:] if not line.startswith("  (")]
    listed = [next(subject for subject in statuses if f"  {subject}  " in line) for line in lines]
    assert sorted(listed) == sorted(statuses)
    ranks = [outlook.STATUSES.index(statuses[subject]) for subject in listed]
    assert ranks == sorted(ranks) and ranks[0] < outlook.STATUSES.index("on track")
    assert "EXAMPLE budgets" in section
    assert "Month-end forecast for 2026-11" in summary


def test_a_budget_that_cannot_be_watched_stops_the_sync_before_any_request(tmp_path: Path) -> None:
    watched = tmp_path / "budgets.yaml"
    watched.write_text("budgets:\n  - vendor: whitepages\n    metric: cost\n    unit: EUR\n    amount: 10\n")
    run = local_sync(tmp_path, tmp_path / "usage.duckdb", "--budgets", str(watched))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        f"local_sync: The budgets file {watched}, line 2: the budget is in EUR but the rate card {rates.EXAMPLE} "
        "prices in USD; budget in USD.\n"
    )
    assert not (tmp_path / "usage.duckdb").exists()


def test_fail_on_exits_3_naming_each_open_alert_of_its_kinds(answers_sync: AnswersSync, tmp_path: Path) -> None:
    with duckdb.connect(str(answers_sync.db), read_only=True) as connection:
        budgets_open = connection.execute("SELECT subject FROM usage_alerts WHERE kind = 'budget'").fetchall()
    assert budgets_open, "the example budgets raise alerts in the sandbox"
    # the same sandbox sync again: nothing new, the same alerts
    db = tmp_path / "usage.duckdb"
    shutil.copy(answers_sync.db, db)
    on_budget = local_sync(tmp_path, db, "--today", SECOND_DAY, "--fail-on", "budget")
    on_contracts = local_sync(tmp_path, db, "--today", SECOND_DAY, "--fail-on", "contract_end")
    assert on_budget.returncode == 3 and on_contracts.returncode == 0, on_budget.stderr + on_contracts.stderr
    assert f"{len(budgets_open)} alert(s) of budget open: " in on_budget.stderr
    assert all(f"budget: {subject} at " in on_budget.stderr for (subject,) in budgets_open)
    assert f"ALERTS (view usage_alerts): {len(budgets_open)} open:" in on_budget.stdout
