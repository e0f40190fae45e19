"""Values profiles: one render per cloud's values, compared per workload."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import ROOT
from render_rules import RenderRules

from kportable.api import RunOptions, run
from kportable.cli import main
from kportable.plugins.manager import build_registry
from kportable.report.base import ReportOptions
from kportable.report.text import render

AWS = "fixtures/helm/rendered/shop-aws.yaml"
GCP = "fixtures/helm/rendered/shop-gcp.yaml"
CHART = "fixtures/helm/shop"


@pytest.fixture
def result(monkeypatch):
    monkeypatch.chdir(ROOT)
    registry = build_registry(plugins=[RenderRules])
    # the container-resources rules and the test plugin's cloud rules, which the expectations below count
    options = RunOptions(profiles=(("aws", (AWS,)), ("gcp", (GCP,))), chart_dirs=(CHART,),
                         select=("KP101", "KP102", "KP103", "TEST9"))
    return run(options, registry)


def row(result, kind, name):
    return next(r for r in result.extras["profiles"] if r["kind"] == kind and r["name"] == name)


def test_each_render_ties_the_workload_to_its_cloud(result):
    web = row(result, "Deployment", "prod-shop")
    assert web["differs"] is True
    aws, gcp = web["renders"]["aws"], web["renders"]["gcp"]
    assert aws["file"] == AWS
    assert gcp["file"] == GCP
    # nodeSelector and image (TEST901) on the Deployment, workload identity (TEST902) on its ServiceAccount
    assert aws["clouds"] == {"eks": ["TEST901", "TEST902"]}
    assert gcp["clouds"] == {"gke": ["TEST901", "TEST902"]}
    assert aws["findings"] == 2 + 3 + 2 + 1  # KP101+KP103 (shop), KP101-103 (metrics), TEST901 x2, TEST902
    assert aws["rules"] == ["KP101", "KP102", "KP103", "TEST901", "TEST902"]


def test_workloads_without_cloud_values_do_not_differ(result):
    job = row(result, "Job", "prod-shop-migrate")
    assert job["differs"] is True  # its image comes from the cloud registry of each render
    test_pod = row(result, "Pod", "prod-shop-test-connection")
    assert test_pod["differs"] is False
    assert test_pod["renders"]["aws"]["clouds"] == test_pod["renders"]["gcp"]["clouds"] == {}
    redis = row(result, "StatefulSet", "prod-redis")
    assert redis["differs"] is False


def test_findings_keep_their_render_and_template(result):
    files = {f.location.path for f in result.findings}
    assert files == {AWS, GCP}
    ties = [f for f in result.findings if f.rule_id.startswith("TEST")]
    templates = "fixtures/helm/shop/templates/"
    expected = [
        ("TEST902", templates + "serviceaccount.yaml", 9),  # annotations: {{- toYaml . | nindent 4 }}
        ("TEST901", templates + "deployment.yaml", 24),  # image: "{{ .Values.image.repository }}:..."
        ("TEST901", templates + "deployment.yaml", 46),  # nodeSelector: {{- toYaml . | nindent 8 }}
        ("TEST901", templates + "worker.yaml", 34),
        ("TEST901", templates + "worker.yaml", 43),
        ("TEST901", templates + "hooks/migrate-job.yaml", 20),
    ]
    assert [(f.rule_id, f.location.origin, f.location.origin_line) for f in ties] == expected * 2
    assert [f.location.path for f in ties] == [AWS] * 6 + [GCP] * 6
    assert result.stats.files == 2
    assert result.stats.workloads == 10


def test_text_section(result):
    text = render(result, ReportOptions(width=200))
    assert "Values profiles: aws, gcp; 5 workloads, 3 tied differently across renders" in text
    assert "  Deployment default/prod-shop\n    aws  tied to eks: TEST901, TEST902  (8 findings)\n" in text
    assert "    gcp  tied to gke: TEST901, TEST902  (8 findings)" in text
    assert "  Pod default/prod-shop-test-connection\n    aws  no cloud tie  (3 findings)\n" in text


def test_absent_workload_and_stdin_profile(monkeypatch):
    monkeypatch.chdir(ROOT)
    only_aws = (ROOT / AWS).read_text().split("# Source: shop/templates/hooks/migrate-job.yaml")[0]
    out = CliRunner().invoke(
        main, ["lint", "--profile", f"aws={AWS}", "--profile", "slim=-", "-f", "json"], input=only_aws
    )
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    job = next(r for r in report["profiles"] if r["name"] == "prod-shop-migrate")
    assert job["renders"]["slim"] is None
    assert job["differs"] is True
    assert {f["file"] for f in report["findings"]} == {AWS, "<stdin>"}
    text = CliRunner().invoke(main, ["lint", "--profile", f"aws={AWS}", "--profile", "slim=-", "--no-color"],
                              input=only_aws).stdout
    assert "    slim  not in this render" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "aws"], "expected NAME=PATH"),
        (["--profile", "=x.yaml"], "expected NAME=PATH"),
        (["--profile", "a=-", "--profile", "b=-"], "only one profile can read '-'"),
        (["--profile", f"a={AWS}", AWS], "cannot be combined"),
        ([], "Missing argument 'PATH...'"),
    ],
)
def test_profile_usage_errors(args, message):
    out = CliRunner().invoke(main, ["lint", *args])
    assert out.exit_code == 2
    assert message in out.stderr
