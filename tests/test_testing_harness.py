"""The shipped harness (``kportable.testing``): case files, exact comparison, doc checks, pytest plugin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import pytest
import yaml
from plugin_dists import rule_module

from kportable.findings import Finding, Location, Severity
from kportable.testing import (
    Case,
    CaseFileError,
    Expected,
    assert_case,
    assert_rule_docs,
    compare,
    doc_problems,
    load_cases,
    run_case,
)

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


def finding(line: int, message: str, column: int = 1) -> Finding:
    return Finding("KP101", "missing-cpu-request", Severity.MINOR, message, Location("case.yaml", line, column))


def case(*expect: Expected, should_fail: bool = True) -> Case:
    return Case("KP101", "c", POD, tuple(expect), should_fail)


def plugin(source: str, name: str = "harness_plugin") -> types.ModuleType:
    """A plugin module made from source (registered in ``sys.modules``, as dataclasses need)."""
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(textwrap.dedent(source), name, "exec"), module.__dict__)
    return module


def case_file(path, rule, **cases):
    """Write a case file (``yaml.safe_dump`` keeps multi-line manifests exact)."""
    path.write_text(yaml.safe_dump({"rule": rule, "cases": cases}, sort_keys=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- comparison


def test_exact_match_has_no_difference():
    assert compare(case(Expected(3, message="cpu")), [finding(3, "no CPU request")]) == []


def test_matching_is_not_greedy():
    """The loose expectation must not steal the only finding the strict one can match."""
    expect = (Expected(5), Expected(5, message="beta"))
    findings = [finding(5, "beta here"), finding(5, "alpha here")]
    assert compare(case(*expect), findings) == []


def test_diff_names_missing_unexpected_closest_and_offers_a_paste():
    lines = compare(case(Expected(3, column=2, message="cpu request"), Expected(9)),
                    [finding(4, "container 'api' sets no CPU request", column=2)])
    text = "\n".join(lines)
    assert "expected 2 finding(s), got 1" in text
    assert "- missing     line 3 col 2, message ~ 'cpu request'" in text
    assert "closest actual finding: line is 4, not 3" in text
    assert "+ unexpected  line 4 col 2 [minor] \"container 'api' sets no CPU request\"" in text
    assert "- missing     line 9" in text
    assert "      - {line: 4, column: 2, message: \"container 'api' sets no CPU request\"}" in text


def test_pass_case_with_a_finding_fails():
    lines = compare(case(should_fail=False), [finding(6, "sets no CPU request")])
    assert lines[0] == "expected no finding, got 1:"


def test_assert_case_runs_the_rule_and_reports_the_file(tmp_path):
    expect = [{"line": 7, "column": 5, "message": "container 'api' of Pod 'default/api' sets no CPU request"}]
    [ok] = load_cases(case_file(tmp_path / "KP101.yml", "KP101", pod={"fail": POD, "expect": expect}))
    assert_case(ok)
    wrong = Case("KP101", "wrong_line", POD, (Expected(8),), True, source="cases.yml")
    with pytest.raises(AssertionError, match=r"KP101::wrong_line \(cases.yml\): findings differ") as info:
        assert_case(wrong)
    assert "line is 7, not 8" in str(info.value)


# --------------------------------------------------------------------------- case files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rule: KP101\ncases:\n  a:\n    fial: x\n", "invalid case file at cases/a"),
        ("rule: KP101\ncases:\n  a:\n    fail: x\n", "invalid case file at cases/a"),
        ("rule: kp101\ncases:\n  a:\n    pass: x\n", "invalid case file at rule"),
        ("rule: KP101\ncases:\n  a:\n    pass: x\n  a:\n    pass: y\n", "duplicate key 'a' (first on line 3)"),
        ("rule: KP101\ncases: [\n", "not valid YAML"),
    ],
)
def test_case_file_mistakes_fail_loudly(tmp_path, text, expected):
    path = tmp_path / "KP101.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as info:
        load_cases(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


# --------------------------------------------------------------------------- running cases


def test_unregistered_rule_explains_what_to_check():
    with pytest.raises(AssertionError) as info:
        run_case(Case("KP10", "c", POD, (), False))
    text = str(info.value)
    assert "rule KP10 is not registered" in text
    assert "pip install -e ." in text
    assert "Similar rule names: KP10" in text


def test_a_crashing_rule_fails_the_case_with_its_traceback():
    crashy = plugin(rule_module("CRASH101", "crashy-rule", "    raise KeyError('spec')"), "crashy_direct")
    with pytest.raises(AssertionError, match=r"rule CRASH101 crashed on Pod default/api: KeyError"):
        run_case(Case("CRASH101", "c", POD, (), False), plugins=[crashy])


def test_a_case_manifest_that_does_not_load_is_reported():
    with pytest.raises(AssertionError, match="the case manifest does not load cleanly: line 3: YAML syntax error"):
        run_case(Case("KP101", "c", "a: [\nb: c\n", (), False))


# --------------------------------------------------------------------------- rule docs

GOOD_DOCS = '''
from dataclasses import dataclass
from kportable import Severity, Target, hookimpl, rule

@dataclass(frozen=True, slots=True)
class Opts:
    allowed_names: tuple[str, ...] = ()

@rule("DOC101", "pod-named-bad", Severity.MINOR, target=Target.RESOURCE, kinds={"Pod"}, options=Opts)
def check(res, ctx):
    """
    ## What it does
    Reports a Pod named `bad`.

    ## Why is this bad?
    Because.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: bad
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: good
    ```

    ## Options
    - `allowed-names`: names that are fine anyway.
    """
    if res.name == "bad" and res.name not in ctx.options.allowed_names:
        yield ctx.finding(res, ("metadata", "name"), "pod is named bad")

@hookimpl
def kportable_rules():
    return [check]
'''


def test_good_docs_pass():
    module = plugin(GOOD_DOCS, "docs_good")
    from kportable.plugins.manager import get_registry

    spec = get_registry([module]).rule("DOC101")
    assert doc_problems(spec, plugins=[module]) == []
    assert_rule_docs(spec, plugins=[module])


def test_broken_docs_list_every_problem():
    broken = (GOOD_DOCS.replace("name: good", "name: bad", 1)       # Use instead is flagged
              .replace("name: bad\n    ```\n\n    ## Use", "name: fine\n    ```\n\n    ## Use", 1)  # Example is not
              .replace("    ## Why is this bad?\n    Because.\n\n", "")
              .replace("- `allowed-names`", "- `allowed`")
              .replace("## Options", "## References\n    - x\n\n    ## Options"))
    module = plugin(broken, "docs_broken")
    from kportable.plugins.manager import get_registry

    spec = get_registry([module]).rule("DOC101")
    with pytest.raises(AssertionError) as info:
        assert_rule_docs(spec, plugins=[module])
    text = str(info.value)
    assert "missing section '## Why is this bad?'" in text
    assert "sections are out of order" in text
    assert "'## Example' block 1 is not flagged by DOC101" in text
    assert "'## Use instead' block 1 is flagged by DOC101" in text
    assert "'## Options' documents ['allowed'] but the options dataclass Opts has ['allowed-names']" in text


# --------------------------------------------------------------------------- the pytest plugin

THREE_LINES = """\
from kportable.testing import assert_case


def test_rule_cases(kportable_case):
    assert_case(kportable_case)
"""


def run_pytest(project, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=project, capture_output=True, text=True, env=env, check=False)


def test_pytest_plugin_turns_case_files_into_tests(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nkportable_case_dirs = ["cases"]\n')
    (tmp_path / "cases").mkdir()
    case_file(tmp_path / "cases" / "KP101.yml", "KP101",
              flagged={"fail": POD, "expect": [{"line": 7, "message": "sets no CPU request"}]},
              wrongly_expected={"fail": POD, "expect": [{"line": 8}]},
              limits_count={"pass": POD + "    resources: {limits: {cpu: 1}}\n"})
    (tmp_path / "test_rules.py").write_text(THREE_LINES)
    proc = run_pytest(tmp_path)
    assert "1 failed, 2 passed" in proc.stdout, proc.stdout + proc.stderr
    assert "KP101::wrongly_expected" in proc.stdout
    assert "line is 7, not 8" in proc.stdout
    selected = run_pytest(tmp_path, "-k", "flagged")
    assert "1 passed, 2 deselected" in selected.stdout


def test_pytest_plugin_fails_loudly_without_case_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nkportable_case_dirs = ["nowhere"]\n')
    (tmp_path / "test_rules.py").write_text(THREE_LINES)
    proc = run_pytest(tmp_path)
    assert proc.returncode != 0
    assert "kportable: no case files (*.yml) in" in proc.stdout
    assert "nowhere" in proc.stdout


def test_pytest_plugin_reports_a_broken_case_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nkportable_case_dirs = ["cases"]\n')
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "KP101.yml").write_text("rule: KP101\ncases:\n  a:\n    fial: x\n")
    (tmp_path / "test_rules.py").write_text(THREE_LINES)
    proc = run_pytest(tmp_path)
    assert proc.returncode != 0
    assert "invalid case file at cases/a" in proc.stdout


def test_kportable_rule_parameter_runs_doc_checks(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nkportable_case_dirs = ["cases"]\nkportable_rule_plugins = ["core"]\n')
    (tmp_path / "cases").mkdir()
    case_file(tmp_path / "cases" / "KP101.yml", "KP101", a={"pass": POD + "    resources: {limits: {cpu: 1}}\n"})
    (tmp_path / "test_docs.py").write_text(
        "from kportable.testing import assert_rule_docs\n\n\n"
        "def test_rule_docs(kportable_rule):\n    assert_rule_docs(kportable_rule)\n")
    proc = run_pytest(tmp_path, "-vv")
    assert "test_rule_docs[KP101] PASSED" in proc.stdout, proc.stdout
    assert proc.returncode == 0


def test_case_assume_reaches_the_rule(tmp_path):
    body = (
        "    if 'default-deny-network-policy' not in ctx.assume:\n"
        "        yield ctx.finding(res, ('metadata',), 'no policy')"
    )
    module = plugin(rule_module("ASSUME101", "assume-rule", body), "assume_direct")
    [flagged, assumed] = load_cases(case_file(
        tmp_path / "ASSUME101.yml", "ASSUME101",
        flagged={"fail": POD, "expect": [{"line": 3, "message": "no policy"}]},
        assumed={"pass": POD, "assume": ["default-deny-network-policy"]},
    ))
    assert assumed.assume == ("default-deny-network-policy",)
    assert_case(flagged, plugins=[module])
    assert_case(assumed, plugins=[module])
