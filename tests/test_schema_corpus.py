"""The schema rules on the real corpus and the seeds: no crash, and every finding a genuine one.

Findings were spot-checked by hand (see the issue-9 report). KP002 findings may only come from
the files listed in ``GENUINE_SCHEMA_ERRORS``, each broken on purpose or as a fragment.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from kportable.api import RunOptions, RunResult, run

pytestmark = pytest.mark.corpus

RULES = ("KP002", "KP003", "KP008", "KP010", "KP011")

EKS_PATCHES = "eks-workshop/manifests/modules/"
GENUINE_SCHEMA_ERRORS = {
    # kustomize strategic-merge patches: partial Deployments without selector/template/containers
    EKS_PATCHES: "kustomize patch",
    "azure-aks/examples/kube-prometheus/kubernetes-serviceMonitorCoreDNS_patch.yaml": "kustomize patch",
    "azure-aks/examples/kube-prometheus/node-exporter-daemonset.yaml": "kustomize patch",
    "kube-linter/pkg/templates/sortedkeys/testdata/container-with-merge.yaml": "test fragment without selector",
    # envsubst / placeholder templates: "${REPLICAS:-1}", "PORT", "<service-port>"
    # ({{cell}} in k8s-examples/_archived/storage/vitess/ is KP001's alone: a mapping used as a key)
    "gke-samples/ai-ml/infw-gw/examples/getting-started/inference-pool-variables.yaml": "envsubst template",
    "gke-samples/networking/sctp/sctp-deployment.yaml": "placeholder PORT",
    "aws-lbc/docs/examples/cognito-ingress-template.yaml": "placeholder <service-port>",
    # real mistakes
    "gke-samples/ai-ml/infw-gw/examples/getting-started/inference-pool.yaml": "roleRef without apiGroup",
    "aws-lbc/config/samples/elbv2_v1alpha1_targetgroupbinding.yaml": "sample spec `foo: bar` (CRD in corpus)",
    "gke-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml": "spec against the bundled CRD",
    "gke-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml": "spec against the CRD",
}

REMOVED_AZURE_CLASSES = [
    f"k8s-examples/_archived/volumes/azure_disk/claim/{d}/storageclass-{n}.yaml"
    for d, n in (("blob-based-disk/account-specified-hdd", "account-hdd"),
                 ("blob-based-disk/dedicated-hdd", "dedicated-hdd"), ("blob-based-disk/shared-hdd", "shared-hdd"),
                 ("blob-based-disk/shared-ssd", "shared-ssd"), ("managed-disk/managed-hdd", "managed-hdd"),
                 ("managed-disk/managed-ssd", "managed-ssd"))
]


def lint_dir(root: Path, **options: object) -> RunResult:
    return run(RunOptions(paths=(str(root),), select=RULES, k8s_version="1.35", jobs=1, **options))  # type: ignore[arg-type]


def by_rule(result: RunResult, root: Path) -> dict[str, dict[str, list[tuple[int, str]]]]:
    out: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for f in result.findings:
        rel = str(Path(f.location.path).relative_to(root))
        out[f.rule_id][rel].append((f.location.line, f.message))
    return out


@pytest.fixture(scope="module")
def real(real_corpus: Path) -> tuple[RunResult, dict[str, dict[str, list[tuple[int, str]]]]]:
    result = lint_dir(real_corpus)
    return result, by_rule(result, real_corpus)


def test_real_corpus_validates_without_crash(real):
    result, _ = real
    assert not result.crashes
    assert result.schema is not None
    assert result.schema.validated > 1100
    assert result.schema.skipped > 140  # custom resources without a CRD in the corpus
    # kustomization files are build instructions, not objects: the render stage skips them
    assert not [kind for kind, _ in result.schema.skipped_kinds if kind.startswith("kustomize.config.k8s.io/")]


def test_every_schema_error_is_a_known_genuine_one(real):
    _, found = real
    for path in found["KP002"]:
        assert any(path == known or (known.endswith("/") and path.startswith(known))
                   for known in GENUINE_SCHEMA_ERRORS), f"unexpected KP002 finding in {path}: {found['KP002'][path]}"


def test_spot_checks(real):
    _, found = real
    assert (136, "`roleRef` is missing required field `apiGroup`") in found["KP002"][
        "gke-samples/ai-ml/infw-gw/examples/getting-started/inference-pool.yaml"]
    assert (33, '`spec.template.spec.containers[0].ports[0].containerPort` has the wrong type: expected integer, '
                'got string "PORT"') in found["KP002"]["gke-samples/networking/sctp/sctp-deployment.yaml"]
    assert found["KP003"] == {
        "azuredisk-csi/deploy/example/modifyvolume/volumeattributesclass.yaml": [
            (2, "storage.k8s.io/v1alpha1 VolumeAttributesClass 'premium2-disk-class' is not served by Kubernetes "
                "1.35; it serves VolumeAttributesClass as storage.k8s.io/v1, storage.k8s.io/v1beta1")],
        "k8s-examples/_archived/cloud-controller-manager/persistent-volume-label-initializer-config.yaml": [
            (1, "InitializerConfiguration 'pvlabel.kubernetes.io': the admissionregistration.k8s.io API "
                "group has no kind `InitializerConfiguration` in Kubernetes 1.35")],
    }
    assert sorted(found["KP008"]) == REMOVED_AZURE_CLASSES
    assert list(found["KP010"]) == ["k8s-examples/_archived/volumes/glusterfs/glusterfs-endpoints.yaml"]


def test_removed_cloud_volumes_of_expected_md(real, real_corpus):
    """EXPECTED.md items 45-49: in-tree cloud volumes and provisioners, once each, as cloud ties.

    KP011 reports the removed plugins no cloud profile ties (cinder, glusterfs); the cloud disks are
    KP305 (volumes) and KP301 (provisioners), which name the cloud and the removal.
    """
    _, found = real
    assert {(path, line) for path, hits in found["KP011"].items() for line, _ in hits} == {
        ("k8s-examples/_archived/persistent-volume-provisioning/cinder/cinder-storage-class.yaml", 5),
        ("k8s-examples/_archived/persistent-volume-provisioning/glusterfs/glusterfs-storageclass.yaml", 5),
        ("k8s-examples/_archived/volumes/cinder/cinder-web.yaml", 18),
        ("k8s-examples/_archived/volumes/glusterfs/glusterfs-pod.yaml", 14),
        ("k8s-examples/databases/mysql-cinder-pd/mysql.yaml", 31),
    }
    expected = {
        ("k8s-examples/_archived/persistent-volume-provisioning/aws-ebs.yaml", 5): ("KP301", "eks", "1.27"),
        ("k8s-examples/_archived/persistent-volume-provisioning/gce-pd.yaml", 5): ("KP301", "gke", "1.28"),
        ("k8s-examples/_archived/volumes/aws_ebs/aws-ebs-web.yaml", 18): ("KP305", "eks", "1.27"),
        ("k8s-examples/_archived/volumes/azure_disk/static-provisioning/managed-disk/"
         "pod-uses-existing-managed-disk.yaml", 20): ("KP305", "aks", "1.27"),
        ("k8s-examples/_archived/meteor/mongo-pod.json", 15): ("KP305", "gke", "1.28"),
    }
    paths = tuple(str(real_corpus / path) for path, _ in expected)
    result = run(RunOptions(paths=paths, select=("KP011", "KP301", "KP305"), k8s_version="1.35"))
    got = {(str(Path(f.location.path).relative_to(real_corpus)), f.location.line):
           (f.rule_id, ",".join(f.clouds), f.message) for f in result.findings}
    assert set(got) == set(expected)
    for where, (rule_id, cloud, removed) in expected.items():
        assert got[where][:2] == (rule_id, cloud), where
        assert f"in-tree plugin removed in Kubernetes {removed}" in got[where][2]


def test_seeds_known_invalid_manifests(seeds_corpus: Path):
    found = by_rule(lint_dir(seeds_corpus), seeds_corpus)
    missing_selector = (6, "`spec` is missing required field `selector`")
    for name in ("003-batch-processor-spot.yaml", "003-edge-app.yaml", "004-thanos-query.yaml"):
        assert found["KP002"][name] == [missing_selector]
    assert found["KP002"]["004-cost-placement-affinity.yaml"] == [
        missing_selector, (8, "`spec.template.spec` is missing required field `containers`")]
    assert found["KP002"]["003-gpu-ml-workload.yaml"] == [(19, "`spec` is missing required field `selector`")]
    assert found["KP008"] == {"003-security-policies.yaml": [
        (2, "policy/v1beta1 PodSecurityPolicy 'restricted' was removed in Kubernetes 1.25 with no replacement; "
            "rejected by every supported version of aks, eks, gke")]}  # the built-in cloud profiles' version windows
    assert set(found) == {"KP002", "KP008"}


def test_strict_mode_on_the_seeds_finds_no_unknown_fields(seeds_corpus: Path):
    result = lint_dir(seeds_corpus, schema_strict=True)
    assert [f for f in result.findings if "unknown field" in f.message] == []
