"""kportable port, verified with kustomize: every overlay builds, and

1. the source overlay rebuilds the original objects (semantic equality of the parsed objects);
2. ``base/`` lints with no cloud tie (informational ones aside);
3. every other overlay lints with no tie that costs on its cloud (so none to the source cloud).

Runs on fixtures/demo from each cloud, on the cloud-tied seeds, and on the real corpus's
cloud-tied samples (AWS Load Balancer Controller examples, eks-workshop, GKE samples, AKS store
demo), one sample directory at a time. Skipped when neither ``kustomize`` nor ``kubectl`` is on PATH.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES

from kportable.errors import UserError
from kportable.plugins.manager import get_registry
from kportable.port import plan_paths, write_plan
from kportable.port.plan import summarize
from kportable.port.verify import build, parse_objects, verify
from kportable.render.kustomize import find_tool

DEMO = FIXTURES / "demo"
SEEDS = ("003-batch-processor-spot.yaml", "004-irsa-model-runner-serviceaccount.derived.yaml",
         "003-external-secrets.yaml", "004-karpenter-spot-provisioner.yaml", "003-cluster-autoscaler.yaml",
         "004-cost-placement-affinity.yaml")
#: Real-corpus roots with their source cloud.
CORPUS_ROOTS = (("aws-lbc", "eks"), ("eks-workshop", "eks"), ("gke-samples", "gke"), ("aks-store-demo", "aks"))


@pytest.fixture(scope="module")
def tool() -> list[str]:
    try:
        return find_tool()
    except UserError:
        pytest.skip("neither kustomize nor kubectl is on PATH: overlays cannot be built")


def port_and_verify(paths: list[str], source: str, out: Path, tool: list[str]):
    registry = get_registry()
    plan = plan_paths(paths, source=source, registry=registry)
    write_plan(plan, str(out))
    return plan, verify(plan, str(out), registry, tool)


@pytest.mark.parametrize("source", ["eks", "gke", "aks"])
def test_demo_ports_from_every_cloud(source, tmp_path, tool):
    plan, outcome = port_and_verify([str(DEMO)], source, tmp_path, tool)
    assert outcome.ok, outcome.describe()
    assert [c.name for c in outcome.checks] == ["base", *(f"overlays/{t}" for t in plan.targets)]


def test_source_overlay_equals_the_parsed_originals(tmp_path, tool):
    """Stricter than the kustomize-to-kustomize comparison: the demo has no scalar that kustomize
    reinterprets, so the source overlay equals the originals as kportable's loader reads them."""
    plan, outcome = port_and_verify([str(DEMO)], "eks", tmp_path, tool)
    assert outcome.ok
    text, error = build(tmp_path / "overlays" / "eks", tool)
    assert not error
    built = parse_objects(text)
    originals = {(r.api_version, r.kind, (r.data.get("metadata") or {}).get("namespace", ""), r.name): r.data
                 for o in plan.objects for r in [o.resource]}
    assert {(k[0], k[1], k[2], k[3]) for k in built} == {(a, k, n or "", m) for a, k, n, m in originals}
    for (api, kind, ns, name), data in originals.items():
        assert built[(api, kind, ns or "", name)] == data


def test_target_overlays_carry_the_equivalents(tmp_path, tool):
    port_and_verify([str(DEMO)], "eks", tmp_path, tool)
    objects = {}
    for cloud in ("aks", "gke"):
        text, error = build(tmp_path / "overlays" / cloud, tool)
        assert not error
        objects[cloud] = parse_objects(text)
    aks_sa = objects["aks"][("v1", "ServiceAccount", "shop", "storefront")]
    assert aks_sa["metadata"]["annotations"] == {"azure.workload.identity/client-id": "REPLACE-ME-CLIENT-ID"}
    aks_web = objects["aks"][("apps/v1", "Deployment", "shop", "storefront")]
    assert aks_web["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    assert aks_web["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "REPLACE-ME-REGISTRY.azurecr.io/shop/storefront:2.4.1"
    gke_ing = objects["gke"][("networking.k8s.io/v1", "Ingress", "shop", "storefront")]
    assert gke_ing["metadata"]["annotations"] == {"kubernetes.io/ingress.class": "gce"}
    assert "ingressClassName" not in gke_ing["spec"]
    gke_db = objects["gke"][("apps/v1", "StatefulSet", "shop", "orders-db")]
    assert gke_db["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "portable-rwo"
    assert objects["gke"][("storage.k8s.io/v1", "StorageClass", "", "portable-rwo")]["provisioner"] == \
        "pd.csi.storage.gke.io"


def test_seeds_port_from_eks(seeds_corpus, tmp_path, tool):
    _, outcome = port_and_verify([str(seeds_corpus / name) for name in SEEDS], "eks", tmp_path, tool)
    assert outcome.ok, outcome.describe()
    text, _ = build(tmp_path / "overlays" / "aks", tool)
    batch = parse_objects(text)[("apps/v1", "Deployment", "", "batch-processor")]["spec"]["template"]["spec"]
    assert batch["nodeSelector"] == {"kubernetes.azure.com/scalesetpriority": "spot"}
    assert {"key": "kubernetes.azure.com/scalesetpriority", "operator": "Equal", "value": "spot",
            "effect": "NoSchedule"} in batch["tolerations"]
    todo = (tmp_path / "overlays" / "gke" / "TODO.md").read_text()
    assert "iam.gke.io/gcp-service-account" in todo  # the IRSA ServiceAccount's value to fill in
    assert "KP601 Provisioner -/spot-provisioner apiVersion" in todo  # Karpenter on GKE: a human decides


def corpus_units(root: Path) -> list[list[str]]:
    """The manifests of each directory (not its subdirectories) as one bundle."""
    folders = sorted({p.parent for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json")})
    return [sorted(str(p) for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))
            for folder in folders]


@pytest.mark.corpus
def test_real_corpus_samples_port_and_verify(real_corpus, tmp_path, tool):
    """Each directory is one bundle; one kustomize cannot take as a whole (two versions of one object,
    kustomize patches next to their base) is ported file by file."""
    registry = get_registry()
    totals: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    failures = []
    for root, source in CORPUS_ROOTS:
        for files in corpus_units(real_corpus / root):
            try:
                plans = [plan_paths(files, source=source, registry=registry)]
            except UserError:
                plans = []
                for path in files:
                    try:
                        plans.append(plan_paths([path], source=source, registry=registry))
                    except UserError as exc:
                        reason = "no metadata.name" if "no metadata.name" in exc.message else "duplicate objects"
                        totals[f"files not ported ({reason})"] += 1
            for plan in plans:
                if not plan.items:
                    continue
                out = tmp_path / f"u{totals['bundles']}"
                write_plan(plan, str(out))
                outcome = verify(plan, str(out), registry, tool)
                totals["bundles"] += 1
                if not outcome.ok:
                    failures.append(([f.path for f in plan.files], [x for x in outcome.describe() if "ok (" not in x]))
                summary = summarize(plan)
                totals["objects"] += len(plan.objects)
                totals["objects changed"] += summary.objects
                totals["port cleanly"] += summary.clean
                reasons.update(summary.reasons)
    print("\nport corpus:", dict(totals), "\nneeds a human, by reason:", dict(reasons.most_common()))
    assert not failures, failures[:5]
    assert totals["bundles"] >= 100
    assert 0 < totals["port cleanly"] < totals["objects changed"]


def test_overlay_kustomization_is_plain_kustomize(tmp_path, tool):
    port_and_verify([str(DEMO)], "eks", tmp_path, tool)
    kustomization = yaml.safe_load((tmp_path / "overlays" / "gke" / "kustomization.yaml").read_text())
    assert kustomization["resources"][0] == "../../base"
    for patch in kustomization["patches"]:
        ops = yaml.safe_load(patch["patch"])
        assert all(op["op"] in ("add", "remove", "replace") for op in ops)
