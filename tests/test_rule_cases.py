"""Every case of every ``fixtures/rules/*.yml`` file, through the shipped harness."""

from kportable.testing import assert_case


def test_rule_cases(kportable_case):
    assert_case(kportable_case)
