"""kportable port: equivalence data, item shapes, edits and comments, patches, plans, the command.

Builds with kustomize are in test_port_kustomize.py; these tests need no external tool.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES

from kportable.cli import main
from kportable.clouds import load_profile
from kportable.errors import PluginError, UserError
from kportable.plugins.manager import build_registry, get_registry
from kportable.port import plan_paths, write_plan
from kportable.port.equivalences import Equivalences
from kportable.port.images import neutral_images, split_image
from kportable.port.items import Action
from kportable.port.patches import diff, same
from kportable.port.plan import Outcome, summarize
from kportable.port.transform import Edit, apply_edits
from kportable.port.writer import indentation

DEMO = FIXTURES / "demo"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def rt_edit(text: str, edits: list[Edit]) -> str:
    import io

    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    m, s, o = indentation(text)
    rt.indent(mapping=m, sequence=s, offset=o)
    doc = rt.load(text)
    apply_edits(doc, edits)
    out = io.StringIO()
    rt.dump(doc, out)
    return out.getvalue()


# --------------------------------------------------------------------------- equivalence data


def test_builtin_profiles_declare_the_same_concepts_with_one_neutral_each():
    registry = get_registry()
    eq = Equivalences.of(registry.clouds[c] for c in ("aks", "eks", "gke"))
    concepts = {c: set(eq.sides[c]) for c in ("aks", "eks", "gke")}
    assert concepts["eks"] == concepts["gke"] == concepts["aks"]
    assert {"internal-load-balancer", "block-storage", "workload-identity", "ingress-class-l7", "spot-nodes",
            "container-registry"} <= concepts["eks"]
    assert eq.neutral("block-storage") == "portable-rwo"
    assert eq.neutral("shared-file-storage") == "portable-rwx"


@pytest.mark.parametrize(("cloud", "where", "subject", "value", "concept"), [
    ("eks", "service-annotation", "service.beta.kubernetes.io/aws-load-balancer-scheme", "internal",
     "internal-load-balancer"),
    ("eks", "service-annotation", "service.beta.kubernetes.io/aws-load-balancer-scheme", "internet-facing",
     "external-load-balancer"),
    ("gke", "service-annotation", "cloud.google.com/load-balancer-type", "Internal", "internal-load-balancer"),
    ("aks", "service-annotation", "service.beta.kubernetes.io/azure-load-balancer-internal", "true",
     "internal-load-balancer"),
    ("eks", "storage-class", "gp3", None, "block-storage"),
    ("gke", "storage-class", "premium-rwo", None, "block-storage-premium"),
    ("aks", "storage-provisioner", "file.csi.azure.com", None, "shared-file-storage"),
    ("eks", "ingress-class", "alb", None, "ingress-class-l7"),
    ("gke", "node-label", "cloud.google.com/gke-spot", "true", "spot-nodes"),
    ("aks", "pod-identity", "azure.workload.identity/use", "true", "workload-identity"),
    ("eks", "image", "111122223333.dkr.ecr.us-east-1.amazonaws.com/app", None, "container-registry"),
])
def test_sides_recognise_their_cloud_s_spelling(cloud, where, subject, value, concept):
    eq = Equivalences.of(get_registry().clouds.values())
    side = eq.recognize([cloud], [(where, subject, value)])
    assert side is not None
    assert side.concept == concept


def test_sides_do_not_recognise_other_values():
    eq = Equivalences.of(get_registry().clouds.values())
    assert eq.recognize(["eks"], [("node-label", "eks.amazonaws.com/capacityType", "ON_DEMAND")]) is None
    assert eq.recognize(["gke"], [("ingress-class", "gce-internal", None)]) is None


PROFILE = """\
id: acme
name: ACME
description: test
kubernetes_versions: {supported: ["1.34"]}
ties: []
equivalences:
  block-storage:
    neutral: portable-rwo
    match:
      - where: storage-class
        value: {regex: '^acme-(fast'}
"""


def test_a_bad_equivalence_regex_is_reported_with_its_line():
    with pytest.raises(PluginError, match=r"acme\.yaml:11: .*does not compile"):
        load_profile(PROFILE, source="acme.yaml")


def test_the_schema_rejects_unknown_write_places():
    text = PROFILE.replace("regex: '^acme-(fast'", "exact: acme-fast") + "    set:\n      - {at: somewhere, value: x}\n"
    with pytest.raises(PluginError, match=r"acme\.yaml:13: invalid cloud profile at equivalences/block-storage/set/0"):
        load_profile(text, source="acme.yaml")


def test_profiles_must_agree_on_a_neutral_value():
    other = load_profile(PROFILE.replace("regex: '^acme-(fast'", "exact: acme-fast").replace(
        "portable-rwo", "acme-rwo"), source="acme.yaml")
    with pytest.raises(PluginError, match="different neutral values"):
        Equivalences.of([*get_registry().clouds.values(), other])


# --------------------------------------------------------------------------- edits, comments, patches


SERVICE = """\
# the storefront
apiVersion: v1
kind: Service
metadata:
  name: web  # public name
  annotations:
    # the type
    service.beta.kubernetes.io/aws-load-balancer-type: external   # eol
    # about the scheme
    service.beta.kubernetes.io/aws-load-balancer-scheme: internal
  # labels follow
  labels:
    app: web
spec:
  ports:
  - port: 80
"""


def test_removing_a_key_keeps_the_comments_of_what_follows():
    scheme = ("metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-scheme")
    out = rt_edit(SERVICE, [Edit("remove", scheme)])
    assert "# about the scheme" in out
    assert "# labels follow\n  labels:" in out
    assert "aws-load-balancer-scheme" not in out
    assert out.splitlines()[0] == "# the storefront"
    assert "name: web  # public name" in out


def test_removing_every_annotation_prunes_the_map_and_keeps_later_comments():
    ann = ("metadata", "annotations")
    out = rt_edit(SERVICE, [Edit("remove", (*ann, "service.beta.kubernetes.io/aws-load-balancer-scheme")),
                            Edit("remove", (*ann, "service.beta.kubernetes.io/aws-load-balancer-type"))])
    assert "annotations" not in out
    assert "# labels follow" in out
    assert "- port: 80" in out  # sequence indentation as written


def test_removing_the_last_node_affinity_expression_prunes_up_to_affinity():
    pod = {"spec": {"affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "eks.amazonaws.com/nodegroup", "operator": "In", "values": ["a"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": {"matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]}}]}},
        "containers": []}}
    req = ("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
    pref = ("spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution")
    apply_edits(pod, [Edit("remove", (*req, "nodeSelectorTerms", 0, "matchExpressions", 0)),
                      Edit("remove", (*pref, 0, "preference", "matchExpressions", 0))])
    assert pod == {"spec": {"containers": []}}


def test_patches_restore_removed_list_items_at_their_places():
    base = {"metadata": {"name": "x"}, "spec": {"finalizers": ["a", "c"], "n": 1}}
    wanted = {"metadata": {"name": "x", "annotations": {"k": "v"}},
              "spec": {"finalizers": ["a", "b", "c", "d"], "n": 1}}
    ops = diff(base, wanted)
    assert ops == [
        {"op": "add", "path": "/metadata/annotations", "value": {"k": "v"}},
        {"op": "add", "path": "/spec/finalizers/1", "value": "b"},
        {"op": "add", "path": "/spec/finalizers/3", "value": "d"},
    ]
    assert diff(wanted, base)[1:] == [{"op": "remove", "path": "/spec/finalizers/3"},
                                      {"op": "remove", "path": "/spec/finalizers/1"}]


def test_patches_escape_keys_and_keep_types_apart():
    assert diff({"a": {}}, {"a": {"x/y~z": True}}) == [{"op": "add", "path": "/a/x~1y~0z", "value": True}]
    assert not same(True, 1)
    assert diff({"n": 1}, {"n": True}) == [{"op": "replace", "path": "/n", "value": True}]


@pytest.mark.parametrize(("image", "parts"), [
    ("111122223333.dkr.ecr.us-east-1.amazonaws.com/shop/web:2.4", ("111122223333.dkr.ecr.us-east-1.amazonaws.com",
                                                                    "shop/web", ":2.4")),
    ("localhost:5000/app@sha256:abc", ("localhost:5000", "app", "@sha256:abc")),
    ("nginx:1.27", ("", "nginx", ":1.27")),
    ("acr12.azurecr.io/a/b:1@sha256:f", ("acr12.azurecr.io", "a/b", ":1@sha256:f")),
])
def test_split_image(image, parts):
    assert split_image(image) == parts


def test_neutral_images_differ_when_two_registries_share_a_path():
    refs = neutral_images(["a.example.io/app:1", "b.example.io/app:2", "c.example.io/other"])
    assert refs["a.example.io/app:1"].neutral == "registry.invalid/a.example.io/app:1"
    assert refs["b.example.io/app:2"].neutral == "registry.invalid/b.example.io/app:2"
    assert refs["c.example.io/other"].neutral == "registry.invalid/other"


# --------------------------------------------------------------------------- plans


@pytest.fixture(scope="module")
def demo_plan():
    return plan_paths([str(DEMO)], source="eks")


def _decisions(plan, cloud):
    return {(str(d.item.finding.obj), d.item.finding.path): d for d in plan.overlays[cloud].decisions}


def test_demo_plan_items_and_actions(demo_plan):
    actions = {(str(i.finding.obj), i.finding.path): i.action for i in demo_plan.items}
    claim = ("StatefulSet shop/orders-db", "spec.volumeClaimTemplates[0].spec.storageClassName")
    assert actions[claim] is Action.NEUTRAL
    assert actions[("SecretProviderClass shop/payments-keys", "spec.provider")] is Action.MOVE
    assert actions[("Deployment shop/storefront", "spec.template.spec.containers[0].image")] is Action.IMAGE
    assert actions[("Ingress shop/storefront", "spec.ingressClassName")] is Action.REMOVE
    assert demo_plan.targets == ("eks", "aks", "gke")


def test_source_overlay_restores_every_item(demo_plan):
    eks = demo_plan.overlays["eks"]
    assert {d.outcome for d in eks.decisions} == {Outcome.RESTORE}
    assert not eks.todos
    assert not eks.fills
    assert [r.kind for r in eks.restored_objects] == ["SecretProviderClass"]


def test_other_overlays_get_equivalents_native_items_and_todos(demo_plan):
    gke = _decisions(demo_plan, "gke")
    internal = gke[("Service shop/payments",
                    'metadata.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"]')]
    assert (internal.outcome, internal.concept) == (Outcome.EQUIVALENT, "internal-load-balancer")
    native = gke[("Deployment shop/recommendations", 'spec.template.spec.nodeSelector["cloud.google.com/gke-spot"]')]
    assert native.outcome is Outcome.RESTORE
    nodegroup = gke[("Deployment shop/storefront", 'spec.template.spec.nodeSelector["eks.amazonaws.com/nodegroup"]')]
    assert nodegroup.outcome is Outcome.TODO
    aks = demo_plan.overlays["aks"]
    writes = {(r.name, w.key): v for r, ws in aks.writes.items() for w, _, v in ws}
    assert writes[("recommendations", "kubernetes.azure.com/scalesetpriority")] == "spot"
    assert writes[("storefront", "azure.workload.identity/client-id")] == "REPLACE-ME-CLIENT-ID"
    assert writes[("storefront", "azure.workload.identity/use")] == "true"  # the pods of that ServiceAccount
    assert [o["metadata"]["name"] for o in aks.objects["block-storage"]] == ["portable-rwo"]
    assert aks.images["registry.invalid/shop/payments"] == "shopregistry.azurecr.io/shop/payments"  # native


def test_summary_counts_objects_by_reason(demo_plan):
    summary = summarize(demo_plan)
    assert summary.objects == 12
    assert summary.clean + summary.needs_human == summary.objects
    assert summary.reasons["no equivalent (KP501)"] == 1  # the node group selector
    assert summary.reasons["object moved whole, no equivalent (KP604)"] == 1  # the Key Vault provider on eks/gke


def test_writes_land_on_the_service_account_of_the_pods(tmp_path):
    write(tmp_path, "app.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: runner, namespace: ml}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: model, namespace: ml}
        spec:
          selector: {matchLabels: {app: model}}
          template:
            metadata:
              labels: {app: model, azure.workload.identity/use: "true"}
            spec:
              serviceAccountName: runner
              containers: [{name: m, image: m:1}]
    """)
    plan = plan_paths([str(tmp_path)], source="aks")
    eks = plan.overlays["eks"]
    assert {(r.kind, w.key): v for r, ws in eks.writes.items() for w, _, v in ws} == {
        ("ServiceAccount", "eks.amazonaws.com/role-arn"):
            "arn:aws:iam::REPLACE-ME-ACCOUNT-ID:role/REPLACE-ME-ROLE-FOR-runner"}
    assert [f.where for f in eks.fills] == ['metadata.annotations["eks.amazonaws.com/role-arn"]']


def test_a_pod_label_the_selector_uses_moves_the_object(tmp_path):
    write(tmp_path, "app.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: model}
        spec:
          selector: {matchLabels: {azure.workload.identity/use: "true"}}
          template:
            metadata:
              labels: {azure.workload.identity/use: "true"}
            spec:
              containers: [{name: m, image: m:1}]
    """)
    plan = plan_paths([str(tmp_path)], source="aks")
    [item] = plan.items
    assert item.action is Action.MOVE
    assert "selector" in item.reason


def test_duplicate_objects_are_refused(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        write(tmp_path, name, """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: same
              annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/x"}
        """)
    with pytest.raises(UserError, match="also defined in"):
        plan_paths([str(tmp_path)], source="eks")


def test_unknown_clouds_are_usage_errors():
    with pytest.raises(UserError, match="--from: unknown cloud profile 'azure'"):
        plan_paths([str(DEMO)], source="azure")
    with pytest.raises(UserError, match="--to: unknown"):
        plan_paths([str(DEMO)], source="eks", targets=["nope"])


def test_a_plugin_profile_becomes_a_target(tmp_path):
    profile = load_profile(textwrap.dedent("""\
        id: acme
        name: ACME Kubernetes
        description: on-prem
        kubernetes_versions: {supported: ["1.34"]}
        ties: []
        equivalences:
          internal-load-balancer:
            set:
              - {at: annotations, key: lb.acme.example/internal, value: "yes"}
    """), source="acme.yaml")

    class Plugin:
        __name__ = "acme_port_test"

        @staticmethod
        def kportable_cloud_profiles():
            return [profile]

    from kportable import hookimpl

    Plugin.kportable_cloud_profiles = hookimpl(Plugin.kportable_cloud_profiles)  # type: ignore[method-assign]
    registry = build_registry([Plugin])
    assert "acme" in registry.clouds
    plan = plan_paths([str(DEMO)], source="gke", targets=["acme"], registry=registry)
    acme = plan.overlays["acme"]
    annotations = {(r.name, w.key): v for r, ws in acme.writes.items() for w, _, v in ws}
    assert annotations[("recommendations", "lb.acme.example/internal")] == "yes"
    assert any("workload-identity: the acme profile declares no equivalent" in t.reason for t in acme.todos)


# --------------------------------------------------------------------------- writing and the command


def test_written_layout_keeps_files_comments_and_lists(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    write(src, "list.yaml", """
        # a List with one cloud object
        apiVersion: v1
        kind: List
        items:
          - apiVersion: elbv2.k8s.aws/v1beta1
            kind: TargetGroupBinding
            metadata: {name: tgb, namespace: web}
            spec: {serviceRef: {name: web, port: 80}, targetGroupARN: arn}
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: web}  # stays
            data: {a: "1"}
    """)
    plan = plan_paths([str(src)], source="eks")
    out = tmp_path / "out"
    written = write_plan(plan, str(out))
    assert "base/list.yaml" in written
    base = (out / "base" / "list.yaml").read_text()
    assert base.startswith("# a List with one cloud object\n")
    assert "TargetGroupBinding" not in base
    assert "# stays" in base
    restored = yaml.safe_load((out / "overlays" / "eks" / "resources" / "list.yaml").read_text())
    assert restored["kind"] == "TargetGroupBinding"
    gke_todo = (out / "overlays" / "gke" / "TODO.md").read_text()
    assert "`TargetGroupBinding web/tgb`" in gke_todo
    assert "KP601 TargetGroupBinding web/tgb apiVersion" in gke_todo
    assert yaml.safe_load((out / "base" / "kustomization.yaml").read_text())["resources"] == ["list.yaml"]


def test_unchanged_files_are_copied_byte_for_byte(tmp_path):
    plan = plan_paths([str(DEMO)], source="eks")
    write_plan(plan, str(tmp_path))
    assert (tmp_path / "base" / "catalog.yaml").read_bytes() == (DEMO / "catalog.yaml").read_bytes()


def test_cli_dry_run_prints_the_tree_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["port", str(DEMO), "--from", "eks", "--out", str(out), "--dry-run",
                                       "--no-color"])
    assert result.exit_code == 0, result.output
    assert "base/" in result.output
    assert "overlays/" in result.output
    assert "remove metadata.annotations[\"eks.amazonaws.com/role-arn\"] (KP401)" in result.output
    assert "move SecretProviderClass shop/payments-keys" in result.output
    assert "eks/ (source)" in result.output
    assert not out.exists()


def test_cli_refuses_a_non_empty_directory_without_force(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    args = ["port", str(DEMO), "--from", "eks", "--out", str(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert not (tmp_path / "base").exists()
    result = CliRunner().invoke(main, [*args, "--force", "--to", "aks"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "overlays").iterdir()) == ["aks", "eks"]
    assert (tmp_path / "keep.txt").exists()
    assert "overlays/aks/TODO.md" in result.output


def test_cli_reports_usage_errors():
    result = CliRunner().invoke(main, ["port", str(DEMO), "--from", "nope", "--out", "x", "--dry-run"])
    assert result.exit_code == 2
    assert "unknown cloud profile 'nope'" in result.output


def test_file_header_comments_stay_in_the_base(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    write(src, "app.yaml", """
        # Copyright ACME
        # Licensed under Apache-2.0
        ---
        apiVersion: elbv2.k8s.aws/v1beta1
        kind: TargetGroupBinding
        metadata: {name: tgb}
        spec: {serviceRef: {name: web, port: 80}, targetGroupARN: arn}
        ---
        # the web Service
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          annotations:
            service.beta.kubernetes.io/aws-load-balancer-scheme: internal
        spec:
          type: LoadBalancer
          ports: [{port: 80}]
    """)
    write_plan(plan_paths([str(src)], source="eks"), str(tmp_path / "out"))
    base = (tmp_path / "out" / "base" / "app.yaml").read_text()
    assert base.startswith("# Copyright ACME\n# Licensed under Apache-2.0\n")
    assert "# the web Service" in base
    assert "TargetGroupBinding" not in base
