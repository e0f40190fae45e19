"""``kportable rules``, ``explain`` and ``plugins``: what rule authors and users read."""

from __future__ import annotations

import json
import sys
import textwrap
import types

import pytest
from click.testing import CliRunner

from kportable.api import RunOptions, select_rules
from kportable.cli import main
from kportable.errors import UserError
from kportable.plugins.manager import build_registry, get_registry
from kportable.report.catalog import explain_markdown, rule_options

WITH_OPTIONS = '''
from dataclasses import dataclass
from kportable import Severity, Target, hookimpl, rule

@dataclass(frozen=True, slots=True)
class Opts:
    registries: tuple[str, ...] = ("registry.example",)
    max_replicas: int = 3

@rule("OPT101", "options-rule", Severity.MAJOR, target=Target.RESOURCE, kinds={"Pod"}, options=Opts,
      aliases=("old-options-rule",))
def check(res, ctx):
    """
    ## What it does
    Reports nothing.

    ## Why is this bad?
    It is not.

    ## Example
    ```yaml
    kind: Pod
    ```

    ## Use instead
    ```yaml
    kind: Pod
    ```

    ## Options
    - `registries`: where images may come from.
    - `max-replicas`: how many replicas.
    """
    return iter(())

@hookimpl
def kportable_rules():
    return [check]
'''


@pytest.fixture(scope="module")
def options_plugin():
    module = types.ModuleType("catalog_options_plugin")
    sys.modules[module.__name__] = module
    exec(compile(textwrap.dedent(WITH_OPTIONS), module.__name__, "exec"), module.__dict__)
    return module


def invoke(*args):
    return CliRunner().invoke(main, list(args))


CORE = [r.id for r in get_registry().rules if r.plugin == "core"]


def test_rules_table_lists_every_rule_with_its_columns():
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[1]
    for column in ("id", "slug", "severity", "clouds", "plugin", "enabled", "summary"):
        assert column in header
    for rule_id in CORE:
        assert rule_id in result.stdout


def test_rules_enabled_column_follows_select_and_ignore():
    data = json.loads(invoke("rules", "--format", "json", "--select", "KP10,KP25", "--ignore", "KP103").stdout)
    enabled = {r["id"]: r["enabled"] for r in data}
    assert enabled["KP101"] is True
    assert enabled["KP102"] is True
    assert enabled["KP103"] is False  # ignored
    assert enabled["KP253"] is False  # off by default: a prefix does not turn it on
    assert enabled["KP001"] is False  # not selected
    default = {r["id"]: (r["enabled"], r["on_by_default"]) for r in json.loads(invoke("rules", "-f", "json").stdout)}
    assert default["KP253"] == (False, False)
    assert default["KP101"] == (True, True)


def test_rules_rejects_unknown_plugin_and_selector():
    result = invoke("rules", "--plugin", "nope")
    assert result.exit_code == 2
    assert "no plugin named nope; loaded: core" in result.stderr
    assert invoke("rules", "--select", "ZZ9").exit_code == 2


def test_explain_renders_the_page_and_accepts_any_case():
    result = invoke("explain", "kp101")
    assert result.exit_code == 0
    text = result.stdout
    for part in ("KP101 missing-cpu-request", "Severity: minor", "Plugin: core (kportable", "What it does",
                 "Why is this bad?", "Example", "Use instead", "apiVersion: apps/v1"):
        assert part in text, part


def test_explain_unknown_rule_suggests_close_names():
    result = invoke("explain", "missing-cpu-requests")
    assert result.exit_code == 2
    assert "did you mean missing-cpu-request" in result.stderr


def test_explain_lists_options_with_types_and_defaults(options_plugin):
    registry = build_registry([options_plugin])
    spec = registry.rule("old-options-rule")
    assert spec is not None
    assert spec.id == "OPT101"
    assert [(o.name, o.default) for o in rule_options(spec)] == [("registries", ["registry.example"]),
                                                                  ("max-replicas", 3)]
    page = explain_markdown(spec, registry)
    assert "- **Aliases:** old-options-rule" in page
    assert "| `registries` | `tuple[str, ...]` | `[\"registry.example\"]` |" in page
    assert "| `max-replicas` | `int` | `3` |" in page
    assert page.index("| option | type | default |") > page.index("## Options")


def test_select_accepts_a_whole_id_prefix(options_plugin):
    registry = build_registry([options_plugin])
    chosen = [a.spec.id for a in select_rules(registry, RunOptions(select=("OPT",)))]
    assert chosen == ["OPT101"]
    with pytest.raises(UserError):
        select_rules(registry, RunOptions(select=("OP",)))


def test_plugins_lists_core_with_its_api_version():
    result = invoke("plugins", "--format", "json")
    assert result.exit_code == 0
    core = next(p for p in json.loads(result.stdout)["plugins"] if p["name"] == "core")
    assert core["api"] == 1
    assert {"text", "json"} <= set(core["formats"])
    assert sorted(core["rules"]) == sorted(CORE)
