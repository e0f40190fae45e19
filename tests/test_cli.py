"""The command line: exit codes, formats, selection, stdin, colour."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kportable.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
CLEAN = """\
apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests: {cpu: 10m, memory: 16Mi}
      limits: {memory: 16Mi}
"""
MISSING = """\
apiVersion: v1
kind: Pod
metadata:
  name: bare
spec:
  containers:
  - name: app
    image: nginx:1.27
"""


NAMESPACE_HYGIENE = "--ignore=KP25,KP7"


def invoke(*args: str, input: str | None = None):
    """Run the CLI; lint runs skip the namespace-level hygiene rules so these tests see container rules."""
    argv = list(args)
    if argv[:1] == ["lint"]:
        argv.insert(1, NAMESPACE_HYGIENE)
    return CliRunner().invoke(main, argv, input=input, catch_exceptions=False)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "bare.yaml").write_text(MISSING)
    (tmp_path / "broken.yaml").write_text("a: [\n")
    return tmp_path


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert "kportable, version" in result.output


def test_exit_0_when_clean(files):
    result = invoke("lint", str(files / "clean.yaml"))
    assert result.exit_code == 0, result.output
    assert "No findings" in result.output


def test_exit_1_on_findings_with_file_line_and_source(files):
    result = invoke("lint", "--no-color", str(files / "bare.yaml"))
    assert result.exit_code == 1
    assert f"{files / 'bare.yaml'}:7:5  KP102  major" in result.output
    assert "- name: app" in result.output  # the offending source line is shown
    assert "fix:" in result.output


def test_fail_on_threshold(files):
    assert invoke("lint", "--fail-on", "blocker", str(files / "bare.yaml")).exit_code == 0
    assert invoke("lint", "--fail-on", "major", str(files / "bare.yaml")).exit_code == 1


def test_select_and_ignore(files):
    out = json.loads(invoke("lint", "-f", "json", "--select", "KP101", str(files / "bare.yaml")).output)
    assert {f["rule_id"] for f in out["findings"]} == {"KP101"}
    out = json.loads(invoke("lint", "-f", "json", "--ignore", "KP1", str(files / "bare.yaml")).output)
    assert out["findings"] == []
    out = json.loads(invoke("lint", "-f", "json", "--select", "missing-memory-limit", str(files / "bare.yaml")).output)
    assert {f["rule_id"] for f in out["findings"]} == {"KP103"}


def test_off_by_default_rule_needs_exact_selection(files):
    def rules_with(*select: str) -> set[str]:
        args = ["lint", "-f", "json", *(f"--select={s}" for s in select), str(files / "bare.yaml")]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        return {f["rule_id"] for f in json.loads(result.output)["findings"]}

    # KP253 (workload-without-egress-policy) is off by default: a prefix does not turn it on
    assert "KP253" not in rules_with("KP2")
    assert rules_with("KP253") == {"KP253"}
    assert "KP253" in rules_with("workload-without-egress-policy")


def test_unknown_rule_is_a_usage_error(files):
    result = CliRunner().invoke(main, ["lint", "--select", "KP999", str(files / "clean.yaml")])
    assert result.exit_code == 2
    assert "no rule matches 'KP999'" in result.output


def test_unknown_format_is_a_usage_error(files):
    result = CliRunner().invoke(main, ["lint", "-f", "yaml", str(files / "clean.yaml")])
    assert result.exit_code == 2
    assert "unknown --format" in result.output


def test_parse_error_is_reported_and_other_files_still_linted(files):
    out = json.loads(invoke("lint", "-f", "json", str(files)).output)
    rules = {(Path(f["file"]).name, f["rule_id"]) for f in out["findings"]}
    assert ("broken.yaml", "KP001") in rules
    assert ("bare.yaml", "KP102") in rules
    assert out["summary"]["files"] == 3


def test_stdin_with_name(files):
    result = invoke("lint", "-f", "json", "--stdin-filename", "rendered.yaml", "-", input=MISSING)
    out = json.loads(result.output)
    assert {f["file"] for f in out["findings"]} == {"rendered.yaml"}


def test_missing_path_is_a_finding_not_a_crash(files):
    result = invoke("lint", "-f", "json", str(files / "nope.yaml"), str(files / "bare.yaml"))
    out = json.loads(result.output)
    assert any(f["rule_id"] == "KP007" and "no such file" in f["message"] for f in out["findings"])
    assert any(f["rule_id"] == "KP102" for f in out["findings"])


def test_json_is_byte_identical_across_runs_and_argument_order(files):
    a = invoke("lint", "-f", "json", str(files / "bare.yaml"), str(files / "clean.yaml")).output
    b = invoke("lint", "-f", "json", str(files / "clean.yaml"), str(files / "bare.yaml")).output
    assert a == b


def test_output_file(files, tmp_path):
    target = tmp_path / "report.json"
    result = invoke("lint", "-f", "json", "-o", str(target), str(files / "bare.yaml"))
    assert result.exit_code == 1
    assert result.output == ""
    assert json.loads(target.read_text())["summary"]["findings"] == 3


def test_no_color_env_and_tty(files):
    env = {"NO_COLOR": "1", "FORCE_COLOR": "1"}
    result = CliRunner(env=env).invoke(main, ["lint", str(files / "bare.yaml")])
    assert "\x1b[" not in result.output
    result = CliRunner(env={"FORCE_COLOR": "1"}).invoke(main, ["lint", str(files / "bare.yaml")])
    assert "\x1b[" in result.output


def test_rules_and_explain():
    result = invoke("rules", "--format", "json")
    ids = [r["id"] for r in json.loads(result.output)]
    assert "KP001" in ids
    assert ids == sorted(ids)
    result = invoke("explain", "missing-memory-request")
    assert result.exit_code == 0
    assert "What it does" in result.output
    assert "KP102" in result.output
    assert CliRunner().invoke(main, ["explain", "KP999"]).exit_code == 2


def test_console_script_runs_the_demo():
    proc = subprocess.run(
        [sys.executable, "-m", "kportable", "lint", "--no-color", str(DEMO)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "fixtures/demo/orders.yaml" in proc.stdout
