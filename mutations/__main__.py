"""`make mutate`: breaks a few behaviours on purpose and checks that the tests meant to hold them fail.

Each mutation is one small, named change to a copy of the project (never to this checkout), followed by the
tests that should catch it. The check fails when a mutation's text is no longer in the code (the table has gone
stale), when those tests fail before any mutation, or when a mutation leaves them passing: then the suite holds
less than it says. A test run that cannot start (exit status other than 0 or 1) counts as a failure too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS_FAILED = 1  # pytest's exit status when tests ran and some failed
SIDE_BY_SIDE = 4  # pytest runs at once, on 2 cores


@dataclass(frozen=True)
class Mutation:
    name: str
    breaks: str  # the behaviour the change takes away
    path: str  # the file changed, from the project's root
    old: str  # text found exactly once in it ...
    new: str  # ... and what replaces it
    tests: tuple[str, ...]  # pytest arguments: the tests that must fail


MUTATIONS = (
    Mutation(
        "second-page-dropped",
        "a Leaf list stops after its first page",
        "source_usage/components.py",
        "        return _whole_list(self.vendor, response, read, next_page, total)",
        "        return None",
        ("unit_tests/test_leaf.py", "-k", "pages_by_100"),
    ),
    Mutation(
        "no-state",
        "`source-usage read` prints no STATE message",
        "source_usage/run.py",
        '                print(f"{message}\\n", end="")',
        '                print("" if \'"type":"STATE"\' in message else f"{message}\\n", end="")',
        ("integration_tests/test_incremental.py", "-k", "exactly_the_lookback_days"),
    ),
    Mutation(
        "error-message-swallowed",
        "a server error given up on says what the CDK says, not the vendor, the URL and the fix",
        "source_usage/manifest.yaml",
        '      error_message: "{{ parameters.vendor }} kept failing with a server error at {{ request_url }}; retry'
        ' the sync later."\n',
        "",
        ("unit_tests/test_documented_errors.py", "-k", "server-error"),
    ),
    Mutation(
        "no-lookback",
        "an incremental sync of days no longer re-reads the last `lookback_days`",
        "source_usage/manifest.yaml",
        "    lookback_window: \"P{{ (config.get('lookback_days', 3) | int) + 1 }}D\"",
        '    lookback_window: "P0D"',
        ("unit_tests/test_whitepages.py", "-k", "starts_lookback_plus_one_days_before_state"),
    ),
    Mutation(
        "short-list-accepted",
        "a list that ends short of the total it states passes as whole",
        "source_usage/components.py",
        "    if next_page is None and total is not None and read < total:",
        "    if False:",
        ("unit_tests/test_leadfeeder.py", "-k", "shorter_than_its_total"),
    ),
    Mutation(
        "refused-window-kept",
        "a date window the vendor refuses as too long fails the stream instead of being halved",
        "source_usage/cdk_seams.py",
        "        if response is not None and response.status_code == 400:",
        "        if False:",
        ("unit_tests/test_leadfeeder.py", "-k", "halves_a_refused_range"),
    ),
    Mutation(
        "leaf-provider-token-kept",
        "a Leaf user's provider credentials (tokens, secrets) stay in the record",
        "source_usage/record_rules.py",
        "    dropped = {key: value.pop(key) for key in found}",
        "    dropped = {key: value[key] for key in found}",
        ("unit_tests/test_components.py", "-k", "connected_providers"),
    ),
    Mutation(
        "leaf-user-fields-unlisted",
        "a Leaf user's fields outside the schema (a grower's phone, address) reach the destination",
        "source_usage/record_rules.py",
        "        for key in [key for key in record if snake_key(str(key)) not in self._kept]:",
        "        for key in []:",
        ("unit_tests/test_leaf.py", "-k", "leaf_users"),
    ),
    Mutation(
        "leaf-product-dropped",
        "Leaf consumption records no longer carry their contract's product",
        "source_usage/record_rules.py",
        "            record[name] = extra.get(name)",
        "            record[name] = None",
        ("unit_tests/test_leaf.py", "-k", "product"),
    ),
    Mutation(
        "revisable-days-as-final",
        "days the vendor may still revise are taken as complete in the month-end forecast",
        "dbt/models/forecast_days.sql",
        "           cast({{ dbt.dateadd('day', -(var('lookback_days', 3) + 1), 'as_of') }} as date)"
        " as last_complete_day",
        "           as_of as last_complete_day",
        ("integration_tests/test_answers_forecast.py", "-k", "gap_and_revisable and duckdb"),
    ),
    Mutation(
        "budget-threshold-ignored",
        "a budget's thresholds are never reported crossed",
        "dbt/models/budget_status.sql",
        "      and totals.to_date * 100 >= totals.amount * cast(thresholds.threshold_text as {{ number }})",
        "      and 1 = 0",
        ("integration_tests/test_answers_budgets.py", "-k", "foreseen_over_names_the_day and duckdb"),
    ),
    Mutation(
        "gauge-summed",
        "a total to date is added up over the days of a month",
        "dbt/models/usage_monthly.sql",
        "sum(case when x_MetricKind <> 'gauge' or latest_first = 1 then ConsumedQuantity end)",
        "sum(ConsumedQuantity)",
        ("integration_tests/test_answers_leaf.py", "-k", "gauge"),
    ),
    Mutation(
        "alert-sent-again",
        "an alert already sent is sent again on every sync",
        "local_sync/notify/deliver.py",
        "        had = sent.get(target.digest, set())",
        "        had = set()",
        ("unit_tests/test_notify.py", "-k", "sent_once"),
    ),
)


def _copy_of_the_project(target: Path) -> None:
    """The files git knows or would add (no venv, caches or databases), as they are in this checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source, copied = ROOT / name, target / name
        copied.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # source_usage/schemas, for one
            copied.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, copied)


def _pytest(copy: Path, arguments: tuple[str, ...], show: bool = False) -> int:
    # a temporary folder of the copy's own: pytest's default one is shared by the runs side by side
    command = [sys.executable, "-m", "pytest", "-q", "-x", f"--basetemp={copy / '.pytest-tmp'}", *arguments]
    # the copy's packages before the editable install's (whose finder comes after sys.path), also in subprocesses
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(copy), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    if show and done.returncode != 0:
        print(done.stdout[-3000:] + done.stderr[-3000:])
    return done.returncode


@dataclass(frozen=True)
class Outcome:
    status: int  # pytest's exit status
    seconds: float


def _run_in_a_copy(folder: Path, mutation: Mutation | None, arguments: tuple[str, ...]) -> Outcome:
    """`arguments`' tests in a copy of the project of its own, with `mutation` applied (None: unchanged)."""
    copy = Path(tempfile.mkdtemp(prefix=mutation.name if mutation else "unchanged", dir=folder))
    _copy_of_the_project(copy)
    if mutation is not None:
        path = copy / mutation.path
        path.write_text(path.read_text().replace(mutation.old, mutation.new))
    started = time.monotonic()
    status = _pytest(copy, arguments, show=mutation is None)
    return Outcome(status, time.monotonic() - started)


def main() -> int:
    problems = []
    for mutation in MUTATIONS:
        found = (ROOT / mutation.path).read_text().count(mutation.old)
        if found != 1:
            problems.append(f"{mutation.name}: its text occurs {found} times in {mutation.path}; update the table")
    if problems:
        print("\n".join(problems))
        return 1
    # each mutation and the unchanged run in a copy of its own, side by side: most of their time is the start of
    # a Python and the sandbox's waits, which the others fill (measured 2026-12-06: 69 s one after the other)
    with tempfile.TemporaryDirectory(prefix="source-usage-mutate-") as folder:
        with ThreadPoolExecutor(max_workers=SIDE_BY_SIDE) as pool:
            unchanged = pool.submit(_run_in_a_copy, Path(folder), None, _all_of_them(MUTATIONS))
            runs = [pool.submit(_run_in_a_copy, Path(folder), mutation, mutation.tests) for mutation in MUTATIONS]
            outcomes = [run.result() for run in runs]
            before = unchanged.result()
    if before.status != 0:
        print(f"the mutations' tests do not pass on the unchanged code (pytest exit {before.status}); fix them first")
        return 1
    print(f"unchanged: the tests pass ({before.seconds:.0f} s)")
    for mutation, outcome in zip(MUTATIONS, outcomes, strict=True):
        verdict = {TESTS_FAILED: "caught", 0: "NOT CAUGHT"}.get(outcome.status, f"broke pytest ({outcome.status})")
        print(f"{mutation.name}: {verdict} in {outcome.seconds:.0f} s ({mutation.breaks})")
        if outcome.status != TESTS_FAILED:
            problems.append(mutation.name)
    if problems:
        print(f"{len(problems)} of {len(MUTATIONS)} mutations were not caught: {', '.join(problems)}")
        return 1
    print(f"all {len(MUTATIONS)} mutations caught")
    return 0


def _all_of_them(mutations: tuple[Mutation, ...]) -> tuple[str, ...]:
    """One pytest run of every mutation's tests: their files, and their `-k` selections joined with `or`."""
    files: dict[str, None] = {}
    selections = []
    for mutation in mutations:
        arguments = list(mutation.tests)
        if "-k" in arguments:
            at = arguments.index("-k")
            selections.append(f"({arguments[at + 1]})")
            del arguments[at : at + 2]
        else:  # every test of its files: -k matches a test's module name too
            selections.append(f"({' or '.join(Path(name).stem for name in arguments)})")
        files.update(dict.fromkeys(arguments))
    return (*files, "-k", " or ".join(selections))


if __name__ == "__main__":
    sys.exit(main())
