"""Helm output: origins from ``# Source:``, resolved to template files and lines with ``--chart-dir``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from kportable.api import RunOptions, run
from kportable.cli import main
from kportable.findings import Location
from kportable.render.helm import ChartIndex, split_origin
from kportable.render.origins import edit_target

HELM = FIXTURES / "helm"
CHART = "fixtures/helm/shop"
AWS = "fixtures/helm/rendered/shop-aws.yaml"
GCP = "fixtures/helm/rendered/shop-gcp.yaml"
# The fixture chart's expectations are written for the container-resources rules; the cloud and
# hygiene rules' origins are checked on their own in test_cloud_findings_land_on_template_lines.
RESOURCES = ("KP101", "KP102", "KP103")

# (rule, rendered line in shop-aws.yaml, template, template line): what a person edits for each finding.
EXPECTED_AWS = [
    ("KP101", 121, "fixtures/helm/shop/templates/deployment.yaml", 34),
    ("KP103", 121, "fixtures/helm/shop/templates/deployment.yaml", 34),
    ("KP101", 124, "fixtures/helm/shop/templates/deployment.yaml", 37),
    ("KP102", 124, "fixtures/helm/shop/templates/deployment.yaml", 37),
    ("KP103", 124, "fixtures/helm/shop/templates/deployment.yaml", 37),
    ("KP102", 168, "fixtures/helm/shop/templates/worker.yaml", 39),
    ("KP103", 168, "fixtures/helm/shop/templates/worker.yaml", 39),
    ("KP101", 196, "fixtures/helm/shop/charts/redis/templates/statefulset.yaml", 22),
    ("KP102", 196, "fixtures/helm/shop/charts/redis/templates/statefulset.yaml", 22),
    ("KP103", 196, "fixtures/helm/shop/charts/redis/templates/statefulset.yaml", 22),
    ("KP101", 236, "fixtures/helm/shop/templates/hooks/migrate-job.yaml", 19),
    ("KP102", 236, "fixtures/helm/shop/templates/hooks/migrate-job.yaml", 19),
    ("KP103", 236, "fixtures/helm/shop/templates/hooks/migrate-job.yaml", 19),
    ("KP101", 255, "fixtures/helm/shop/templates/tests/test-connection.yaml", 11),
    ("KP102", 255, "fixtures/helm/shop/templates/tests/test-connection.yaml", 11),
    ("KP103", 255, "fixtures/helm/shop/templates/tests/test-connection.yaml", 11),
]


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    return ROOT


def triples(result):
    return [(f.rule_id, f.location.line, f.location.origin, f.location.origin_line) for f in result.findings]


# --------------------------------------------------------------------------- the real corpus


HELM_OUTPUTS = [
    "argo-cd/manifests/ha/base/redis-ha/chart/upstream.yaml",
    "aws-ebs-csi/deploy/kubernetes/base/controller.yaml",
    "aws-ebs-csi/deploy/kubernetes/base/node.yaml",
    "vpc-cni/config/master/aws-k8s-cni.yaml",
    "vpc-cni/config/master/cni-metrics-helper.yaml",
    "aws-lbc/test/prow/cert_manager.yaml",
]


@pytest.mark.corpus
@pytest.mark.parametrize("rel", HELM_OUTPUTS)
def test_corpus_helm_outputs_carry_their_template_origin(real_corpus, rel):
    path = real_corpus / rel
    text = path.read_text(encoding="utf-8")
    result = run(RunOptions(paths=(str(path),), select=("KP1",)))
    lines = text.splitlines()
    checked = 0
    for res in result.inventory.resources:
        before = lines[: res.doc.line - 1]
        # the # Source: comment between the previous document separator and this document
        start = max((i for i, ln in enumerate(before) if ln.startswith("---")), default=-1)
        sources = [ln[len("# Source: "):].strip() for ln in before[start + 1:] if ln.startswith("# Source: ")]
        if sources:
            assert res.doc.origin == sources[-1], res
            split = split_origin(res.doc.origin)
            assert split is not None, res.doc.origin
            assert split[2].startswith(("templates/", "crds/")), res.doc.origin
            checked += 1
    assert checked == len(re.findall(r"^# Source: ", text, re.M))
    for f in result.findings:
        res_origin = next(r.doc.origin for r in result.inventory.resources if r.ref == f.obj)
        assert f.location.origin == res_origin
        assert f.location.origin_line is None  # no --chart-dir: Helm's origin, unresolved
        assert edit_target(f.location) == (f.location.path, f.location.line)


@pytest.mark.corpus
def test_corpus_expected_origins(real_corpus):
    """EXPECTED.md items 8, 9 and 53: the origins a reader must report."""
    found = {}
    for rel in ("aws-ebs-csi/deploy/kubernetes/base/controller.yaml", "vpc-cni/config/master/aws-k8s-cni.yaml",
                "argo-cd/manifests/ha/base/redis-ha/chart/upstream.yaml"):
        result = run(RunOptions(paths=(str(real_corpus / rel),), select=("KP1",)))
        for res in result.inventory.resources:
            found[(res.kind, res.name)] = res.doc.origin
    assert found[("Deployment", "ebs-csi-controller")] == "aws-ebs-csi-driver/templates/controller.yaml"
    assert found[("DaemonSet", "aws-node")] == "aws-vpc-cni/templates/daemonset.yaml"
    redis_sa = found[("ServiceAccount", "argocd-redis-ha")]
    assert redis_sa == "redis-ha/charts/redis-ha/templates/redis-ha-serviceaccount.yaml"
    assert split_origin(redis_sa) == (
        "redis-ha", ("redis-ha",), "templates/redis-ha-serviceaccount.yaml")


# --------------------------------------------------------------------------- the fixture chart


def test_chart_dir_puts_findings_on_template_lines(in_root):
    result = run(RunOptions(paths=(AWS,), chart_dirs=(CHART,), select=RESOURCES))
    assert triples(result) == EXPECTED_AWS
    for f in result.findings:
        template = Path(f.location.origin).read_text().splitlines()
        line = template[f.location.origin_line - 1]
        expected = "resources:" if f.path.endswith("resources") else "- name:"
        assert expected in line, (f.path, line)
        assert edit_target(f.location) == (f.location.origin, f.location.origin_line)


def test_without_chart_dir_the_origin_is_helms(in_root):
    result = run(RunOptions(paths=(AWS,), select=RESOURCES))
    assert {f.location.origin for f in result.findings} == {
        "shop/templates/deployment.yaml", "shop/templates/worker.yaml", "shop/charts/redis/templates/statefulset.yaml",
        "shop/templates/hooks/migrate-job.yaml", "shop/templates/tests/test-connection.yaml",
    }
    assert all(f.location.origin_line is None for f in result.findings)


def test_origin_is_relative_to_the_working_directory(monkeypatch):
    monkeypatch.chdir(HELM)
    result = run(RunOptions(paths=("rendered/shop-gcp.yaml",), chart_dirs=("shop",), select=RESOURCES))
    first = result.findings[0]
    assert (first.location.origin, first.location.origin_line) == ("shop/templates/deployment.yaml", 34)


def test_stdin_with_chart_dir_json_report(in_root):
    raw = (ROOT / GCP).read_bytes()
    out = CliRunner().invoke(main, ["lint", "-", "--chart-dir", CHART, "-f", "json", "--select", ",".join(RESOURCES)],
                             input=raw)
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    first = report["findings"][0]
    assert first["file"] == "<stdin>"
    assert first["origin"] == {"file": "fixtures/helm/shop/templates/deployment.yaml", "line": 34}


def test_cloud_findings_land_on_template_lines(in_root):
    """The cloud rules' findings (annotations, node selectors, images, storage classes) map like the others."""
    result = run(RunOptions(paths=(AWS,), chart_dirs=(CHART,), select=("KP2", "KP3", "KP4", "KP5", "KP6"),
                            ignore=("KP25",)))
    found = {(f.rule_id, f.location.origin, f.location.origin_line) for f in result.findings}
    assert found == {
        ("KP401", "fixtures/helm/shop/templates/serviceaccount.yaml", 9),
        ("KP201", "fixtures/helm/shop/templates/service.yaml", 8),
        ("KP603", "fixtures/helm/shop/templates/deployment.yaml", 24),
        ("KP501", "fixtures/helm/shop/templates/deployment.yaml", 46),
        ("KP603", "fixtures/helm/shop/templates/worker.yaml", 34),
        ("KP501", "fixtures/helm/shop/templates/worker.yaml", 43),
        ("KP304", "fixtures/helm/shop/charts/redis/templates/statefulset.yaml", 36),
        ("KP603", "fixtures/helm/shop/templates/hooks/migrate-job.yaml", 20),
    }
    for f in result.findings:  # the template line holds the key, or the mapping its templated keys go under
        line = Path(f.location.origin).read_text().splitlines()[f.location.origin_line - 1]
        assert line.strip().startswith(("annotations:", "image:", "nodeSelector:", "storageClassName:")), (f.path, line)


def test_text_report_names_the_template(in_root):
    out = CliRunner().invoke(main, ["lint", AWS, "--chart-dir", CHART, "--select", "KP101", "--no-color"])
    assert "origin: fixtures/helm/shop/charts/redis/templates/statefulset.yaml:22" in out.stdout


def test_concatenated_releases_of_two_charts(in_root, tmp_path):
    """Two releases of shop (aws, gcp) and one of another chart in one stream, each chart named once."""
    other = tmp_path / "cache"
    (other / "templates").mkdir(parents=True)
    (other / "Chart.yaml").write_text("apiVersion: v2\nname: cache\nversion: 1.0.0\n")
    (other / "templates" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-cache\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: memcached\n          image: memcached:1.6\n"
    )
    cache_render = (
        "---\n# Source: cache/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        "  name: c-cache\nspec:\n  template:\n    spec:\n      containers:\n        - name: memcached\n"
        "          image: memcached:1.6\n"
    )
    stream = (ROOT / AWS).read_text() + (ROOT / GCP).read_text() + cache_render
    result = run(RunOptions(inputs=(("all.yaml", stream.encode()),), chart_dirs=(CHART, str(other)),
                            select=("KP101",)))
    lines = [(f.location.origin, f.location.origin_line) for f in result.findings]
    shop = [x for x in lines if "shop" in x[0]]
    assert len(shop) == 2 * 5
    assert shop[:5] == shop[5:]  # both releases land on the same template lines
    assert ("fixtures/helm/shop/templates/worker.yaml", 39) not in lines  # KP101: worker sets a CPU request
    cache = [x for x in lines if "cache" in x[0]]
    assert len(cache) == 1
    assert cache[0][1] == 9
    assert cache[0][0].endswith("cache/templates/deployment.yaml")


def test_packaged_subchart_stays_unresolved(tmp_path, in_root):
    chart = tmp_path / "shop"
    shutil.copytree(HELM / "shop", chart)
    shutil.rmtree(chart / "charts" / "redis")
    (chart / "charts" / "redis-0.3.0.tgz").write_bytes(b"\x1f\x8b")
    result = run(RunOptions(paths=(AWS,), chart_dirs=(str(chart),), select=("KP101",)))
    redis = [f for f in result.findings if f.obj is not None and f.obj.name == "prod-redis"]
    assert redis
    assert all(f.location.origin == "shop/charts/redis/templates/statefulset.yaml" for f in redis)
    assert all(f.location.origin_line is None for f in redis)
    others = [f for f in result.findings if f not in redis]
    assert all(f.location.origin_line is not None for f in others)


def test_local_dependency_and_alias(tmp_path):
    root = tmp_path / "umbrella"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n"
        "  - name: redis\n    alias: cache\n    repository: file://../redis\n    version: 0.3.0\n"
    )
    shutil.copytree(HELM / "shop" / "charts" / "redis", tmp_path / "redis")
    index = ChartIndex([str(root)])
    assert index.resolve("umbrella/charts/cache/templates/statefulset.yaml") == tmp_path / "redis" / "templates" / (
        "statefulset.yaml")
    assert index.resolve("umbrella/charts/missing/templates/statefulset.yaml") is None
    assert index.resolve("umbrella/../../etc/passwd") is None


@pytest.mark.parametrize("fmt", ["sarif", "github"])
def test_ci_formats_land_on_template_files(in_root, fmt):
    """The contract with the CI formats (their own issue): annotations use ``edit_target``."""
    from kportable.plugins.manager import get_registry

    if fmt not in get_registry().formats:
        pytest.skip(f"no {fmt} output format registered on this branch")
    out = CliRunner().invoke(main, ["lint", AWS, "--chart-dir", CHART, "--select", "KP101", "-f", fmt])
    if fmt == "sarif":
        places = {
            (loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
            for result in json.loads(out.stdout)["runs"][0]["results"]
            for loc in result["locations"]
        }
    else:
        places = {(m.group(1), int(m.group(2))) for m in re.finditer(r"file=([^,]+),line=(\d+)", out.stdout)}
    for rule, _, template, line in EXPECTED_AWS:
        if rule == "KP101":
            assert any(uri.endswith(template) and n == line for uri, n in places), (template, line, places)


def test_chart_dir_must_be_a_chart(in_root):
    out = CliRunner().invoke(main, ["lint", AWS, "--chart-dir", "fixtures/helm"])
    assert out.exit_code == 2
    assert "not a Helm chart (no Chart.yaml in it)" in out.stderr


def test_edit_target_contract():
    plain = Location("a.yaml", 3, 1)
    helm_unresolved = Location("a.yaml", 3, 1, origin="shop/templates/x.yaml")
    resolved = Location("a.yaml", 3, 1, origin="charts/shop/templates/x.yaml", origin_line=12)
    assert edit_target(plain) == ("a.yaml", 3)
    assert edit_target(helm_unresolved) == ("a.yaml", 3)
    assert edit_target(resolved) == ("charts/shop/templates/x.yaml", 12)


# --------------------------------------------------------------------------- raw templates (KP030)


def test_walking_a_chart_skips_every_template(in_root):
    result = run(RunOptions(paths=(CHART,)))
    kp030 = sorted(f.location.path for f in result.findings if f.rule_id == "KP030")
    templates = sorted(str(p.relative_to(ROOT)) for p in (ROOT / CHART).rglob("templates/**/*.yaml"))
    assert kp030 == templates
    assert "fixtures/helm/shop/templates/pdb.yaml" in kp030  # parses as YAML, but lies in a chart's templates/
    assert [f.rule_id for f in result.findings if f.rule_id != "KP030"] == []
    assert all("helm template RELEASE fixtures/helm/shop" in f.message for f in result.findings)
    assert result.stats.resources == 0  # Chart.yaml and values files are not objects; templates not linted


def test_template_outside_a_chart_that_parses_is_linted(tmp_path):
    manifest = tmp_path / "templates" / "cm.yaml"
    manifest.parent.mkdir()
    manifest.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  motd: "{{ .Values.motd }}"\n')
    result = run(RunOptions(paths=(str(tmp_path),)))
    assert result.stats.resources == 1
    assert not result.findings
