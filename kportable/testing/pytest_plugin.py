"""pytest plugin: turns rule case files into tests for any test that takes ``kportable_case``.

Registered through the ``pytest11`` entry point, so it is active wherever kportable is
installed. Configure where case files live with the ini option ``kportable_case_dirs``
(paths relative to the rootdir; default ``fixtures/rules``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import find_case_files, load_cases


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "kportable_case_dirs",
        "Directories (or files) of kportable rule case files, relative to the rootdir.",
        type="linelist",
        default=["fixtures/rules"],
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "kportable_case" not in metafunc.fixturenames:
        return
    root = Path(str(metafunc.config.rootpath))
    dirs = [root / d for d in metafunc.config.getini("kportable_case_dirs")]
    cases = [case for path in find_case_files(dirs) for case in load_cases(path)]
    metafunc.parametrize("kportable_case", cases, ids=[c.id for c in cases])
