"""IAM bindings (KP403-KP405): bindings counted against the workloads they serve, namespace and
cluster rows of the score matrix, aws-auth lines through Helm output, and the fixtures of the
public guides (EKS aws-auth, GKE Google Groups, AKS Entra object IDs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from kportable_rules.identity._access import aws_auth, grant_of

from kportable.api import RunOptions, run
from kportable.cli import main
from kportable.config import _suggest
from kportable.gates import score_violations
from kportable.plugins.manager import Registry
from kportable.testing import lint_text

ROOT = Path(__file__).resolve().parent.parent
IAM = ROOT / "fixtures" / "iam"
IAM_RULES = ("KP403", "KP404", "KP405")

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - {name: web, image: nginx:1.27}
"""


def binding(name: str, subjects: str, kind: str = "RoleBinding", role: str = "edit") -> str:
    ns = "\n  namespace: shop" if kind == "RoleBinding" else ""
    return (f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {name}{ns}\n"
            f"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects:\n{subjects}")


GSA = "- {kind: User, name: ci@my-project.iam.gserviceaccount.com}\n"


@pytest.mark.parametrize("subject", [
    "- {kind: ServiceAccount, name: web}\n",  # a RoleBinding's own namespace
    "- {kind: ServiceAccount, name: web, namespace: shop}\n",
    "- {kind: User, name: 'system:serviceaccount:shop:web'}\n",
    "- {kind: Group, name: 'system:serviceaccounts:shop'}\n",
    "- {kind: Group, name: 'system:serviceaccounts'}\n",
])
def test_a_binding_of_the_workloads_service_account_counts_against_it(subject: str) -> None:
    result = lint_text(WEB + binding("mixed", subject + GSA), rule="KP403")
    (row,) = [s for s in result.scores if s.scope == "workload"]
    assert row.scores["eks"] < 100
    assert row.scores["gke"] == 100
    assert [c.rule_id for c in row.costs if c.target == "eks"] == ["KP403"]
    assert not [s for s in result.scores if s.scope != "workload"], "counted by the workload, so no other row"


@pytest.mark.parametrize("subject", [
    "- {kind: ServiceAccount, name: other}\n",
    "- {kind: ServiceAccount, name: web, namespace: elsewhere}\n",
    "- {kind: User, name: 'system:serviceaccount:shop'}\n",  # malformed: no name part
    "- {kind: Group, name: 'system:serviceaccounts:'}\n",
])
def test_bindings_of_other_accounts_go_to_the_namespace_row(subject: str) -> None:
    result = lint_text(WEB + binding("other", subject + GSA), rule="KP403")
    rows = {s.scope: s for s in result.scores}
    assert rows["workload"].scores == dict.fromkeys(("aks", "eks", "gke", "portable"), 100)
    assert rows["namespace"].row_label == "namespace shop (other objects)"
    assert rows["namespace"].scores["gke"] == 100
    assert rows["namespace"].scores["aks"] < 100


def test_cluster_scoped_findings_get_the_cluster_row_and_gate_like_workloads() -> None:
    result = lint_text(binding("ci-admin", GSA, kind="ClusterRoleBinding", role="cluster-admin"), rule="KP403")
    (row,) = result.scores
    assert (row.scope, row.row_label, row.workload.kind) == ("cluster", "cluster-scoped objects", "Cluster")
    assert row.scores == {"aks": 85, "eks": 85, "gke": 100, "portable": 85}  # major tie: 20 x 0.75
    (violation,) = score_violations(result.scores, {"eks": 90})
    assert violation.describe() == "cluster-scoped objects scores 85 for eks, under the minimum 90"


def test_grant_of_names_the_role_and_full_control() -> None:
    manifest = (binding("a", GSA, role="cluster-admin") + binding("b", GSA, kind="ClusterRoleBinding", role="view")
                + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: god}\n"
                "rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n" + binding("c", GSA, role="god"))
    result = lint_text(manifest, rule="KP403")
    inventory = result.inventory
    got = [grant_of(r, inventory).describe() for r in inventory.resources if r.kind.endswith("Binding")]
    assert got == ["ClusterRole 'cluster-admin' in namespace 'shop'", "ClusterRole 'view' on the whole cluster",
                   "ClusterRole 'god' (full control) in namespace 'shop'"]
    assert [f.severity.value for f in result.findings] == ["major", "minor", "major"]


AWS_AUTH = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |

    - rolearn: arn:aws:iam::111122223333:role/ops
      groups: [ops]
"""


def test_aws_auth_entries_keep_their_line_through_helm_output() -> None:
    rendered = "---\n# Source: platform/templates/aws-auth.yaml\n" + AWS_AUTH
    result = lint_text(rendered, rule="KP404", filename="rendered.yaml")
    (finding,) = result.findings
    assert (finding.location.line, finding.location.column) == (11, 7)  # blank line kept, header counted
    assert finding.location.origin == "platform/templates/aws-auth.yaml"


def test_aws_auth_is_parsed_once_and_keeps_the_text_it_came_from() -> None:
    result = lint_text(AWS_AUTH, rule="KP404")
    (res,) = result.inventory.resources
    first = aws_auth(res, result.inventory)
    assert aws_auth(res, result.inventory) is first
    (entry,) = first.entries
    assert (entry.principal, entry.groups, entry.pointer) == (
        "arn:aws:iam::111122223333:role/ops", ("ops",), ("data", "mapRoles", 0, "rolearn"))


def test_an_alias_bomb_inside_map_roles_is_a_finding_not_a_hang() -> None:
    lol = "\n".join(f"    - &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12))
    manifest = AWS_AUTH.replace("    - rolearn", "    - &a0 [x]\n" + lol + "\n    - rolearn")
    result = lint_text(manifest, rule="KP404")
    (finding,) = result.findings
    assert finding.severity.value == "major"
    assert "not a readable YAML list" in finding.message


def test_guide_fixtures_report_each_cloud_principal_once() -> None:
    result = run(RunOptions(paths=(str(IAM),), select=IAM_RULES))
    got = sorted((Path(f.location.path).name, f.location.line, f.rule_id, f.severity.value, f.clouds)
                 for f in result.findings)
    assert got == [
        ("aks-rbac.yaml", 14, "KP403", "minor", ("aks",)),
        ("eks-aws-auth.yaml", 13, "KP404", "info", ("eks",)),
        ("eks-aws-auth.yaml", 19, "KP404", "info", ("eks",)),
        ("eks-aws-auth.yaml", 23, "KP404", "major", ("eks",)),
        ("eks-aws-auth.yaml", 27, "KP404", "minor", ("eks",)),
        ("eks-aws-auth.yaml", 32, "KP404", "minor", ("eks",)),
        ("eks-aws-auth.yaml", 42, "KP403", "minor", ("eks",)),
        ("gke-rbac.yaml", 9, "KP403", "minor", ("gke",)),
        ("gke-rbac.yaml", 11, "KP403", "minor", ("gke",)),
        ("gke-rbac.yaml", 26, "KP403", "major", ("gke",)),
    ]
    rows = {s.row_label: s.scores for s in result.scores}
    assert set(rows) == {"namespace kube-system (other objects)", "namespace accounting (other objects)",
                         "namespace dev (other objects)", "cluster-scoped objects"}
    assert rows["namespace kube-system (other objects)"]["eks"] == 100
    assert rows["namespace dev (other objects)"]["aks"] == 100


def test_score_json_and_explain_show_the_scope_rows() -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["score", str(IAM), "-f", "json"])
    data = json.loads(out.output)
    assert {row["scope"] for row in data["scores"]} == {"namespace", "cluster"}
    explained = runner.invoke(main, ["score", str(IAM), "--explain", "cluster"])
    assert explained.exit_code == 0, explained.output
    assert "cluster-scoped objects" in explained.output
    assert "KP403" in explained.output
    by_ns = runner.invoke(main, ["score", str(IAM), "--explain", "namespace/kube-system"])
    assert "KP404" in by_ns.output


def test_a_config_naming_rules_when_no_rule_loaded_does_not_crash() -> None:
    assert _suggest("KP999", Registry()) == "; see `kportable plugins`"


def test_real_corpus_neutral_groups_are_not_flagged(real_corpus: Path) -> None:
    """eks-workshop binds a neutral group (carts-team) whose access entry lives outside the bundle."""
    result = run(RunOptions(paths=(str(real_corpus),), select=IAM_RULES))
    assert result.stats.resources > 1000
    assert result.findings == ()


AUTH_TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
  labels: {{- include "platform.labels" . | nindent 4 }}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/ops
      groups: [ops]
    - rolearn: {{ .Values.adminRole }}
      groups: [system:masters]
"""
AUTH_RENDERED = """\
---
# Source: platform/templates/aws-auth.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
  labels:
    app.kubernetes.io/name: platform
    app.kubernetes.io/managed-by: Helm
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/ops
      groups: [ops]
    - rolearn: arn:aws:iam::111122223333:role/admin
      groups: [system:masters]
"""


def test_entries_inside_a_block_keep_their_template_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Helm with --chart-dir: the entry's line in the template (the block's lines match), else the key's."""
    chart = tmp_path / "platform"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: platform\nversion: 0.1.0\n")
    (chart / "templates" / "aws-auth.yaml").write_text(AUTH_TEMPLATE)
    monkeypatch.chdir(tmp_path)
    result = run(RunOptions(inputs=(("rendered.yaml", AUTH_RENDERED.encode()),), chart_dirs=("platform",),
                            select=("KP404",)))
    got = [(f.location.line, f.location.origin, f.location.origin_line) for f in result.findings]
    assert got == [
        (13, "platform/templates/aws-auth.yaml", 9),  # the same literal line in the template
        (15, "platform/templates/aws-auth.yaml", 8),  # templated in the chart: the block's key
    ]


@pytest.mark.skipif(not (shutil.which("kustomize") or shutil.which("kubectl")), reason="no kustomize or kubectl")
def test_entries_inside_a_block_keep_their_base_line_through_kustomize(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "aws-auth.yaml").write_text((IAM / "eks-aws-auth.yaml").read_text())
    (base / "kustomization.yaml").write_text("resources:\n- aws-auth.yaml\nnamespace: kube-system\n")
    monkeypatch.chdir(tmp_path)
    result = run(RunOptions(paths=("base",), kustomize_build=True, select=("KP404",)))
    assert [(f.location.origin, f.location.origin_line) for f in result.findings] == [
        ("base/aws-auth.yaml", line) for line in (13, 19, 23, 27, 32)  # as when the file is linted alone
    ]


@pytest.mark.skipif(not (shutil.which("kustomize") or shutil.which("kubectl")), reason="no kustomize or kubectl")
def test_score_builds_kustomizations_like_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "aws-auth.yaml").write_text((IAM / "eks-aws-auth.yaml").read_text())
    (base / "kustomization.yaml").write_text("resources:\n- aws-auth.yaml\nnamePrefix: team-\n")
    monkeypatch.chdir(tmp_path)
    built = CliRunner().invoke(main, ["score", "base", "--explain", "cluster"]).output
    as_files = CliRunner().invoke(main, ["score", "base", "--explain", "cluster", "--no-build"]).output
    assert "ClusterRoleBinding 'team-eks-console-dashboard-full-access-binding'" in built
    assert "ClusterRoleBinding 'eks-console-dashboard-full-access-binding'" in as_files


@pytest.mark.parametrize(("line", "column", "opens"), [
    ("  mapRoles: |", None, True),
    ("  mapRoles: |", 3, True),
    ("  mapRoles: |-  # comment", None, True),
    ("- mapRoles: |2", None, True),
    ('  "map: roles": |', None, True),
    ("  mapRoles: |\r", 3, True),
    ('  mapRoles: "|"', None, False),
    ("  mapRoles: >", None, False),
    ("  mapRoles: |x", None, False),
])
def test_one_literal_block_test_for_rules_and_origins(line: str, column: int | None, opens: bool) -> None:
    """KP404 (lines inside aws-auth) and the origin mapper (the same line in a template or base) share it."""
    from kportable.positions import opens_literal_block

    assert opens_literal_block(line, column) is opens
