"""The wheel carries everything kportable and rule authors need, and works once installed.

Every module of ``kportable/`` and ``rules/`` (installed as ``kportable_rules``), every schema and
every cloud profile of the source tree must be in the wheel: a new package left out of
``[tool.setuptools] packages`` or a data file left out of ``package-data`` fails here, not on a
user's machine.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from wheel_env import ROOT, clean_env, kportable_venv, kportable_wheel, run

pytestmark = pytest.mark.slow


def expected_files() -> set[str]:
    """Wheel paths of the source files that must ship."""
    out = set()
    for path in (ROOT / "kportable").rglob("*"):
        if path.suffix in (".py", ".typed") and "__pycache__" not in path.parts:
            out.add(path.relative_to(ROOT).as_posix())
    for path in (ROOT / "rules").rglob("*"):
        if path.suffix in (".py", ".typed", ".yaml") and "__pycache__" not in path.parts:
            out.add("kportable_rules/" + path.relative_to(ROOT / "rules").as_posix())
    for path in (ROOT / "schemas").iterdir():
        if path.suffix in (".py", ".json"):
            out.add("kportable/schemas/" + path.name)
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return kportable_wheel(tmp_path_factory)


def test_wheel_carries_every_module_schema_and_profile(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(expected_files() - names)
    assert missing == [], f"not in the wheel: {missing}"
    for required in ("kportable/testing/__init__.py", "kportable/testing/pytest_plugin.py",
                     "kportable/schemas/rule-cases.schema.json", "kportable_rules/plugin.py", "kportable/py.typed"):
        assert required in names
    assert not [n for n in names if n.startswith(("tests/", "fixtures/", "examples/", "docs/"))]


def test_wheel_declares_the_entry_points(wheel):
    with zipfile.ZipFile(wheel) as zf:
        [name] = [n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = zf.read(name).decode()
    assert "[kportable]\ncore = kportable_rules.plugin" in text
    assert "[pytest11]\nkportable = kportable.testing.pytest_plugin" in text
    assert "kportable = kportable.cli:main" in text


def test_installed_wheel_lints_the_demo(tmp_path_factory):
    venv = kportable_venv(tmp_path_factory)
    kportable = str(venv / "bin" / "kportable")
    env = clean_env(venv)
    lint = run([kportable, "lint", str(ROOT / "fixtures" / "demo"), "--select", "KP", "--format", "json"],
               cwd=ROOT, env=env, ok=(1,))
    report = json.loads(lint.stdout)
    assert report["findings"], "the demo has findings: that is its point"
    assert {f["rule_id"][:2] for f in report["findings"]} == {"KP"}
    plugins = run([kportable, "plugins", "--format", "json"], env=env)
    core = next(p for p in json.loads(plugins.stdout)["plugins"] if p["name"] == "core")
    assert core["distribution"] == "kportable"
    from kportable.plugins.manager import get_registry

    assert sorted(core["rules"]) == sorted(r.id for r in get_registry().rules if r.plugin == "core")


def test_installed_wheel_ships_the_testing_harness(tmp_path_factory):
    venv = kportable_venv(tmp_path_factory)
    code = "import kportable.testing as t; print(t.case_schema()['title']); print(t.__file__)"  # no pytest needed
    proc = run([str(venv / "bin" / "python"), "-c", code], cwd=venv, env=clean_env(venv))
    title, location = proc.stdout.splitlines()
    assert title == "kportable rule case file"
    assert str(venv) in location  # the installed copy, not the checkout
