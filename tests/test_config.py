"""Configuration files: discovery, validation with file and line, precedence, ``kportable init``."""

from __future__ import annotations

import dataclasses
import types
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kportable.cli import main
from kportable.config import (
    STARTER,
    Overrides,
    build_run_options,
    check_config,
    find_config,
    load_config,
    parse_toml_config,
    parse_yaml_config,
)
from kportable.errors import ConfigError
from kportable.findings import Severity
from kportable.plugins.hookspecs import hookimpl
from kportable.plugins.manager import build_registry, get_registry
from kportable.rule import Target, rule

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
  - name: api
    image: nginx:1.27
"""


def errors_of(text: str, *, toml: bool = False) -> str:
    try:
        config = parse_toml_config(text, "pyproject.toml") if toml else parse_yaml_config(text, ".kportable.yaml")
        check_config(config, get_registry())
    except ConfigError as exc:
        return str(exc)
    raise AssertionError("the configuration was accepted")


# --------------------------------------------------------------------------- discovery


def test_discovery_walks_up_to_the_repository_root(tmp_path):
    (tmp_path / ".kportable.yaml").write_text("fail-on: major\n")  # outside the repository: never used
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    deep = repo / "deploy" / "k8s"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(deep) is None  # a pyproject without [tool.kportable] does not count
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.kportable]\nfail-on = 'major'\n")
    assert find_config(deep) == repo / "pyproject.toml"
    (repo / ".kportable.yaml").write_text("fail-on: info\n")
    assert find_config(deep) == repo / ".kportable.yaml"  # beats pyproject.toml in the same directory
    (repo / "deploy" / ".kportable.yml").write_text("fail-on: blocker\n")
    assert find_config(deep) == repo / "deploy" / ".kportable.yml"  # the nearest wins


# --------------------------------------------------------------------------- schema errors, with lines


def test_schema_errors_name_file_line_and_problem():
    text = """\
select: [KP1]
fial-on: major
rules:
  KP101:
    severity: critical
exemptions:
  - rule: KP101
    kind: Deployment
  - rule: KP102
    reason: "  "
    expires: next week
min-score: 101
"""
    message = errors_of(text)
    assert message.splitlines() == [
        "invalid configuration .kportable.yaml:",
        "  .kportable.yaml:2:1: unknown key 'fial-on' (did you mean 'fail-on'?)",
        "  .kportable.yaml:5:5: rules.KP101.severity: 'critical' is not one of ['blocker', 'major', 'minor', 'info']",
        "  .kportable.yaml:7:5: exemptions.0: 'reason' is a required property",
        "  .kportable.yaml:10:5: exemptions.1.reason: must not be empty",
        "  .kportable.yaml:11:5: exemptions.1.expires: 'next week' does not match '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'",
        "  .kportable.yaml:12:1: min-score: 101 is greater than the maximum of 100",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("select: [KP1\n", ".kportable.yaml:2:1: YAML syntax error"),
    ("fail-on: major\nfail-on: minor\n", ".kportable.yaml:2:1: duplicate key 'fail-on'"),
    ("- KP101\n", ".kportable.yaml:1:1: the config must be a mapping of settings, not a list"),
    ("fail-on: major\n---\nfail-on: minor\n", ".kportable.yaml:3:1: a config file holds one YAML document"),
    ("exemptions:\n  - {rule: KP101, reason: x, expires: 2025-02-30}\n", "2025-02-30' is not a date"),
])
def test_yaml_problems_are_config_errors(text, message):
    assert message in errors_of(text)


def test_empty_file_is_an_empty_config():
    assert parse_yaml_config("# nothing yet\n").select is None


def test_toml_errors_point_at_lines():
    text = """\
[project]
name = "x"

[tool.kportable]
fail-on = "major"
ignore = ["KP104"]

[tool.kportable.rules.KP101]
severity = "loud"

[[tool.kportable.exemptions]]
rule = "KP101"
reason = "a"

[[tool.kportable.exemptions]]
rule = "KP102"
reasn = "b"
"""
    assert errors_of(text, toml=True).splitlines() == [
        "invalid configuration pyproject.toml:",
        "  pyproject.toml:9:1: rules.KP101.severity: 'loud' is not one of ['blocker', 'major', 'minor', 'info']",
        "  pyproject.toml:15:1: exemptions.1: 'reason' is a required property",
        "  pyproject.toml:17:1: unknown key 'reasn' (did you mean 'reason'?)",
    ]
    assert "pyproject.toml:2:" in errors_of("[tool.kportable]\nfail-on = \n", toml=True)


def test_toml_dates_and_values_load():
    config = parse_toml_config(
        '[tool.kportable]\nmin-score = {eks = 80}\n[[tool.kportable.exemptions]]\nrule = ["KP101"]\n'
        'reason = "r"\nexpires = 2027-01-31\nlabels = {team = "pay*"}\n')
    (ex,) = config.exemptions
    assert ex.expires == date(2027, 1, 31)
    assert ex.labels == {"team": "pay*"}
    assert ex.line == 3
    assert config.min_score == {"eks": 80}


# --------------------------------------------------------------------------- checks against the registry


def test_unknown_names_are_reported_at_their_lines():
    text = """\
select: [KP1, KP9]
ignore: [missing-cpu-requests]
targets: [mars]
min-score: {venus: 50}
rules:
  KP777: {severity: info}
  missing-memory-limit:
    options: {max: 3}
exemptions:
  - rule: [KP101, nope]
    reason: x
"""
    assert errors_of(text).splitlines() == [
        "invalid configuration .kportable.yaml:",
        "  .kportable.yaml:1:15: select: no rule matches 'KP9' (did you mean 'KP009'?)",
        "  .kportable.yaml:2:10: ignore: no rule matches 'missing-cpu-requests' (did you mean 'missing-cpu-request'?)",
        "  .kportable.yaml:3:11: unknown target 'mars'; known: aks, eks, gke, portable",
        "  .kportable.yaml:4:13: min-score: unknown target 'venus'; known: aks, eks, gke, portable",
        "  .kportable.yaml:6:3: rules: unknown rule 'KP777'; see `kportable rules`",
        "  .kportable.yaml:8:15: rule KP103 (missing-memory-limit) has no option 'max'; options: none",
        "  .kportable.yaml:10:5: exemption names unknown rule 'nope'; see `kportable rules`",
    ]


def _options_plugin():
    @dataclasses.dataclass(frozen=True, slots=True)
    class PathOptions:
        allowed_paths: tuple[str, ...] = ()
        max_volumes: int = 3

    @rule("TST201", "test-host-path", Severity.MAJOR, target=Target.WORKLOAD, options=PathOptions)
    def test_host_path(w, ctx):
        """## What it does\nA rule with options, for config tests.\n"""
        return iter(())

    @hookimpl
    def kportable_rules():
        return [test_host_path]

    return types.SimpleNamespace(__name__="options-plugin", kportable_rules=kportable_rules)


def test_rule_options_are_validated_into_the_options_dataclass():
    registry = build_registry((_options_plugin(),))
    good = parse_yaml_config("rules:\n  test-host-path:\n    options: {allowed-paths: [/var/log], max-volumes: 5}\n")
    check_config(good, registry)
    assert good.rule_options == {"test-host-path": {"allowed-paths": ["/var/log"], "max-volumes": 5}}
    bad = parse_yaml_config("rules:\n  TST201:\n    severity: info\n    options:\n      max-volumes: many\n")
    with pytest.raises(ConfigError, match=r"^\.kportable\.yaml:5:7: option 'max-volumes' of TST201 must be a number"):
        check_config(bad, registry)


# --------------------------------------------------------------------------- precedence


def test_flags_override_the_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / ".kportable.yaml").write_text(
        "select: [KP1]\nignore: [KP103]\nfail-on: major\nmin-score: 70\nexclude: ['*.json']\n"
        "context: [shared/]\ntargets: [portable]\nassume: [cluster-autoscaler]\nnamespace: shop\n"
        "rules:\n  KP101: {severity: info}\nallow-inline-suppressions: false\n")
    config = load_config(tmp_path / "deploy" / ".kportable.yaml")
    assert config.path == "deploy/.kportable.yaml"
    plain = build_run_options(config, Overrides())
    assert plain.select == ("KP1",)
    assert plain.ignore == ("KP103",)
    assert plain.fail_on is Severity.MAJOR
    assert plain.context_paths == ("deploy/shared",)  # relative to the config file
    assert plain.min_score == {"*": 70}
    assert plain.targets == ("portable",)
    assert plain.namespace == "shop"
    assert plain.severity_overrides == {"KP101": Severity.INFO}
    assert plain.assume == frozenset({"cluster-autoscaler"})
    assert plain.allow_inline_suppressions is False
    flags = build_run_options(config, Overrides(
        select=("KP0",), ignore=("KP104",), fail_on=Severity.INFO, exclude=("vendor",), context=("more",),
        targets=("eks",), min_score=90, namespace="other"))
    assert flags.select == ("KP0",)  # replaced
    assert flags.ignore == ("KP103", "KP104")
    assert flags.exclude == ("*.json", "vendor")
    assert flags.context_paths == ("deploy/shared", "more")
    assert flags.fail_on is Severity.INFO
    assert flags.targets == ("eks",)
    assert flags.namespace == "other"
    assert flags.min_score == {"eks": 90}  # --min-score applies to the named --target
    assert build_run_options(None, Overrides(min_score=50)).min_score == {"*": 50}
    assert build_run_options(None, Overrides()).fail_on is Severity.MINOR


def cli(*args, input=None):
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_cli_discovers_the_config_from_a_subdirectory(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pod.yaml").write_text(POD)
    (tmp_path / ".kportable.yaml").write_text("fail-on: major\nignore: [KP101]\n")
    monkeypatch.chdir(tmp_path / "k8s")
    code, out, err = cli("lint", "pod.yaml", "-q", "-v")
    assert code == 1  # KP102 is major
    assert f"using configuration {tmp_path / '.kportable.yaml'}" in err
    assert "KP101" not in out
    (tmp_path / ".kportable.yaml").write_text("fail-on: blocker\n")
    assert cli("lint", "pod.yaml", "-q")[0] == 0
    assert cli("lint", "pod.yaml", "-q", "--fail-on", "major")[0] == 1
    assert cli("lint", "pod.yaml", "-q", "--no-config")[0] == 1
    (tmp_path / "strict.yaml").write_text("fail-on: minor\nselect: [KP0, KP1]\nignore: [KP1]\n")  # input rules only
    code, out, _ = cli("lint", "pod.yaml", "--config", "../strict.yaml")
    assert code == 0
    assert "No findings" in out


def test_cli_bad_config_exits_2_with_file_and_line(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / ".kportable.yaml").write_text("fail-on: major\nexemptions:\n  - rule: KP101\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("lint", "pod.yaml")
    assert code == 2
    assert out == ""
    assert "kportable: error: invalid configuration .kportable.yaml:" in err
    assert ".kportable.yaml:3:5: exemptions.0: 'reason' is a required property" in err
    code, _, err = cli("lint", "pod.yaml", "--config", "missing.yaml")
    assert code == 2
    assert "missing.yaml: config file not found" in err
    assert cli("lint", "pod.yaml", "--config", "x.yaml", "--no-config")[0] == 2


# --------------------------------------------------------------------------- kportable init


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("init")
    assert code == 0
    assert "wrote .kportable.yaml" in out
    written = Path(".kportable.yaml").read_text()
    assert written == STARTER
    config = load_config(".kportable.yaml")
    check_config(config, get_registry())
    assert config.fail_on is Severity.MINOR
    assert config.exclude == ("charts/*/templates",)
    Path(".kportable.yaml").write_text("fail-on: major\n")
    code, _, err = cli("init")
    assert code == 2
    assert "already exists; use --force" in err
    assert Path(".kportable.yaml").read_text() == "fail-on: major\n"
    assert cli("init", "--force")[0] == 0
    assert Path(".kportable.yaml").read_text() == STARTER


def test_starter_examples_are_valid_when_uncommented():
    """Every commented-out example in the starter is valid configuration once uncommented."""
    import re

    from kportable.config import config_schema

    keys = set(config_schema()["properties"])
    example = re.compile(r"^#( ?)( *)(- |([a-z][a-z-]*):( |$))")
    lines = []
    for line in STARTER.splitlines():
        match = example.match(line)
        indented = bool(match and (match.group(2) or match.group(3) == "- "))
        uncomment = bool(match and (indented or match.group(4) in keys))
        lines.append(line[1 + len(match.group(1)):] if match and uncomment else line)
    text = "\n".join(lines).replace("min-score: 80\n", "")  # the starter shows two forms of one key
    text = text.replace("exemptions: []\n", "exemptions:\n")
    config = parse_yaml_config(text)
    # cloud ids are checked against the registered profiles, which this test does not depend on
    data = {k: v for k, v in config.data.items() if k not in ("targets", "min-score")}
    check_config(dataclasses.replace(config, targets=(), min_score={}, data=data), get_registry())
    assert config.exemptions[0].reason.startswith("vendor chart")
    assert config.min_score == {"portable": 70, "eks": 90}
    assert config.severity_overrides == {"missing-cpu-limit": Severity.INFO}
