"""Kustomize: built, not read file by file; every finding points at the base, patch or kustomization line."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from render_rules import RenderRules

from kportable.api import RunOptions, run
from kportable.cli import main
from kportable.errors import UserError
from kportable.plugins.manager import build_registry
from kportable.render.kustomize import ORIGIN_ANNOTATION, find_tool, plan

HAVE_TOOL = bool(shutil.which("kustomize") or shutil.which("kubectl"))
needs_tool = pytest.mark.skipif(not HAVE_TOOL, reason="neither kustomize nor kubectl is on PATH")

KUST = "fixtures/kustomize"
EKS = "<kustomize build fixtures/kustomize/overlays/eks>"
GKE = "<kustomize build fixtures/kustomize/overlays/gke>"
KD = "fixtures/kustomize/"

# (build, rule, key path, file a person edits, line there)
EXPECTED = [
    (EKS, "TEST902", 'metadata.annotations["eks.amazonaws.com/role-arn"]', KD + "overlays/eks/kustomization.yaml", 18),
    (EKS, "KP103", "spec.template.spec.containers[0].resources", KD + "overlays/eks/node-selector.yaml", 12),
    (EKS, "TEST901", "spec.template.spec.containers[1].image", KD + "overlays/eks/kustomization.yaml", 21),
    (EKS, "KP101", "spec.template.spec.containers[1].resources", KD + "base/deployment.yaml", 21),
    (EKS, "KP103", "spec.template.spec.containers[1].resources", KD + "base/deployment.yaml", 21),
    (EKS, "TEST901", 'spec.template.spec.nodeSelector["eks.amazonaws.com/nodegroup"]',
     KD + "overlays/eks/node-selector.yaml", 9),
    (GKE, "TEST902", 'metadata.annotations["iam.gke.io/gcp-service-account"]',
     KD + "overlays/gke/workload-identity.yaml", 6),
    (GKE, "TEST903", "data.LOG_LEVEL", KD + "overlays/gke/kustomization.yaml", 21),
    (GKE, "TEST901", "spec.template.spec.containers[0].image", KD + "overlays/gke/kustomization.yaml", 18),
    (GKE, "KP101", "spec.template.spec.containers[0].resources", KD + "base/deployment.yaml", 21),
    (GKE, "KP103", "spec.template.spec.containers[0].resources", KD + "base/deployment.yaml", 21),
    (GKE, "KP101", "spec.template.spec.containers[1]", KD + "base/deployment.yaml", 24),
    (GKE, "KP102", "spec.template.spec.containers[1]", KD + "base/deployment.yaml", 24),
    (GKE, "KP103", "spec.template.spec.containers[1]", KD + "base/deployment.yaml", 24),
    (GKE, "TEST901", 'spec.template.spec.nodeSelector["cloud.google.com/gke-nodepool"]',
     KD + "overlays/gke/node-pool.json6902.yaml", 4),
]


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(scope="module")
def registry():
    return build_registry(plugins=[RenderRules])


# Input problems, the container-resources rules and the test plugin's cloud rules: EXPECTED follows their findings
# through the builds (the real cloud and hygiene rules are checked in test_real_rules_map_through_builds).
RULES = ("KP0", "KP101", "KP102", "KP103", "TEST9")


def lint(registry, *paths, **kw):
    kw.setdefault("select", RULES)
    return run(RunOptions(paths=paths, kustomize_build=kw.pop("build", True), **kw), registry)


def rows(result):
    return [(f.location.path, f.rule_id, f.path, f.location.origin, f.location.origin_line) for f in result.findings]


@needs_tool
def test_walk_builds_the_overlays_and_maps_every_finding(in_root, registry):
    result = lint(registry, KUST)
    assert rows(result) == EXPECTED
    assert result.extras["kustomize"] == {"builds": [KD + "overlays/eks", KD + "overlays/gke"]}
    assert result.stats.files == 2  # two builds; no base, patch or component read as a plain file
    for f in result.findings:
        assert Path(f.location.origin).is_file()


@needs_tool
def test_origin_annotations_are_stripped(in_root, registry):
    result = lint(registry, KUST)
    assert result.inventory.resources
    for res in result.inventory.resources:
        assert ORIGIN_ANNOTATION not in res.annotations
        meta = res.data["metadata"]
        assert "annotations" not in meta or meta["annotations"], res  # no empty mapping left behind
    service = next(r for r in result.inventory.resources if r.kind == "Service" and r.name == "eks-web")
    assert "annotations" not in service.data["metadata"]
    assert service.doc.origin == KD + "base/service.yaml"


@needs_tool
def test_named_overlay_and_named_kustomization_file(in_root, registry):
    by_dir = lint(registry, KD + "overlays/gke")
    by_file = lint(registry, KD + "overlays/gke/kustomization.yaml")
    assert rows(by_dir) == rows(by_file) == [r for r in EXPECTED if r[0] == GKE]


@needs_tool
def test_a_named_base_is_built_on_its_own(in_root, registry):
    result = lint(registry, KD + "base")
    assert {f.location.path for f in result.findings} == {"<kustomize build fixtures/kustomize/base>"}
    assert {(f.location.origin, f.location.origin_line) for f in result.findings} == {
        (KD + "base/deployment.yaml", 21), (KD + "base/deployment.yaml", 24)}


@needs_tool
def test_real_rules_map_through_builds(in_root):
    """The built-in cloud rules and schema validation on built output: the same places as the test rules."""
    result = run(RunOptions(paths=(KUST,), kustomize_build=True, select=("KP0", "KP4", "KP5", "KP6")))
    assert [(r[0], r[1], r[3], r[4]) for r in rows(result)] == [
        (EKS, "KP401", KD + "overlays/eks/kustomization.yaml", 18),
        (EKS, "KP603", KD + "overlays/eks/kustomization.yaml", 21),
        (EKS, "KP501", KD + "overlays/eks/node-selector.yaml", 9),
        (GKE, "KP401", KD + "overlays/gke/workload-identity.yaml", 6),
        (GKE, "KP603", KD + "overlays/gke/kustomization.yaml", 18),
        (GKE, "KP501", KD + "overlays/gke/node-pool.json6902.yaml", 4),
    ]
    assert result.schema is not None
    assert (result.schema.validated, result.schema.skipped) == (8, 0)  # every built object, none left out


def test_plan_roots_and_covered_directories(in_root):
    p = plan([KUST])
    assert [k.display_dir for k in p.roots] == [KD + "overlays/eks", KD + "overlays/gke"]
    assert p.covered == [KD + "base", KD + "components/high-availability", KD + "overlays/eks", KD + "overlays/gke"]
    assert p.covers(KD + "overlays/eks/node-selector.yaml")
    assert not p.covers("fixtures/kustomize-other/x.yaml")


def test_no_build_reads_files_and_skips_kustomizations(in_root, registry):
    result = lint(registry, KUST, build=False)
    assert result.extras == {"kustomize": {"builds": [], "kustomization_files_skipped": 4}}
    assert {f.location.path for f in result.findings} >= {KD + "base/deployment.yaml"}
    assert all(f.location.origin is None for f in result.findings)
    assert not any(r.kind in ("Kustomization", "Component") for r in result.inventory.resources)
    out = CliRunner().invoke(main, ["lint", KUST, "--no-build", "--no-color"])
    assert "4 kustomization files skipped" in out.stdout


@pytest.mark.corpus
def test_patch_string_annotation_is_not_reported_on_the_kustomization(real_corpus):
    """EXPECTED.md 34: the GKE annotation inside the spanner component's patches is not a finding on it."""
    path = real_corpus / "online-boutique/kustomize/components/spanner/kustomization.yaml"
    registry = build_registry(plugins=[RenderRules])
    result = run(RunOptions(paths=(str(path),)), registry)
    assert result.findings == ()
    assert result.stats.resources == 0
    assert result.extras["kustomize"]["kustomization_files_skipped"] == 1


@needs_tool
def test_build_failure_is_a_finding_with_the_tools_message(tmp_path, monkeypatch, registry):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text("resources:\n  - deployment.yaml\n  - missing.yaml\n")
    (overlay / "deployment.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    monkeypatch.chdir(tmp_path)
    first = lint(registry, "overlay")
    again = lint(registry, "overlay")
    [f] = first.findings
    assert (f.rule_id, f.location.path, f.location.line) == ("KP031", "overlay/kustomization.yaml", 1)
    # kustomize's nested "accumulating resources ... must resolve to a file ... lstat" chain, cut to its news
    assert f.message == "kustomize build of overlay failed: overlay/missing.yaml does not exist"
    assert "kportable-kustomize-" not in f.message
    assert str(tmp_path) not in f.message
    assert not any(token in f.message for token in ("E11", "run.go"))  # no klog prefix, timestamp or pid
    assert f.message == again.findings[0].message
    assert first.stats.resources == 0  # its files are not linted one by one either


def _recording_tool(tmp_path: Path) -> Path:
    marker = tmp_path / "ran"
    tool = tmp_path / "fake-kustomize"
    tool.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return tool


def test_remote_base_is_reported_without_running_the_build(tmp_path, monkeypatch, registry):
    tool = _recording_tool(tmp_path)
    overlay = tmp_path / "prod"
    (overlay / "base").mkdir(parents=True)
    (overlay / "base" / "kustomization.yaml").write_text(
        "resources:\n- https://github.com/example/app//deploy?ref=v1.2.0\n")
    (overlay / "kustomization.yaml").write_text(
        "resources:\n- base\n- github.com/kubernetes-sigs/metrics-server/manifests/base?ref=v0.7.2\n")
    monkeypatch.chdir(tmp_path)
    result = run(RunOptions(paths=("prod",), kustomize_build=True, kustomize_bin=str(tool)), registry)
    assert not (tmp_path / "ran").exists()
    got = [(f.rule_id, f.location.path, f.location.line) for f in result.findings]
    assert got == [("KP031", "prod/base/kustomization.yaml", 2), ("KP031", "prod/kustomization.yaml", 3)]
    assert "never fetches over the network" in result.findings[1].message


def test_neither_tool_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UserError, match="neither `kustomize` nor `kubectl`"):
        find_tool()
    monkeypatch.chdir(ROOT)
    out = CliRunner().invoke(main, ["lint", KUST])
    assert out.exit_code == 2
    assert "neither `kustomize` nor `kubectl` was found on PATH" in out.stderr
    assert "--no-build" in out.stderr
    ok = CliRunner().invoke(main, ["lint", KUST, "--no-build"])
    assert ok.exit_code == 1  # linted file by file instead


@needs_tool
def test_output_is_deterministic(in_root):
    first = CliRunner().invoke(main, ["lint", KUST, "-f", "json", "-j", "2"]).stdout
    second = CliRunner().invoke(main, ["lint", KUST, "-f", "json", "-j", "1"]).stdout
    assert first == second
    assert '"origin": {"file": "fixtures/kustomize/' in first


@needs_tool
def test_cli_json_and_text(in_root):
    out = CliRunner().invoke(main, ["lint", KD + "overlays/eks", "-f", "json"])
    report = json.loads(out.stdout)
    assert report["kustomize"] == {"builds": [KD + "overlays/eks"]}
    origins = {(f["origin"]["file"], f["origin"]["line"]) for f in report["findings"]}
    assert (KD + "overlays/eks/node-selector.yaml", 12) in origins
    text = CliRunner().invoke(main, ["lint", KD + "overlays/eks", "--no-color"]).stdout
    assert "origin: fixtures/kustomize/base/deployment.yaml:21" in text
    assert "kustomize: built 1 kustomization (fixtures/kustomize/overlays/eks)." in text


def test_text_summary_names_a_few_builds():
    from kportable.report.rendered import kustomize_lines

    builds = [f"overlays/{n}" for n in ("aks", "eks", "gke", "kind", "prod")]
    (line,) = kustomize_lines({"builds": builds, "kustomization_files_skipped": 1})
    assert line.plain == ("kustomize: built 5 kustomizations (overlays/aks, overlays/eks, overlays/gke and 2 more; "
                          "the JSON report lists them all); 1 kustomization file skipped (kustomize configuration, "
                          "not objects).")


@needs_tool
@pytest.mark.corpus
def test_corpus_overlays_map_to_files_that_exist(real_corpus, monkeypatch, registry):
    """aws-ebs-csi: stable, ecr and gcr build on ecr-public, which builds on the base (itself helm output)."""
    monkeypatch.chdir(real_corpus)
    result = lint(registry, "aws-ebs-csi/deploy/kubernetes")
    builds = result.extras["kustomize"]["builds"]
    stable = "aws-ebs-csi/deploy/kubernetes/overlays/stable"
    assert builds == [stable, f"{stable}/ecr", f"{stable}/gcr"]
    # the ecr overlay's images transformer swaps the driver image to the EKS account registry (its line 7)
    ecr = [f for f in result.findings if f.rule_id == "TEST901"]
    assert [(f.location.path, f.location.origin, f.location.origin_line) for f in ecr] == [
        (f"<kustomize build {stable}/ecr>", f"{stable}/ecr/kustomization.yaml", 7)] * 2
    for f in result.findings:
        assert f.location.path.startswith("<kustomize build ")
        assert f.location.origin_line is not None, f
        assert os.path.isfile(f.location.origin), f


LEGACY_OVERLAY = """\
resources:
- ../base
namespace: prod
nameSuffix: -v2
commonLabels:
  team: storefront
commonAnnotations:
  owner: shop
replicas:
- name: web
  count: 5
patchesStrategicMerge:
- |-
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    template:
      spec:
        nodeSelector:
          cloud.google.com/gke-nodepool: pool-a
patchesJson6902:
- target:
    version: v1
    kind: ServiceAccount
    name: web
  patch: |-
    - op: add
      path: /metadata/annotations
      value:
        iam.gke.io/gcp-service-account: x@y.iam.gserviceaccount.com
"""


@needs_tool
def test_inline_patches_and_transformers(tmp_path, monkeypatch, registry):
    """Deprecated patch fields with inline strings, and the transformers a value can come from."""
    from kportable.model import resources_of
    from kportable.render.kustomize_origin import YamlFiles, locate_in_build
    from kportable.render.pipeline import RenderStage

    shutil.copytree(ROOT / KUST / "base", tmp_path / "base")
    (tmp_path / "ov").mkdir()
    (tmp_path / "ov" / "kustomization.yaml").write_text(LEGACY_OVERLAY)
    monkeypatch.chdir(tmp_path)
    result = lint(registry, "ov")
    ties = {
        f.rule_id: (f.location.origin, f.location.origin_line) for f in result.findings if f.rule_id.startswith("TEST")
    }
    # the JSON 6902 patch replaced the annotations (kustomize's origin annotation too): found all the same
    assert ties == {"TEST902": ("ov/kustomization.yaml", 32), "TEST901": ("ov/kustomization.yaml", 22)}

    stage = RenderStage(RunOptions(paths=("ov",), kustomize_build=True))
    stage.expand([])
    [build] = stage.builds.values()
    deployment = next(r for d in build.sources[0].documents for r in resources_of(d)[0] if r.kind == "Deployment")
    files, cwd = YamlFiles(), os.path.realpath(os.getcwd())
    where = {p: locate_in_build(build, deployment, p, files, cwd) for p in [
        ("metadata", "namespace"), ("metadata", "name"), ("metadata", "labels", "team"),
        ("metadata", "annotations", "owner"), ("spec", "replicas"), ("spec", "selector"),
    ]}
    assert where == {
        ("metadata", "namespace"): ("ov/kustomization.yaml", 3),
        ("metadata", "name"): ("ov/kustomization.yaml", 4),
        ("metadata", "labels", "team"): ("ov/kustomization.yaml", 6),
        ("metadata", "annotations", "owner"): ("ov/kustomization.yaml", 8),
        ("spec", "replicas"): ("ov/kustomization.yaml", 11),
        ("spec", "selector"): ("base/deployment.yaml", 7),
    }
