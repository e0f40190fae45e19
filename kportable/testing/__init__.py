"""Test harness for rules, shipped for plugin authors (and used by kportable's own rules).

A rule's behaviour is pinned in a YAML *case file*, validated by
``kportable/schemas/rule-cases.schema.json``::

    rule: ACME101
    cases:
      image_from_docker_hub:
        fail: |
          apiVersion: v1
          kind: Pod
          ...
        expect:
          - {line: 9, column: 14, message: "not from registry.acme.example"}
      image_from_company_registry:
        pass: |
          ...

``expect`` is the *exact* list of the rule's findings (``line``, and optionally ``column``, a
``message`` fragment, key ``path``, JSON ``pointer``, ``severity``, ``clouds``, ``effect``,
``file``); a ``pass`` case must produce none. Other case keys: ``options`` (the rule's options,
kebab-case), ``targets`` (cloud ids), ``namespace``, ``filename``, ``context`` (manifests indexed
for cross-resource rules but not reported), ``assume`` (``--assume`` names), ``k8s_version``
(``--k8s-version``), ``strict`` (``--strict``) and ``description``.

With the pytest plugin (installed with kportable), a plugin's whole test module is::

    from kportable.testing import assert_case, assert_rule_docs

    def test_rule_cases(kportable_case):
        assert_case(kportable_case)

    def test_rule_docs(kportable_rule):
        assert_rule_docs(kportable_rule)

Every case under the ``kportable_case_dirs`` ini option (default ``fixtures/rules``) becomes one
test, with ids like ``ACME101::image_from_docker_hub``; every rule of the plugins those cases
test (or of the plugins named by ``kportable_rule_plugins``) gets its documentation checked and
its examples run.
"""

from __future__ import annotations

from .assertions import assert_case, compare, describe, lint_text, registered_rule, run_case
from .cases import Case, CaseFileError, Expected, case_schema, cases_from_data, find_case_files, load_cases
from .docs import assert_rule_docs, code_blocks, doc_problems

__all__ = [
    "Case",
    "CaseFileError",
    "Expected",
    "assert_case",
    "assert_rule_docs",
    "case_schema",
    "cases_from_data",
    "code_blocks",
    "compare",
    "describe",
    "doc_problems",
    "find_case_files",
    "lint_text",
    "load_cases",
    "registered_rule",
    "run_case",
]
