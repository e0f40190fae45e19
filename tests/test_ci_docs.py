"""The CI recipes in docs/ci.md and the examples in docs/configuration.md, executed.

The GitHub Actions workflow and the GitLab job are parsed from the Markdown; every shell step
that runs kportable is executed with bash in a scratch repository (with findings, then clean),
and the files they hand to the next step (SARIF, Markdown, Code Quality) are checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kportable.baseline import baseline_from_data
from kportable.config import check_config, parse_toml_config, parse_yaml_config
from kportable.plugins.manager import get_registry
from kportable.report.markdown import MARKER

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
CONFIG_DOC = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
DEMO = ROOT / "fixtures" / "demo"
CLEAN = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
  - name: api
    image: nginx:1.27
    resources:
      requests: {cpu: 100m, memory: 64Mi}
      limits: {memory: 64Mi}
"""
# What a clean repository holds under every default rule: the Pod above, and the namespace's
# default-deny NetworkPolicy, an allow policy, a ResourceQuota and a LimitRange (hygiene).
CLEAN_BUNDLE = CLEAN.replace("  name: api\n", "  name: api\n  labels: {app: api}\n") + """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {}}]}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota}
spec: {hard: {requests.cpu: "2", requests.memory: 2Gi, limits.memory: 2Gi}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - {type: Container, default: {cpu: 500m, memory: 128Mi}, defaultRequest: {cpu: 100m, memory: 64Mi}}
"""
DEMO_FILES = {f"k8s/{name}.yaml" for name in ("catalog", "namespace", "orders", "payments", "recommendations",
                                               "storefront")}


def fenced(doc: str, language: str, first_line: str) -> str:
    """The fenced block of ``language`` whose first line is ``first_line``."""
    for block in re.findall(rf"^```{language}\n(.*?)^```", doc, re.M | re.S):
        if block.startswith(first_line + "\n"):
            return block
    raise AssertionError(f"no ```{language} block starting with {first_line!r}")


WORKFLOW = yaml.safe_load(fenced(CI_DOC, "yaml", "# .github/workflows/kportable.yml"))
GITLAB = yaml.safe_load(fenced(CI_DOC, "yaml", "# .gitlab-ci.yml"))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A scratch repository with the demo manifests under k8s/; returns a bash runner."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(DEMO, tmp_path / "k8s", ignore=shutil.ignore_patterns("*.md"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)

    def bash(command: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", command], cwd=tmp_path, env={**env, **extra}, capture_output=True,
                              text=True, check=False, timeout=120)

    bash.root = tmp_path  # type: ignore[attr-defined]
    return bash


def steps() -> dict[str, dict]:
    return {s.get("name", s.get("uses", "")): s for s in WORKFLOW["jobs"]["kportable"]["steps"]}


def test_workflow_wiring():
    job = WORKFLOW["jobs"]["kportable"]
    assert job["permissions"]["security-events"] == "write"
    assert job["permissions"]["pull-requests"] == "write"
    by_name = steps()
    upload = by_name["Upload SARIF"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "--output " + upload["with"]["sarif_file"] in by_name["Lint for code scanning"]["run"]
    script = by_name["Post or update the PR comment"]["with"]["script"]
    assert f"const marker = '{MARKER}';" in script
    output = re.search(r"--output (\S+)", by_name["Lint for the PR comment"]["run"]).group(1)
    assert f"readFileSync('{output}'" in script


def test_workflow_commands_run(project, valid_sarif):
    by_name = steps()
    sarif_step = project(by_name["Lint for code scanning"]["run"])
    assert sarif_step.returncode == 0, sarif_step.stderr  # findings: exit 1, tolerated by the step
    log = valid_sarif((project.root / "kportable.sarif").read_text())
    assert len(log["runs"][0]["results"]) == 37  # every default rule on the demo (see test_sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == DEMO_FILES

    comment = project(by_name["Lint for the PR comment"]["run"])
    assert comment.returncode == 0, comment.stderr
    assert (project.root / "kportable.md").read_text().startswith(MARKER + "\n## kportable: :x: **failed**")

    summary = project.root / "summary.md"
    gate = project(by_name["kportable gate"]["run"], GITHUB_STEP_SUMMARY=str(summary))
    assert gate.returncode == 1
    assert gate.stdout.startswith("::error file=k8s/payments.yaml,line=8,col=5,endLine=8,title=KP401 ")  # worst first
    assert summary.read_text() == (project.root / "kportable.md").read_text()

    for name in DEMO_FILES:  # every finding fixed
        (project.root / name).unlink()
    (project.root / "k8s" / "api.yaml").write_text(CLEAN_BUNDLE)
    assert project(by_name["kportable gate"]["run"]).returncode == 0
    assert project(by_name["Lint for code scanning"]["run"]).returncode == 0


def test_workflow_steps_fail_on_a_bad_configuration(project):
    (project.root / ".kportable.yaml").write_text("fail-on: sometimes\n")
    for name in ("Lint for code scanning", "Lint for the PR comment", "kportable gate"):
        step = project(steps()[name]["run"])
        assert step.returncode != 0, name  # kportable exits 2; `|| [ $? -eq 1 ]` turns that into 1
        assert ".kportable.yaml:1:1: fail-on: 'sometimes' is not one of" in step.stderr


def test_gitlab_job_runs(project, valid_sarif):
    job = GITLAB["kportable"]
    commands = [c for c in job["script"] if c.startswith("kportable ")]
    assert len(commands) == 3
    *reports, gate = commands
    for command in reports:
        assert project(command).returncode == 0, command
    report = job["artifacts"]["reports"]["codequality"]
    issues = json.loads((project.root / report).read_text())
    assert {i["location"]["path"] for i in issues} == DEMO_FILES
    assert len(issues) == 37
    assert all(i["fingerprint"] and i["severity"] in {"blocker", "major", "minor"} for i in issues)
    valid_sarif((project.root / job["artifacts"]["paths"][0]).read_text())
    assert project(gate).returncode == 1


def test_baseline_recipe(project):
    block = fenced(CI_DOC, "sh", "kportable lint k8s/ --write-baseline .kportable-baseline.json   # commit this file")
    write, use, verbose = (line.split("#")[0].strip() for line in block.splitlines())
    assert project(write).returncode == 0
    assert project(use).returncode == 0
    (project.root / "k8s" / "storefront.yaml").unlink()
    stale = project(verbose)
    assert stale.returncode == 0
    # the 12 findings of storefront.yaml: 9 cloud ties (ServiceAccount, Deployment, Service, Ingress),
    # KP701, KP252 and KP103
    assert "12 stale entries in .kportable-baseline.json" in stale.stderr
    listed = [line for line in stale.stderr.splitlines() if line.startswith("  KP")]
    assert len(listed) == 12
    assert all(line.endswith("(k8s/storefront.yaml)") for line in listed)


def test_pre_commit_config_example_is_valid(tmp_path):
    block = fenced(CI_DOC, "yaml", "# .pre-commit-config.yaml")
    config = yaml.safe_load(block)
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in config["repos"][0]["hooks"]} <= {h["id"] for h in hooks}
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(block)
    pre_commit = Path(sys.executable).parent / "pre-commit"
    checked = subprocess.run([str(pre_commit), "validate-config", str(path)], capture_output=True, text=True,
                             check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_configuration_examples_are_valid():
    registry = get_registry()
    example = parse_yaml_config(fenced(CONFIG_DOC, "yaml", "# .kportable.yaml"))
    check_config(example, registry)
    assert example.exemptions[0].labels == {"team": "payments"}
    toml = parse_toml_config(fenced(CONFIG_DOC, "toml", "[tool.kportable]"))
    check_config(toml, registry)
    assert toml.exemptions[0].expires == example.exemptions[0].expires
    assert toml.severity_overrides == example.severity_overrides


def test_baseline_file_example_matches_the_demo(monkeypatch):
    from kportable.api import RunOptions, run

    text = fenced(CONFIG_DOC, "json", "{")
    (entry,) = baseline_from_data(json.loads(text), "example").entries
    monkeypatch.chdir(ROOT / "fixtures" / "demo" / "..")
    result = run(RunOptions(paths=("demo/orders.yaml",), select=("KP101",)))
    (finding,) = result.findings
    assert entry.fingerprint == finding.fingerprint
    assert entry.message == finding.message
