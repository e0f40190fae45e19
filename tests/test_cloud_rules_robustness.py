"""Bad input never crashes a cloud rule: every kind the cloud rules read, with any JSON-shaped
junk where fields, annotations, selectors and pod templates should be."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kportable.api import RunOptions, run

KINDS = [
    ("v1", "Service"), ("networking.k8s.io/v1", "Ingress"), ("networking.k8s.io/v1", "IngressClass"),
    ("gateway.networking.k8s.io/v1", "Gateway"), ("gateway.networking.k8s.io/v1", "GatewayClass"),
    ("networking.istio.io/v1", "Gateway"), ("storage.k8s.io/v1", "StorageClass"), ("v1", "PersistentVolume"),
    ("v1", "PersistentVolumeClaim"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("v1", "Pod"),
    ("batch/v1", "CronJob"), ("v1", "ServiceAccount"), ("v1", "Namespace"), ("v1", "ConfigMap"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("karpenter.sh/v1", "NodePool"),
    ("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass"), ("external-secrets.io/v1", "ClusterSecretStore"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding"),
    ("jobset.x-k8s.io/v1alpha2", "JobSet"), ("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass"),
]
CLOUDY = st.sampled_from([
    "eks.amazonaws.com/role-arn", "service.beta.kubernetes.io/aws-load-balancer-scheme", "alb", "gce",
    "cloud.google.com/gke-spot", "azure.workload.identity/use", "ebs.csi.aws.com", "premium-rwo", "gp3",
    "nodeSelector", "storageClassName", "selector", "volumes", "containers", "template", "spec", "metadata",
    "annotations", "labels", "provisioner", "parameters", "driver", "csi", "subjects", "requirements", "key",
    "values", "operator", "image", "serviceRef", "podSelector", "finalizers", "readinessGates", "tolerations",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), CLOUDY, st.text(max_size=8))
JUNK = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(CLOUDY, inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), metadata=JUNK, spec=JUNK, extra=st.dictionaries(CLOUDY, JUNK, max_size=3))
def test_cloud_rules_never_crash(
    kind: tuple[str, str], metadata: object, spec: object, extra: dict[str, object]
) -> None:
    api_version, name = kind
    doc = {**extra, "apiVersion": api_version, "kind": name, "metadata": metadata, "spec": spec}
    inputs = (("junk.json", json.dumps(doc).encode()),)
    result = run(RunOptions(inputs=inputs, select=("KP2", "KP3", "KP4", "KP5", "KP6")))
    assert not result.crashes, result.crashes[0].traceback
