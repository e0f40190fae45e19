from kportable.testing import assert_case, assert_rule_docs


def test_rule_cases(kportable_case):
    assert_case(kportable_case)


def test_rule_docs(kportable_rule):
    assert_rule_docs(kportable_rule)
