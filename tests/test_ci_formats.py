"""The GitHub annotations, PR-comment Markdown and GitLab Code Quality formats."""

from __future__ import annotations

import dataclasses
import json

import pytest

from kportable.findings import ObjectRef
from kportable.report.base import ReportOptions
from kportable.report.github import escape_data, escape_property
from kportable.report.github import render as github
from kportable.report.gitlab import render as gitlab
from kportable.report.markdown import MARKER, MAX_CHARS
from kportable.report.markdown import render as markdown
from kportable.score_types import WorkloadScore

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  containers:
  - name: api
    image: nginx:1.27
"""  # KP101 (minor), KP102 (major), KP103 (minor) at 8:5 (9:5 in suppressed_pod)


def suppressed_pod():
    return POD.replace("  namespace: shop\n", "  namespace: shop\n  annotations: {kportable.io/ignore: KP103}\n")


# --------------------------------------------------------------------------- github


def test_escaping_follows_the_runner():
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_one_annotation_per_counting_finding_worst_first(lint_dir, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = lint_dir({"k8s/api.yaml": suppressed_pod()})
    lines = github(result, ReportOptions()).splitlines()
    fix = "Fix: Set resources.requests.memory to the working-set size of the container (e.g. 128Mi)."
    assert lines[0] == (
        "::error file=k8s/api.yaml,line=9,col=5,endLine=9,title=KP102 missing-memory-request::"
        f"container 'api' of Pod 'shop/api' sets no memory request. {fix}"
    )
    assert lines[1].startswith("::warning file=k8s/api.yaml,line=9,col=5,endLine=9,title=KP101 missing-cpu-request::")
    assert len(lines) == 3  # KP103 is suppressed
    assert lines[2] == "kportable: 2 findings (1 major, 1 minor) in 1 file: 1 document, 1 resource, 1 workload; " \
                       "1 suppressed."


def test_paths_are_relative_to_the_repository_root(lint_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    lint_dir({"deploy/k8s/api.yaml": POD}, paths=())
    monkeypatch.chdir(tmp_path / "deploy")
    from kportable.api import RunOptions, run

    result = run(RunOptions(paths=("k8s/api.yaml",), select=("KP101",)))
    (annotation, _) = github(result, ReportOptions(sarif_root=str(tmp_path))).splitlines()
    assert annotation.startswith("::warning file=deploy/k8s/api.yaml,line=8,")


def test_message_and_title_are_escaped(lint_dir, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = lint_dir({"a,b: 100%.yaml": POD}, select=("KP101",))
    (annotation, _) = github(result, ReportOptions()).splitlines()
    assert annotation.startswith("::warning file=a%2Cb%3A 100%25.yaml,line=8,")


def test_step_summary_is_appended_when_set(lint_dir, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = lint_dir({"k8s/api.yaml": POD})
    github(result, ReportOptions())
    text = summary.read_text()
    assert text.startswith("earlier step\n" + MARKER)
    assert text.endswith(markdown(result, ReportOptions()))


def test_internal_errors_are_annotated(lint_dir, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    from kportable.engine import RuleCrash

    result = lint_dir({"k8s/api.yaml": POD}, select=("KP101",))
    crashed = dataclasses.replace(result, crashes=(RuleCrash("KP101", "core", "Pod shop/api", "KeyError: 'x'", ""),))
    assert "::error title=kportable internal error::rule KP101 crashed on Pod shop/api: KeyError: 'x'" in github(
        crashed, ReportOptions())


# --------------------------------------------------------------------------- markdown


def test_comment_shape(lint_dir):
    result = lint_dir({"k8s/api.yaml": suppressed_pod(), "k8s/clean.yaml": "apiVersion: v1\nkind: Namespace\n"
                                                                           "metadata: {name: shop}\n"})
    text = markdown(result, ReportOptions())
    lines = text.splitlines()
    assert lines[0] == MARKER
    assert lines[1] == "## kportable: :x: **failed**"
    assert "2 findings (1 major, 1 minor) in 2 files, 2 resources, 1 workload. Gate: fail on `minor` or worse." in text
    assert "1 finding suppressed" in text
    assert "| KP102 `missing-memory-request` | major | 1 | 0 |" in text
    assert "| KP103 `missing-memory-limit` | minor | 0 | 1 |" in text
    assert "<details><summary><code>k8s/api.yaml</code>: 2 findings (worst: major)</summary>" in text
    assert "| 9 | KP102 `missing-memory-request` | major | `Pod shop/api` |" in text
    assert "### Blockers" not in text
    # the workload's score matrix: KP102 (major) and KP101 (minor) cost on every target, suppressed KP103 nothing
    matrix = "| workload | aks | eks | gke | portable |\n|---|---:|---:|---:|---:|\n" \
             "| `Pod shop/api` | 86 | 86 | 86 | 86 |"
    assert matrix in text
    assert text.index("### Portability scores") < text.index("### Findings by rule")
    assert text == markdown(result, ReportOptions())  # stable for re-posting


def test_score_matrix_blockers_and_min_score(lint_dir):
    result = lint_dir({"k8s/api.yaml": "apiVersion: v1\nkind: [\n"})  # KP001: a blocker
    web = ObjectRef("Deployment", "shop", "web", "apps/v1")
    api = ObjectRef("Deployment", "shop", "api", "apps/v1")
    scores = (WorkloadScore(api, {"eks": 100, "portable": 95}), WorkloadScore(web, {"portable": 40, "eks": 70}))
    scored = dataclasses.replace(result, scores=scores,
                                 options=dataclasses.replace(result.options, min_score={"portable": 50}))
    text = markdown(scored, ReportOptions())
    assert "| workload | eks | portable |" in text
    rows = [line for line in text.splitlines() if line.startswith("| `Deployment")]
    assert rows == ["| `Deployment shop/web` | 70 | **40** :x: |", "| `Deployment shop/api` | 100 | 95 |"]
    assert ":x: 1 score under the minimum." in text
    assert "or a score under the minimum (portable < 50)" in text
    assert "### Blockers (1)" in text
    assert "- `k8s/api.yaml:3` **KP001** `yaml-syntax-error`: YAML syntax error" in text
    assert text.index("### Portability scores") < text.index("### Blockers") < text.index("### Findings by rule")


def test_passing_run(lint_dir):
    text = markdown(lint_dir({"ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"}), ReportOptions())
    assert "## kportable: :white_check_mark: **passed**" in text
    assert "<details>" not in text


def test_long_comments_are_cut_below_githubs_limit(lint_dir):
    files = {f"k8s/app{i:03}.yaml": POD.replace("name: api\n  namespace", f"name: app{i}\n  namespace")
             for i in range(300)}
    text = markdown(lint_dir(files), ReportOptions())
    assert len(text) < 65_536
    assert len(text) <= MAX_CHARS + 500
    assert "more files (" in text
    assert "not shown" in text
    assert text.count("<details>") == text.count("</details>")


def test_table_cells_are_escaped(lint_dir):
    result = lint_dir({"k8s/a.yaml": POD.replace("name: api\n  namespace", "name: 'a|<b>'\n  namespace")},
                      select=("KP101",))
    text = markdown(result, ReportOptions())
    assert "of Pod 'shop/a\\|&lt;b&gt;' sets" in text  # HTML in prose is escaped ...
    assert "`Pod shop/a\\|<b>`" in text  # ... and shown literally in code spans


# --------------------------------------------------------------------------- gitlab


def test_gitlab_code_quality(lint_dir):
    twice = POD + "---\n" + POD  # the same object twice: same fingerprints, which GitLab rejects
    result = lint_dir({"k8s/api.yaml": twice}, select=("KP101",))
    issues = json.loads(gitlab(result, ReportOptions()))
    assert [i["location"] for i in issues] == [
        {"path": "k8s/api.yaml", "lines": {"begin": 8, "end": 8}},
        {"path": "k8s/api.yaml", "lines": {"begin": 18, "end": 18}},
    ]
    assert issues[0]["check_name"] == "KP101 missing-cpu-request"
    assert issues[0]["severity"] == "minor"
    assert issues[0]["fingerprint"] == result.findings[0].fingerprint
    assert len({i["fingerprint"] for i in issues}) == 2
    assert issues[0]["description"].startswith("container 'api' of Pod 'shop/api' sets no CPU request.")
    assert gitlab(lint_dir({"ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"}),
                  ReportOptions()) == "[]\n"


@pytest.mark.parametrize("fmt", ["sarif", "github", "markdown", "gitlab"])
def test_formats_are_registered(fmt):
    from kportable.plugins.manager import get_registry

    assert get_registry().formats[fmt].plugin == "core"
