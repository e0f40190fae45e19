"""The pre-commit hooks, run by the real ``pre-commit try-repo`` against this working tree.

``try-repo`` clones this repository (HEAD plus tracked uncommitted changes, through a shadow
commit), builds the hook's Python environment with pip, and runs the hooks in a scratch git
repository, exactly as a user's ``pre-commit run`` would. Each call builds a fresh
environment (it needs PyPI), so the test makes two calls: every hook on a repository with a
clean manifest, a rendered chart with a finding and a raw chart template; then the ``kportable``
hook on a staged manifest with a finding.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"

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
NO_MEMORY = CLEAN.replace("      requests: {cpu: 100m, memory: 64Mi}\n      limits: {memory: 64Mi}\n",
                          "      requests: {cpu: 100m}\n")
RENDERED = "---\n# Source: shop/templates/deployment.yaml\n" + CLEAN.replace("      limits: {memory: 64Mi}\n", "")
RAW_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
spec:
  {{- toYaml .Values.spec | nindent 2 }}
"""


def hook(hook_id: str) -> dict:
    return next(h for h in yaml.safe_load(HOOKS.read_text()) if h["id"] == hook_id)


@pytest.mark.parametrize(("path", "linted"), [
    ("k8s/app.yaml", True),
    ("base/deployment.json", True),
    ("charts/shop/templates/deployment.yaml", False),
    ("charts/shop/templates/_helpers.tpl", False),
    ("charts/shop/values.yaml", False),
    ("charts/shop/values-prod.yaml", False),
    ("charts/shop/values.schema.json", False),
    ("charts/shop/Chart.yaml", False),
    ("overlays/prod/kustomization.yaml", False),
    (".github/workflows/ci.yml", False),
    (".gitlab-ci.yml", False),
    (".pre-commit-config.yaml", False),
    (".kportable.yaml", False),
    (".kportable-baseline.json", False),
    ("deploy/templates-old.yaml", True),
])
def test_main_hook_excludes_chart_sources(path, linted):
    assert (re.search(hook("kportable")["exclude"], path) is None) is linted


def test_rendered_hook_takes_rendered_templates():
    rendered = hook("kportable-rendered")
    assert re.search(rendered["files"], "rendered/shop/templates/deployment.yaml")
    assert "exclude" not in rendered
    for h in yaml.safe_load(HOOKS.read_text()):
        if h["id"] == "kportable-chart":
            continue
        assert h["types_or"] == ["yaml", "json"]
        assert h["entry"] == "kportable lint"
        assert h["require_serial"] is True


@pytest.mark.parametrize(("path", "matched"), [
    ("charts/shop/templates/deployment.yaml", True),
    ("charts/shop/templates/_helpers.tpl", True),
    ("charts/shop/values.yaml", True),
    ("charts/shop/values-prod.yaml", True),
    ("charts/shop/values.schema.json", True),
    ("charts/shop/Chart.yaml", True),
    ("charts/shop/charts/redis/templates/statefulset.yaml", True),
    ("k8s/deployment.yaml", False),
    ("overlays/prod/kustomization.yaml", False),
])
def test_chart_hook_takes_every_chart_source(path, matched):
    chart = hook("kportable-chart")
    assert chart["entry"] == "kportable lint --charts-of-files"
    assert chart["require_serial"] is True
    assert (re.search(chart["files"], path) is not None) is matched


def _pre_commit() -> str:
    local = Path(sys.executable).parent / "pre-commit"
    found = str(local) if local.exists() else shutil.which("pre-commit")
    if found is None:
        pytest.fail("pre-commit is a test dependency: pip install -e '.[test]'")
    return found


def _git(repo: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.mark.slow
def test_hooks_with_pre_commit_try_repo(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this project as a git checkout")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_STEP_SUMMARY", None)
    repo = tmp_path / "project"
    files = {
        "k8s/api.yaml": CLEAN,
        "rendered/shop/templates/deployment.yaml": RENDERED,
        "charts/shop/templates/deployment.yaml": RAW_TEMPLATE,  # not YAML: the hook must skip it
        "charts/shop/values.yaml": "replicaCount: 1\n",
        # both hooks read the repository's config: here, input problems and container resources only
        # (a lone Pod would otherwise have namespace hygiene findings: no NetworkPolicy, quota, LimitRange)
        ".kportable.yaml": "select: [KP0, KP101, KP102, KP103]\n",
    }
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "init", "-q", env=env)
    _git(repo, "add", "-A", env=env)

    def try_repo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_pre_commit(), "try-repo", str(ROOT), *args, "--color", "never", "--verbose"],
            check=False, cwd=repo, env=env, capture_output=True, text=True, timeout=1200,
        )

    every = try_repo("--all-files")
    output = every.stdout + every.stderr
    assert every.returncode == 1, output
    assert re.search(r"kportable \(Kubernetes portability lint\)\.+Passed", output), output
    assert re.search(r"kportable \(rendered Helm/kustomize manifests\)\.+Failed", output), output
    assert "rendered/shop/templates/deployment.yaml:11:5  KP103" in output
    assert "charts/shop/templates" not in output.split("Using config:")[-1].split("=" * 79)[-1]

    (repo / "k8s" / "api.yaml").write_text(NO_MEMORY)
    _git(repo, "add", "-A", env=env)
    staged = try_repo("kportable", "--files", "k8s/api.yaml")
    output = staged.stdout + staged.stderr
    assert staged.returncode == 1, output
    assert re.search(r"kportable \(Kubernetes portability lint\)\.+Failed", output), output
    assert "k8s/api.yaml:9:5  KP102  major    container 'api' of Pod 'default/api' sets no memory request" in output
    assert "fix: Set resources.requests.memory" in output
