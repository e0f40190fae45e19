"""The OpenShift profile loads, is a target, and kportable's generic cloud rules read it unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from kportable.plugins.manager import get_registry
from kportable.testing import lint_text

DEMO = (Path(__file__).parent.parent / "demo" / "shop.yaml").read_text(encoding="utf-8")


def test_profile_is_registered_without_errors():
    registry = get_registry()
    assert [e.message for e in registry.errors if e.plugin == "acme"] == []
    profile = registry.clouds["openshift"]
    assert profile.name == "Red Hat OpenShift (ACME on-prem)"
    assert profile.data["description"]
    assert "1.33" in profile.data["kubernetes_versions"]["supported"]
    assert "openshift" in registry.plugin("acme").clouds


def test_openshift_is_a_lint_target():
    result = lint_text(DEMO, rule="ACME101", targets=["openshift"])
    assert result.options.targets == ("openshift",)
    assert [f.rule_id for f in result.findings] == ["ACME101"]


def test_generic_cloud_rules_report_openshift_ties():
    generic = [r for r in get_registry().rules if "*" in r.clouds]
    if not generic:
        pytest.skip("this kportable has no generic cloud rules (rules with clouds=ALL_CLOUDS) yet")
    result = lint_text(DEMO, targets=["openshift"])
    tied = {str(f.obj) for f in result.findings if "openshift" in f.clouds}
    assert {"Route shop/web", "Service shop/web", "PersistentVolumeClaim shop/uploads"} <= tied


EKS_BUNDLE = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  ingressClassName: alb
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: uploads
  namespace: shop
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: gp3
  resources:
    requests: {storage: 10Gi}
"""


def test_port_writes_an_openshift_overlay_from_the_profile_s_equivalences(tmp_path):
    port = pytest.importorskip("kportable.port", reason="this kportable has no `port` command")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "app.yaml").write_text(EKS_BUNDLE, encoding="utf-8")
    plan = port.plan_paths([str(tmp_path / "in")], source="eks", targets=["openshift"])
    openshift = plan.overlays["openshift"]
    assert {d.concept for d in openshift.decisions} == {"ingress-class-l7", "block-storage"}
    assert openshift.todos == []
    [storage_class] = openshift.objects["block-storage"]
    assert storage_class["metadata"]["name"] == "portable-rwo"
    assert storage_class["provisioner"] == "openshift-storage.rbd.csi.ceph.com"
    port.write_plan(plan, str(tmp_path / "out"))
    assert "ingressClassName" in (tmp_path / "out" / "overlays" / "openshift" / "kustomization.yaml").read_text()
