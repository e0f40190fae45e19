"""Per-workload scores: the formula's properties, the graph attribution, determinism and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kportable.cli import main
from kportable.findings import Effect, Finding, Location, ObjectRef, Severity, Suppression
from kportable.score import REPEAT_DECAY, compute_scores, score_workload, weight
from kportable.testing import lint_text

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TARGETS = ("aks", "eks", "gke", "portable")
WEB = ObjectRef("Deployment", "default", "web", "apps/v1")
# Hygiene findings (no NetworkPolicy, quota, LimitRange or PodDisruptionBudget: KP25x, KP7xx) cost on
# every target; the graph tests below are about which cloud ties reach a workload, so they leave them out.
NO_HYGIENE = "ignore: [KP25, KP7]\n"


def finding(rule: str, severity: Severity, clouds: tuple[str, ...] = (), effect: Effect | None = None,
            obj: ObjectRef = WEB, line: int = 1) -> Finding:
    return Finding(rule, rule.lower(), severity, f"{rule} message", Location("x.yaml", line), obj=obj,
                   path=f"p{line}", clouds=clouds, effect=effect)


def test_a_tie_costs_on_the_other_targets_only() -> None:
    s = score_workload(WEB, [finding("KP204", Severity.BLOCKER, ("eks",), Effect.BLOCKER)], TARGETS)
    assert s.scores == {"aks": 50, "eks": 100, "gke": 50, "portable": 50}


def test_a_tie_to_two_clouds_keeps_both() -> None:
    s = score_workload(WEB, [finding("KP501", Severity.MINOR, ("aks", "eks"), Effect.ADAPTATION)], TARGETS)
    assert s.scores["aks"] == s.scores["eks"] == 100
    assert s.scores["gke"] == s.scores["portable"] == 94  # 8 points x 0.75


def test_hygiene_costs_everywhere_and_info_costs_nothing() -> None:
    s = score_workload(WEB, [finding("KP102", Severity.MAJOR),
                             finding("KP603", Severity.INFO, ("eks",), Effect.INFO)], TARGETS)
    assert set(s.scores.values()) == {90}  # 20 points x 0.5 hygiene factor
    assert weight(finding("KP101", Severity.BLOCKER)) == 50.0  # a hygiene blocker costs in full


def test_weights_follow_severity_and_effect() -> None:
    blocker = weight(finding("A", Severity.BLOCKER, ("eks",), Effect.BLOCKER))
    major = weight(finding("B", Severity.MAJOR, ("eks",), Effect.ADAPTATION))
    minor = weight(finding("C", Severity.MINOR, ("eks",), Effect.ADAPTATION))
    assert blocker > major > minor > 0


def test_costs_add_up_to_the_points_lost_and_repeats_decay() -> None:
    annotations = [finding("KP201", Severity.MINOR, ("eks",), Effect.ADAPTATION, line=i) for i in range(1, 6)]
    blocker = finding("KP204", Severity.BLOCKER, ("eks",), Effect.BLOCKER, obj=ObjectRef("Ingress", "default", "w"))
    s = score_workload(WEB, [*annotations, blocker], TARGETS)
    for target in ("gke", "portable"):
        lost = sum(c.points for c in s.costs if c.target == target)
        assert abs(lost - (100 - s.scores[target])) < 0.6
    assert not [c for c in s.costs if c.target == "eks"]
    five_separate = score_workload(WEB, [finding(f"KP2{i:02}", Severity.MINOR, ("eks",), Effect.ADAPTATION)
                                         for i in range(5)], TARGETS)
    five_repeats = score_workload(WEB, annotations, TARGETS)
    assert five_repeats.scores["gke"] > five_separate.scores["gke"]
    assert REPEAT_DECAY < 1


def test_score_is_order_independent() -> None:
    items = [finding("KP204", Severity.BLOCKER, ("eks",), Effect.BLOCKER),
             finding("KP603", Severity.MAJOR, ("gke",), Effect.ADAPTATION, line=2),
             finding("KP101", Severity.MINOR, line=3)]
    forward = score_workload(WEB, items, TARGETS)
    backward = score_workload(WEB, list(reversed(items)), TARGETS)
    assert forward == backward


SHOP = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: standard-rwo
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: 100m, memory: 64Mi}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: data}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    networking.gke.io/load-balancer-type: Internal
spec:
  type: LoadBalancer
  selector: {app: web}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: other
spec:
  selector:
    matchLabels: {app: other}
  template:
    metadata:
      labels: {app: other}
    spec:
      serviceAccountName: other
      containers:
      - name: other
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: 100m, memory: 64Mi}
"""


def test_findings_on_linked_objects_count_against_the_workload() -> None:
    result = lint_text(SHOP, config=NO_HYGIENE)
    scores = {s.workload.name: s for s in result.scores}
    web = scores["web"]
    rules = {c.rule_id for c in web.costs}
    assert rules == {"KP401", "KP304", "KP201"}  # the default SA, the PVC, the Service
    assert web.scores["eks"] < 100
    assert web.scores["gke"] < 100
    assert web.scores["aks"] < web.scores["eks"]
    assert scores["other"].scores == {"aks": 100, "eks": 100, "gke": 100, "portable": 100}


def test_suppressed_findings_do_not_count() -> None:
    result = lint_text(SHOP, config=NO_HYGIENE)
    half = [f.with_suppression(Suppression("inSource", "test")) if f.rule_id == "KP401" else f
            for f in result.findings]
    web = next(s for s in compute_scores(result.inventory, half, ("aks", "eks", "gke")) if s.workload.name == "web")
    assert "KP401" not in {c.rule_id for c in web.costs}
    assert web.scores["gke"] == 100  # the IRSA tie was the only one against GKE
    assert web.scores["eks"] < 100


def test_scores_are_deterministic() -> None:
    first = lint_text(SHOP).scores
    second = lint_text(SHOP).scores
    assert first == second


# --------------------------------------------------------------------------- CLI


def test_score_command_table_json_and_explain() -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["score", str(DEMO), "--no-color"])
    assert table.exit_code == 0, table.output
    assert "Deployment shop/storefront" in table.output
    assert "portable" in table.output
    data = json.loads(runner.invoke(main, ["score", str(DEMO), "-f", "json"]).output)
    assert data["targets"] == ["aks", "eks", "gke", "portable"]
    by_name = {s["workload"]["name"]: s["scores"] for s in data["scores"]}
    assert by_name["storefront"]["eks"] > by_name["storefront"]["gke"]
    assert by_name["recommendations"]["gke"] > by_name["recommendations"]["eks"]
    assert by_name["payments"]["aks"] > by_name["payments"]["gke"]
    # catalog has no cloud tie, so it scores the same everywhere: only hygiene costs it (KP701 major,
    # KP252 and the namespace's KP251, KP711, KP712 minor): 100 x 0.9 x 0.96^4 = 76
    assert by_name["catalog"] == {"aks": 76, "eks": 76, "gke": 76, "portable": 76}
    explain = runner.invoke(main, ["score", str(DEMO), "--explain", "shop/storefront", "--no-color"])
    assert explain.exit_code == 0
    assert "KP204" in explain.output
    assert "storefront.yaml:66" in explain.output
    assert "linked objects: Service 'shop/storefront', Ingress 'shop/storefront', ServiceAccount 'shop/storefront'" \
        in explain.output
    missing = runner.invoke(main, ["score", str(DEMO), "--explain", "nope"])
    assert missing.exit_code == 2
    assert "no workload matches 'nope'" in missing.output


@pytest.mark.parametrize(("minimum", "code"), [("5", 0), ("90", 1)])
def test_min_score_gate(minimum: str, code: int) -> None:
    result = CliRunner().invoke(main, ["score", str(DEMO), "--min-score", minimum])
    assert result.exit_code == code


def test_lint_text_ends_with_the_matrix_and_json_carries_it() -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["lint", str(DEMO), "--no-color"]).output
    assert text.rstrip().splitlines()[-1].startswith("└")
    assert "Portability scores" in text
    report = json.loads(runner.invoke(main, ["lint", str(DEMO), "-f", "json"]).output)
    names = {s["workload"]["name"] for s in report["scores"]}
    assert names == {"storefront", "recommendations", "orders-api", "orders-db", "payments", "catalog"}
    costs = [c for s in report["scores"] for c in s["costs"]]
    fingerprints = {f["fingerprint"] for f in report["findings"]}
    assert costs
    assert all(c["fingerprint"] in fingerprints for c in costs)


def test_cloud_custom_resources_count_against_the_workloads_they_serve() -> None:
    manifest = """\
apiVersion: networking.gke.io/v1
kind: ManagedCertificate
metadata:
  name: shop-cert
spec:
  domains: [shop.example.com]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    networking.gke.io/managed-certificates: shop-cert
spec:
  defaultBackend:
    service: {name: shop, port: {number: 80}}
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {app: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: 100m, memory: 64Mi}
"""
    (score,) = lint_text(manifest, config=NO_HYGIENE).scores
    assert {c.rule_id for c in score.costs} == {"KP601", "KP203"}
    assert score.scores["gke"] == 100
    assert score.scores["eks"] < 50  # the ManagedCertificate is a blocker elsewhere, via the Ingress


def test_the_same_workload_in_two_files_gets_two_labelled_rows(tmp_path: Path, monkeypatch) -> None:
    """One Deployment built by two overlays (or rendered by two values files): two rows, told apart by file."""
    app = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n"
           "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
           "    spec:\n      nodeSelector: {%s}\n      containers: [{name: web, image: nginx:1.27}]\n")
    (tmp_path / "eks.yaml").write_text(app % "eks.amazonaws.com/nodegroup: apps")
    (tmp_path / "gke.yaml").write_text(app % "cloud.google.com/gke-nodepool: apps")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(main, ["score", "eks.yaml", "gke.yaml", "-f", "json", "--ignore", "KP1,KP25,KP7"]).output
    rows = {r["file"]: r["scores"] for r in json.loads(out)["scores"]}
    # each charged with its own file's tie only (they used to share each other's findings)
    assert rows == {"eks.yaml": {"aks": 50, "eks": 100, "gke": 50, "portable": 50},
                    "gke.yaml": {"aks": 50, "eks": 50, "gke": 100, "portable": 50}}
    text = runner.invoke(main, ["score", "eks.yaml", "gke.yaml", "--no-color", "--ignore", "KP1,KP25,KP7"]).output
    assert "Deployment shop/web (eks.yaml)" in text
    assert "Deployment shop/web (gke.yaml)" in text
    explained = runner.invoke(main, ["score", "eks.yaml", "gke.yaml", "--explain", "shop/web",
                                     "--ignore", "KP1,KP25,KP7"]).output
    eks_part, gke_part = explained.split("Deployment shop/web (gke.yaml)")
    assert "eks.amazonaws.com/nodegroup" in eks_part
    assert "gke-nodepool" not in eks_part
    assert "gke-nodepool" in gke_part
    assert "eks.amazonaws.com/nodegroup" not in gke_part
