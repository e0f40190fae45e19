"""A broken plugin is reported by plugin name (and rule id), never hides the built-in findings, exits 3.

Every plugin here is a real distribution: a ``.dist-info`` with ``entry_points.txt`` on a
temporary ``sys.path`` entry, loaded through ``importlib.metadata`` like an installed wheel.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from plugin_dists import make_dist, rule_module

from kportable import PLUGIN_API_VERSION, plugin_api_version
from kportable.cli import main
from kportable.plugins.manager import build_registry, clear_registry_cache

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A directory on ``sys.path`` for throwaway distributions; their modules are forgotten afterwards."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    clear_registry_cache()
    before = set(sys.modules)
    yield root
    for name in set(sys.modules) - before:
        if str(root) in str(getattr(sys.modules[name], "__file__", "") or ""):
            del sys.modules[name]
    clear_registry_cache()


def load():
    importlib.invalidate_caches()
    clear_registry_cache()
    return build_registry()


def errors_of(registry, plugin):
    return [e.message for e in registry.errors if e.plugin == plugin]


def lint(tmp_path):
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(POD, encoding="utf-8")
    importlib.invalidate_caches()
    clear_registry_cache()
    return CliRunner().invoke(main, ["lint", str(manifest), "--no-color"])


# --------------------------------------------------------------------------- import failures


def test_plugin_that_fails_to_import_is_reported_and_core_still_lints(site, tmp_path):
    make_dist(site, "kportable-broken", version="0.3.0", entry_points={"broken": "broken_plugin"},
              files={"broken_plugin.py": "import not_a_module_anywhere\n"})
    registry = load()
    [message] = errors_of(registry, "broken")
    assert "plugin 'broken' (kportable-broken 0.3.0): failed to import broken_plugin" in message
    assert "ModuleNotFoundError" in message
    assert "broken_plugin.py:1" in message
    assert "broken" not in {r.plugin for r in registry.rules}
    assert registry.rule("KP101") is not None
    info = registry.plugin("broken")
    assert info is not None
    assert info.errors

    result = lint(tmp_path)
    assert result.exit_code == 3
    assert "KP102" in result.stdout  # built-in findings are still reported
    assert "plugin 'broken' (kportable-broken 0.3.0): failed to import" in result.stderr


def test_syntax_error_points_at_the_line(site):
    make_dist(site, "kportable-typo", entry_points={"typo": "typo_plugin"},
              files={"typo_plugin.py": "x = 1\ndef oops(:\n"})
    [message] = errors_of(load(), "typo")
    assert "SyntaxError" in message
    assert "typo_plugin.py:2" in message


# --------------------------------------------------------------------------- conflicts


def test_duplicate_rule_id_names_both_plugins_and_keeps_the_first(site):
    make_dist(site, "kportable-alpha", entry_points={"alpha": "alpha_plugin"},
              files={"alpha_plugin.py": rule_module("ALPHA101", "alpha-rule")})
    make_dist(site, "kportable-beta", entry_points={"beta": "beta_plugin"},
              files={"beta_plugin.py": rule_module("ALPHA101", "other-slug")})
    registry = load()
    assert registry.rule("ALPHA101").plugin == "alpha"
    [message] = errors_of(registry, "beta")
    assert "plugin 'beta' (kportable-beta 1.0.0)" in message
    assert "rule ALPHA101 (other-slug) was not loaded" in message
    assert "rule ALPHA101 (alpha-rule) of plugin 'alpha'" in message


def test_duplicate_slug_is_a_clash_too(site):
    make_dist(site, "kportable-alpha", entry_points={"alpha": "alpha_plugin"},
              files={"alpha_plugin.py": rule_module("ALPHA101", "alpha-rule")})
    make_dist(site, "kportable-beta", entry_points={"beta": "beta_plugin"},
              files={"beta_plugin.py": rule_module("BETA101", "alpha-rule")})
    registry = load()
    assert registry.rule("BETA101") is None
    [message] = errors_of(registry, "beta")
    assert "the name 'alpha-rule' is already taken by rule ALPHA101" in message


def test_clash_with_a_builtin_rule_slug_never_displaces_it(site):
    make_dist(site, "kportable-alpha", entry_points={"aaa": "aaa_plugin"},
              files={"aaa_plugin.py": rule_module("ALPHA102", "missing-cpu-request")})
    registry = load()
    assert registry.rule("missing-cpu-request").id == "KP101"
    assert "already taken by rule KP101 (missing-cpu-request) of plugin 'core'" in errors_of(registry, "aaa")[0]


def test_reserved_kp_prefix(site):
    make_dist(site, "kportable-sneaky", entry_points={"sneaky": "sneaky_plugin"},
              files={"sneaky_plugin.py": rule_module("KP999", "sneaky-rule")})
    registry = load()
    assert registry.rule("KP999") is None
    [message] = errors_of(registry, "sneaky")
    assert "rule KP999 (sneaky-rule) was not loaded: the id prefix 'KP' is reserved" in message
    assert "e.g. ACME999" in message


def test_same_entry_point_name_in_two_distributions(site):
    make_dist(site, "kportable-one", entry_points={"dup": "one_plugin"},
              files={"one_plugin.py": rule_module("ONE101", "one-rule")})
    make_dist(site, "kportable-two", entry_points={"dup": "two_plugin"},
              files={"two_plugin.py": rule_module("TWO101", "two-rule")})
    registry = load()
    loaded = [r.id for r in registry.rules if r.plugin == "dup"]
    assert len(loaded) == 1
    [message] = errors_of(registry, "dup")
    assert "the entry-point name 'dup' is already used by kportable-" in message


# --------------------------------------------------------------------------- junk from hooks


def test_hook_returning_junk_is_reported_and_the_good_items_load(site):
    module = rule_module("ALPHA101", "alpha-rule").replace("return [check]", "return [check, 42, 'x']")
    make_dist(site, "kportable-junk", entry_points={"junk": "junk_plugin"}, files={"junk_plugin.py": module})
    registry = load()
    assert registry.rule("ALPHA101") is not None
    messages = errors_of(registry, "junk")
    assert any("hook kportable_rules returned int 42, expected RuleSpec" in m for m in messages)
    assert any("hook kportable_rules returned str 'x', expected RuleSpec" in m for m in messages)


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        ("'ALPHA101'", "hook kportable_rules must return a list or tuple, not str"),
        ("{'id': 'ALPHA101'}", "hook kportable_rules must return a list or tuple, not dict"),
        ("1 / 0", "hook kportable_rules raised ZeroDivisionError: division by zero"),
    ],
)
def test_hook_returning_the_wrong_thing_or_raising(site, returned, expected):
    module = rule_module("ALPHA101", "alpha-rule").replace("return [check]", f"return {returned}")
    make_dist(site, "kportable-junk", entry_points={"junk": "junk_plugin"}, files={"junk_plugin.py": module})
    registry = load()
    [message] = errors_of(registry, "junk")
    assert message.startswith("plugin 'junk' (kportable-junk 1.0.0): " + expected)
    assert registry.rule("KP101") is not None


def test_hand_built_rulespec_with_a_bad_id_is_rejected(site):
    module = rule_module("ALPHA101", "alpha-rule").replace(
        "return [check]", "import dataclasses\n    return [dataclasses.replace(check, id='acme-1')]")
    make_dist(site, "kportable-junk", entry_points={"junk": "junk_plugin"}, files={"junk_plugin.py": module})
    [message] = errors_of(load(), "junk")
    assert "rule id 'acme-1' must be letters then three digits" in message


def test_hook_name_typo_and_unmarked_hook(site):
    typo = rule_module("ALPHA101", "alpha-rule").replace("def kportable_rules", "def kportable_rule")
    unmarked = rule_module("BETA101", "beta-rule").replace("@hookimpl\ndef kportable_rules", "def kportable_rules")
    make_dist(site, "kportable-typo", entry_points={"typo": "typo_plugin", "unmarked": "unmarked_plugin"},
              files={"typo_plugin.py": typo, "unmarked_plugin.py": unmarked})
    registry = load()
    [typo_message] = errors_of(registry, "typo")
    assert "kportable_rule is not a kportable hook (did you mean kportable_rules?)" in typo_message
    [unmarked_message] = errors_of(registry, "unmarked")
    assert "kportable_rules is not marked with @kportable.hookimpl" in unmarked_message


def test_hook_with_arguments_is_rejected(site):
    module = rule_module("ALPHA101", "alpha-rule").replace(
        "def kportable_rules():", "def kportable_rules(config):")
    make_dist(site, "kportable-args", entry_points={"args": "args_plugin"}, files={"args_plugin.py": module})
    registry = load()
    [message] = errors_of(registry, "args")
    assert "is not a valid kportable plugin" in message
    assert "config" in message
    assert registry.rule("ALPHA101") is None


# --------------------------------------------------------------------------- plugin API version


def test_plugin_api_version_is_public():
    assert plugin_api_version == PLUGIN_API_VERSION == 1


@pytest.mark.parametrize(
    ("api", "expected"),
    [
        (2, "was written for plugin API 2, but kportable 0.1.0 provides plugin API 1: upgrade kportable"),
        (0, "was written for plugin API 0, which kportable 0.1.0 no longer supports"),
        ("1", "KPORTABLE_PLUGIN_API must be an integer such as 1, not '1'"),
        (None, "does not declare the plugin API it was written for: add `KPORTABLE_PLUGIN_API = 1` "
               "to module future_plugin"),
    ],
)
def test_incompatible_plugin_api_is_rejected_with_a_clear_message(site, api, expected):
    make_dist(site, "kportable-future", version="2.0.0", entry_points={"future": "future_plugin"},
              files={"future_plugin.py": rule_module("FUT101", "future-rule", api=api)})
    registry = load()
    [message] = errors_of(registry, "future")
    assert message.startswith("plugin 'future' (kportable-future 2.0.0)")
    assert expected in message
    assert registry.rule("FUT101") is None
    assert registry.plugin("future").api == (api if isinstance(api, int) else None)


def test_compatible_plugin_loads_and_lists_what_it_registers(site):
    make_dist(site, "kportable-good", version="1.2.3", entry_points={"good": "good_plugin"},
              files={"good_plugin.py": rule_module("GOOD101", "good-rule")})
    registry = load()
    assert errors_of(registry, "good") == []
    info = registry.plugin("good")
    assert (info.distribution, info.version, info.api, info.rules) == ("kportable-good", "1.2.3", 1, ("GOOD101",))
    assert registry.rule("GOOD101").plugin_version == "1.2.3"


# --------------------------------------------------------------------------- a check that raises


def test_rule_that_raises_is_reported_with_plugin_and_rule_and_core_findings_survive(site, tmp_path):
    make_dist(site, "kportable-crashy", entry_points={"crashy": "crashy_plugin"},
              files={"crashy_plugin.py": rule_module("CRASH101", "crashy-rule", "    raise KeyError('spec')")})
    result = lint(tmp_path)
    assert result.exit_code == 3
    assert "rule CRASH101 of plugin 'crashy' crashed on Pod default/web: KeyError: 'spec'" in result.stderr
    assert "KP102" in result.stdout
    assert "KP101" in result.stdout


def test_crash_in_the_middle_of_a_generator_keeps_earlier_findings(site, tmp_path):
    body = "    yield ctx.finding(res, ('metadata', 'name'), 'first')\n    raise RuntimeError('boom')"
    make_dist(site, "kportable-half", entry_points={"half": "half_plugin"},
              files={"half_plugin.py": rule_module("HALF101", "half-rule", body)})
    result = lint(tmp_path)
    assert result.exit_code == 3
    assert "HALF101" in result.stdout
    assert "rule HALF101 of plugin 'half' crashed" in result.stderr


# --------------------------------------------------------------------------- the commands


def test_plugins_command_lists_errors_and_exits_3(site):
    make_dist(site, "kportable-broken", version="0.3.0", entry_points={"broken": "broken_plugin"},
              files={"broken_plugin.py": "raise RuntimeError('no config')\n"})
    make_dist(site, "kportable-good", version="1.2.3", entry_points={"good": "good_plugin"},
              files={"good_plugin.py": rule_module("GOOD101", "good-rule")})
    importlib.invalidate_caches()
    clear_registry_cache()
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 3
    assert "kportable-good" in result.stdout
    assert "GOOD101" in result.stdout
    assert "error: plugin 'broken' (kportable-broken 0.3.0): failed to import broken_plugin: RuntimeError: no config" \
        in " ".join(result.stdout.split())
    clear_registry_cache()
    as_json = CliRunner().invoke(main, ["plugins", "--format", "json"])
    assert as_json.exit_code == 3
    assert '"name": "broken"' in as_json.stdout


def test_rules_and_explain_show_plugin_rules(site):
    make_dist(site, "kportable-good", version="1.2.3", entry_points={"good": "good_plugin"},
              files={"good_plugin.py": rule_module("GOOD101", "good-rule")})
    importlib.invalidate_caches()
    clear_registry_cache()
    listed = CliRunner().invoke(main, ["rules", "--plugin", "good", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert '"id": "GOOD101"' in listed.stdout
    assert "KP101" not in listed.stdout
    explained = CliRunner().invoke(main, ["explain", "good-rule", "--format", "markdown"])
    assert explained.exit_code == 0
    assert "# GOOD101 `good-rule`" in explained.stdout
    assert "**Plugin:** good (kportable-good 1.2.3)" in explained.stdout


def test_through_a_real_process_with_pythonpath(tmp_path):
    """The same isolation in a separate interpreter, as a user would run it."""
    site = tmp_path / "site"
    make_dist(site, "kportable-crashy", entry_points={"crashy": "crashy_plugin"},
              files={"crashy_plugin.py": rule_module("CRASH101", "crashy-rule", "    raise KeyError('spec')")})
    make_dist(site, "kportable-broken", entry_points={"broken": "broken_plugin"},
              files={"broken_plugin.py": "import not_a_module_anywhere\n"})
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(POD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "kportable", "lint", str(manifest), "--no-color"],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).parent, check=False)
    assert proc.returncode == 3, proc.stderr
    assert "KP102" in proc.stdout
    assert "rule CRASH101 of plugin 'crashy' crashed on Pod default/web" in proc.stderr
    assert "plugin 'broken' (kportable-broken 1.0.0): failed to import broken_plugin" in proc.stderr


def test_plugin_implementing_no_hook_is_reported(site):
    make_dist(site, "kportable-empty", entry_points={"empty": "empty_plugin"},
              files={"empty_plugin.py": "KPORTABLE_PLUGIN_API = 1\n\ndef rules():\n    return []\n"})
    [message] = errors_of(load(), "empty")
    assert "implements no kportable hook (mark them with @kportable.hookimpl)" in message


def test_from_kportable_import_rule_is_the_decorator():
    import kportable.rule  # noqa: F401 - the submodule of the same name must not shadow the export
    from kportable import rule

    assert not isinstance(rule, type(sys))
    assert rule.__module__ == "kportable.rule"
