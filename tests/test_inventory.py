"""The workload graph: selection per namespace, edges between objects, linked objects."""

from __future__ import annotations

import pytest

from kportable.api import build_inventory
from kportable.load import parse_bytes

BUNDLE = b"""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      serviceAccountName: web-sa
      containers:
      - name: web
        image: nginx
        envFrom: [{configMapRef: {name: web-config}}]
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: web-data}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres}]
  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec: {storageClassName: gp3, accessModes: [ReadWriteOnce]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: front-only, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: tier, operator: In, values: [front]}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web-sa, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: web-data, namespace: shop}
spec: {storageClassName: standard-rwo}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard-rwo}
provisioner: pd.csi.storage.gke.io
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
"""


def inventory():
    inv, _ = build_inventory([parse_bytes("bundle.yaml", BUNDLE)], [], "default")
    return inv


def named(resources):
    return sorted(f"{r.kind} {r.namespace}/{r.name}" for r in resources)


def test_selection_is_per_namespace():
    inv = inventory()
    svc = inv.get("Service", "shop", "web")
    assert named(w.resource for w in inv.selected_workloads(svc)) == ["Deployment shop/web"]
    default_web = next(w for w in inv.workloads if w.namespace == "default")
    assert inv.selecting(default_web, "Service") == []


def test_empty_pod_selector_selects_the_whole_namespace():
    inv = inventory()
    deny = inv.get("NetworkPolicy", "shop", "deny-all")
    assert named(w.resource for w in inv.selected_workloads(deny)) == ["Deployment shop/web", "StatefulSet shop/db"]
    front = inv.get("NetworkPolicy", "shop", "front-only")
    assert named(w.resource for w in inv.selected_workloads(front)) == ["Deployment shop/web"]


def test_workload_edges():
    inv = inventory()
    web = inv.workload_of(inv.get("Deployment", "shop", "web"))
    assert web is not None
    assert inv.service_account_of(web).name == "web-sa"
    assert named(inv.hpas_for(web)) == ["HorizontalPodAutoscaler shop/web"]
    assert named(inv.selecting(web, "PodDisruptionBudget")) == ["PodDisruptionBudget shop/web"]
    (claim,) = inv.claims_of(web)
    assert (claim.name, claim.storage_class, claim.claim.name) == ("web-data", "standard-rwo", "web-data")
    assert named(inv.routes_to(inv.get("Service", "shop", "web"))) == ["Ingress shop/web"]
    linked = named(inv.linked(web))
    assert linked == sorted(
        [
            "Deployment shop/web", "Service shop/web", "Ingress shop/web", "ServiceAccount shop/web-sa",
            "PersistentVolumeClaim shop/web-data", "StorageClass None/standard-rwo", "ConfigMap shop/web-config",
            "HorizontalPodAutoscaler shop/web", "PodDisruptionBudget shop/web",
        ]
    )


def test_volume_claim_templates():
    inv = inventory()
    db = inv.workload_of(inv.get("StatefulSet", "shop", "db"))
    (claim,) = inv.claims_of(db)
    assert (claim.source, claim.storage_class) == ("volumeClaimTemplate", "gp3")
    assert claim.storage_class_pointer == ("spec", "volumeClaimTemplates", 0, "spec", "storageClassName")


def test_namespace_defaults_and_cluster_scope():
    inv = inventory()
    assert inv.get("StorageClass", None, "standard-rwo") is not None
    assert inv.get("Deployment", "default", "web") is not None
    inv2, _ = build_inventory([parse_bytes("b.yaml", BUNDLE)], [], "team-a")
    assert inv2.get("Deployment", "team-a", "web") is not None


def test_selection_uses_the_index_not_all_pairs(monkeypatch):
    from kportable.selectors import Selector

    docs = []
    for i in range(300):
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: ns}}\nspec:\n"
            f"  template:\n    metadata: {{labels: {{app: a{i}}}}}\n    spec: {{containers: [{{name: c, image: x}}]}}\n"
        )
        docs.append(
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: ns}}\n"
            f"spec: {{selector: {{app: a{i}}}}}\n"
        )
    calls = []
    original = Selector.matches

    def counting(self, labels):
        calls.append(1)
        return original(self, labels)

    monkeypatch.setattr(Selector, "matches", counting)
    inv, _ = build_inventory([parse_bytes("big.yaml", "---\n".join(docs).encode())], [], "default")
    for svc in inv.of_kind("Service"):
        assert [w.name for w in inv.selected_workloads(svc)] == [svc.name.replace("s", "d")]
    # 300 services x 300 workloads would be 90,000 comparisons; the label index needs one each
    assert len(calls) == 300


@pytest.mark.parametrize(("api_version", "kind"), [
    ("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass"),
    ("admissionregistration.k8s.io/v1alpha1", "InitializerConfiguration"),
    ("snapshot.storage.k8s.io/v1", "VolumeSnapshotContent"),
    ("networking.k8s.io/v1", "IPAddress"),
    ("networking.k8s.io/v1", "ServiceCIDR"),
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle"),
    ("karpenter.sh/v1", "NodeClaim"),
    ("kueue.x-k8s.io/v1beta1", "ClusterQueue"),
])
def test_cluster_scoped_kinds_have_no_namespace(api_version, kind):
    from kportable.api import RunOptions, run

    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x, namespace: shop}}\n"
    (res,) = run(RunOptions(inputs=(("x.yaml", text.encode()),), select=("KP001",))).inventory.resources
    assert res.namespace is None
    assert str(res.ref) == f"{kind} -/x"
