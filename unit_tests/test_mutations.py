"""The mutation check's table stays true to the code: each change applies to exactly one place."""

from pathlib import Path

import pytest

from mutations.__main__ import MUTATIONS, ROOT, Mutation, _all_of_them


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.name for mutation in MUTATIONS])
def test_each_mutation_changes_one_place_of_the_code(mutation: Mutation) -> None:
    assert (ROOT / mutation.path).read_text().count(mutation.old) == 1
    assert mutation.new != mutation.old and mutation.tests


def test_the_unchanged_run_selects_every_mutations_tests_at_once() -> None:
    a = Mutation("a", "", "x", "", "", ("unit_tests/test_leaf.py", "-k", "pages"))
    b = Mutation("b", "", "x", "", "", ("unit_tests/test_leaf.py", "-k", "users"))
    c = Mutation("c", "", "x", "", "", ("integration_tests/test_incremental.py",))

    assert _all_of_them((a, b)) == ("unit_tests/test_leaf.py", "-k", "(pages) or (users)")
    assert _all_of_them((a, c)) == (
        "unit_tests/test_leaf.py",
        "integration_tests/test_incremental.py",
        "-k",
        "(pages) or (test_incremental)",
    )
    assert Path(ROOT / "Makefile").read_text().count("-m mutations") == 1
