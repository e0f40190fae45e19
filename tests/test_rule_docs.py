"""Meta-tests: every built-in rule has complete docs whose examples run, and a case file.

The docs check is the shipped ``kportable.testing.assert_rule_docs``, the same one third-party
rule packs run; ``kportable_rule`` is parametrized by the pytest plugin over the rules of the
plugins the case files in ``fixtures/rules`` test (here: ``core``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kportable.plugins.manager import get_registry
from kportable.testing import assert_rule_docs, load_cases
from kportable.testing.pytest_plugin import rules_under_test

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
CORE_RULES = [r for r in get_registry().rules if r.plugin == "core"]


def test_registry_loads_without_errors():
    assert [e.message for e in get_registry().errors] == []
    assert len(CORE_RULES) >= 8


def test_rule_docs(kportable_rule):
    assert_rule_docs(kportable_rule)


def test_kportable_rule_covers_every_core_rule():
    """``kportable_rule`` derives its rules from the case files' plugins: no core rule is left out."""
    cases = [case for path in sorted(FIXTURES.glob("*.yml")) for case in load_cases(path)]
    assert rules_under_test(cases, [], get_registry()) == CORE_RULES


@pytest.mark.parametrize("spec", CORE_RULES, ids=[r.id for r in CORE_RULES])
def test_every_rule_has_pass_and_fail_cases(spec):
    path = FIXTURES / f"{spec.id}.yml"
    assert path.is_file(), f"missing case file {path}"
    cases = load_cases(path)
    assert any(c.should_fail for c in cases), f"{spec.id}: no fail case"
    assert any(not c.should_fail for c in cases), f"{spec.id}: no pass case"


def test_every_case_file_names_a_registered_rule():
    ids = {r.id for r in get_registry().rules}
    for path in FIXTURES.glob("*.yml"):
        assert load_cases(path)[0].rule in ids, path
