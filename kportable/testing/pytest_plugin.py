"""pytest plugin: the ``kportable_case`` and ``kportable_rule`` parameters.

Registered through the ``pytest11`` entry point, so it is active wherever kportable is installed
(it imports nothing heavy until a test asks for one of its parameters). Two ini options, paths
relative to the directory of the ini file (``pyproject.toml``, ``pytest.ini``...):

- ``kportable_case_dirs``: directories (or files) of rule case files; default ``fixtures/rules``.
  A test taking ``kportable_case`` runs once per case, with ids like ``ACME101::case_name``.
- ``kportable_rule_plugins``: entry-point names of the plugins whose rules a test taking
  ``kportable_rule`` runs for, with ids like ``ACME101``. Default: the plugins that provide the
  rules named in the case files, so a rule without a case file is still checked.

Finding no case file, or no rule, is an error rather than an empty (skipped) test, so a wrong
path cannot pass silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ..plugins.manager import Registry
    from ..rule import RuleSpec
    from .cases import Case

_CASES = pytest.StashKey["list[Case]"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "kportable_case_dirs",
        "Directories (or files) of kportable rule case files, relative to the ini file.",
        type="linelist",
        default=["fixtures/rules"],
    )
    parser.addini(
        "kportable_rule_plugins",
        "Plugins (entry-point names) whose rules the kportable_rule parameter covers "
        "(default: the plugins of the rules in the case files).",
        type="linelist",
        default=[],
    )


def _base(config: pytest.Config) -> Path:
    return config.inipath.parent if config.inipath is not None else config.rootpath


def _cases(config: pytest.Config) -> list[Case]:
    """Every case of every case file, loaded once per session."""
    if _CASES not in config.stash:
        from .cases import CaseFileError, find_case_files, load_cases

        dirs = [_base(config) / d for d in config.getini("kportable_case_dirs")]
        files = find_case_files(dirs)
        if not files:
            where = ", ".join(str(d) for d in dirs)
            pytest.fail(
                f"kportable: no case files (*.yml) in {where}; set the ini option kportable_case_dirs "
                f"(e.g. in pyproject.toml: [tool.pytest.ini_options] kportable_case_dirs = [\"tests/rules\"])",
                pytrace=False,
            )
        try:
            config.stash[_CASES] = [case for path in files for case in load_cases(path)]
        except CaseFileError as exc:
            pytest.fail(f"kportable: {exc}", pytrace=False)
    return config.stash[_CASES]


def rules_under_test(cases: Sequence[Case], plugins: Sequence[str], registry: Registry) -> list[RuleSpec]:
    """The rules of ``plugins``, or (when empty) of the plugins that provide the rules ``cases`` test.

    Raises ``ValueError`` naming a plugin that is not loaded.
    """
    names = list(plugins) or sorted({spec.plugin for c in cases if (spec := registry.rule(c.rule)) is not None})
    unknown = [p for p in names if registry.plugin(p) is None]
    if unknown:
        loaded = ", ".join(p.name for p in registry.plugins)
        raise ValueError(f"kportable_rule_plugins names {unknown}, but the plugins loaded are: {loaded}")
    return [spec for spec in registry.rules if spec.plugin in names]


def _rules(config: pytest.Config) -> list[RuleSpec]:
    from ..plugins.manager import get_registry

    try:
        rules = rules_under_test(_cases(config), config.getini("kportable_rule_plugins"), get_registry())
    except ValueError as exc:
        pytest.fail(f"kportable: {exc}", pytrace=False)
    if not rules:
        pytest.fail(
            "kportable: no rule to check: none of the rules named in the case files is registered. "
            "Is the plugin installed in this environment (`pip install -e .`)? Run `kportable plugins`.",
            pytrace=False,
        )
    return rules


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "kportable_case" in metafunc.fixturenames:
        cases = _cases(metafunc.config)
        metafunc.parametrize("kportable_case", cases, ids=[c.id for c in cases])
    if "kportable_rule" in metafunc.fixturenames:
        rules = _rules(metafunc.config)
        metafunc.parametrize("kportable_rule", rules, ids=[r.id for r in rules])
