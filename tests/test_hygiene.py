"""Hygiene rules beyond single-file cases: --assume, --context, fixes in other files, the helpers."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from kportable_rules._scope import namespace_anchor
from kportable_rules.hygiene._budgets import int_or_percent
from kportable_rules.networking._netpol import pinned_namespaces, policy_types
from kportable_rules.workloads._admission import Admission, _enforced, limit_items, quota_resource

from kportable.api import RunOptions, run
from kportable.assume import ASSUMPTIONS, validate_assumptions
from kportable.cli import main
from kportable.errors import UserError
from kportable.model import WORKLOAD_KINDS
from kportable.plugins.manager import get_registry
from kportable.rule import doc_section
from kportable.testing import lint_text

ROOT = Path(__file__).resolve().parent.parent
CROSS_RESOURCE_RULES = ("KP101", "KP102", "KP103", "KP104", "KP105", "KP106", "KP251", "KP252", "KP253",
                        "KP254", "KP255", "KP701", "KP702", "KP703", "KP704", "KP711", "KP712")

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""

PLATFORM = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: shop}
spec:
  hard: {requests.cpu: "10", requests.memory: 20Gi, limits.memory: 40Gi}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
"""


def rules_of(result):
    return {f.rule_id for f in result.findings}


# --------------------------------------------------------------------------- --assume


def test_vocabulary_is_exposed_and_documented():
    assert set(ASSUMPTIONS) == {"default-deny-network-policy", "limit-ranges", "resource-quotas",
                                "pod-disruption-budgets"}
    guide = (ROOT / "docs" / "hygiene.md").read_text(encoding="utf-8")
    for name in ASSUMPTIONS:
        assert f"`{name}`" in guide


def test_validate_assumptions_normalises_and_rejects():
    assert validate_assumptions([" Limit-Ranges ", "resource-quotas"]) == {"limit-ranges", "resource-quotas"}
    with pytest.raises(UserError, match=r"config: unknown assumption 'quotas'; choose from default-deny"):
        validate_assumptions(["quotas"], source="config")


def test_api_rejects_an_unknown_assumption():
    with pytest.raises(UserError, match="unknown assumption"):
        run(RunOptions(inputs=(("a.yaml", APP.encode()),), assume=frozenset({"nope"})))


def test_cli_unknown_assumption_is_a_usage_error(tmp_path):
    app = tmp_path / "app.yaml"
    app.write_text(APP)
    result = CliRunner().invoke(main, ["lint", str(app), "--assume", "default-deny"])
    assert result.exit_code == 2
    assert "unknown assumption 'default-deny'" in result.output


def test_cli_assume_is_repeatable_and_comma_separated(tmp_path):
    app = tmp_path / "app.yaml"
    app.write_text(APP)
    rules = "KP251,KP252,KP701,KP711,KP712,KP101,KP102,KP103"
    loud = CliRunner().invoke(main, ["lint", str(app), "--select", rules, "-f", "json"])
    assert loud.exit_code == 1
    assert {f["rule_id"] for f in yaml.safe_load(loud.output)["findings"]} == set(rules.split(","))
    quiet = CliRunner().invoke(main, [
        "lint", str(app), "--select", rules, "-f", "json",
        "--assume", "default-deny-network-policy,limit-ranges", "--assume", "resource-quotas",
        "--assume", "pod-disruption-budgets",
    ])
    assert quiet.exit_code == 0, quiet.output
    assert yaml.safe_load(quiet.output)["findings"] == []


# --------------------------------------------------------------------------- --context


def test_context_satisfies_every_cross_resource_rule_from_the_cli(tmp_path):
    app = tmp_path / "app.yaml"
    app.write_text(APP)
    platform = tmp_path / "platform"
    platform.mkdir()
    (platform / "shop.yaml").write_text(PLATFORM)
    bare = run(RunOptions(paths=(str(app),)))
    assert {"KP251", "KP252", "KP701", "KP711", "KP712", "KP101"} <= rules_of(bare)
    result = run(RunOptions(paths=(str(app),), context_paths=(str(platform),)))
    assert {"KP251", "KP252", "KP701", "KP711", "KP712", "KP105", "KP106"}.isdisjoint(rules_of(result))
    assert {f.location.path for f in result.findings} == {str(app)}
    # requests now come from the LimitRange: info, naming the effective value
    kp101 = [f for f in result.findings if f.rule_id == "KP101"]
    assert [f.severity.value for f in kp101] == ["info"]
    assert "LimitRange 'shop/defaults' gives it 100m" in kp101[0].message
    assert result.stats.context_resources == 5


def test_quota_in_context_turns_a_missing_request_into_a_blocker(tmp_path):
    quota_only = "\n---\n".join(doc for doc in PLATFORM.split("\n---\n") if "ResourceQuota" in doc)
    (tmp_path / "quota.yaml").write_text(quota_only)
    (tmp_path / "app.yaml").write_text(APP)
    result = run(RunOptions(paths=(str(tmp_path / "app.yaml"),), context_paths=(str(tmp_path / "quota.yaml"),)))
    blockers = {f.rule_id: f for f in result.findings if f.severity.value == "blocker"}
    # requests.cpu, requests.memory and limits.memory are constrained; limits.cpu is not, so KP104 stays quiet
    assert set(blockers) == {"KP101", "KP102", "KP103"}
    assert "KP104" not in rules_of(result)
    assert "ResourceQuota 'shop/compute' constrains requests.cpu" in blockers["KP101"].message


def test_fix_in_another_reported_file_of_the_bundle(tmp_path):
    (tmp_path / "app.yaml").write_text(APP)
    (tmp_path / "platform.yaml").write_text(PLATFORM)
    result = run(RunOptions(paths=(str(tmp_path),)))
    assert {"KP251", "KP252", "KP701", "KP711", "KP712", "KP702", "KP703", "KP704"}.isdisjoint(rules_of(result))


def test_namespace_findings_land_on_the_namespace_object_in_another_file(tmp_path):
    (tmp_path / "a-app.yaml").write_text(APP)
    (tmp_path / "b-namespace.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    result = run(RunOptions(paths=(str(tmp_path),), select=("KP251", "KP711", "KP712")))
    assert len(result.findings) == 3
    for f in result.findings:
        assert f.location.path.endswith("b-namespace.yaml")
        assert f.location.line == 4
        assert [str(r) for r in f.related] == ["Deployment shop/web"]


def test_namespace_object_in_context_leaves_the_finding_on_the_workload(tmp_path):
    (tmp_path / "app.yaml").write_text(APP)
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    result = run(RunOptions(paths=(str(tmp_path / "app.yaml"),), context_paths=(str(tmp_path / "ns.yaml"),),
                            select=("KP711",)))
    [f] = result.findings
    assert f.location.path.endswith("app.yaml")
    assert f.location.line == 5


def _docs_block(rule_id: str, heading: str) -> str:
    spec = get_registry().rule(rule_id)
    assert spec is not None
    return re.findall(r"```yaml\n(.*?)```", doc_section(spec.docs, heading), re.S)[0]


@pytest.mark.parametrize("rule_id", CROSS_RESOURCE_RULES)
def test_offenders_read_as_context_are_never_reported(rule_id):
    """Each rule's own ## Example, passed as --context, yields nothing: context is indexed, not linted."""
    example = _docs_block(rule_id, "Example")
    flagged = lint_text(example, rule=rule_id)
    assert any(f.rule_id == rule_id for f in flagged.findings)
    result = lint_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated}\n", rule=rule_id,
                       context=example)
    assert [f for f in result.findings if f.rule_id == rule_id] == []


@pytest.mark.parametrize("rule_id", CROSS_RESOURCE_RULES)
def test_fixes_read_as_context_satisfy_the_linted_workloads(rule_id):
    """Each rule's ## Use instead, split so the workloads are linted and everything else is --context."""
    docs = [d for d in yaml.safe_load_all(_docs_block(rule_id, "Use instead")) if d]
    workloads = [d for d in docs if d["kind"] in WORKLOAD_KINDS]
    others = [d for d in docs if d["kind"] not in WORKLOAD_KINDS]
    if not workloads:
        pytest.skip(f"{rule_id}: ## Use instead has no workload")
    result = lint_text(yaml.safe_dump_all(workloads), rule=rule_id,
                       context=yaml.safe_dump_all(others) if others else None)
    assert [f.message for f in result.findings if f.rule_id == rule_id] == []


# --------------------------------------------------------------------------- helpers


def test_pinned_namespaces():
    assert pinned_namespaces({"matchLabels": {"kubernetes.io/metadata.name": "a"}}) == {"a"}
    assert pinned_namespaces({"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["a", "b"]}]}) == {"a", "b"}
    assert pinned_namespaces({"matchLabels": {"kubernetes.io/metadata.name": "a", "team": "x"}}) == {"a"}
    assert pinned_namespaces({"matchLabels": {"team": "x"}}) is None
    assert pinned_namespaces({}) is None
    assert pinned_namespaces(None) is None
    assert pinned_namespaces({"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["a"]}]}) is None


@pytest.mark.parametrize(("spec", "types"), [
    ({}, {"Ingress"}),
    ({"egress": []}, {"Ingress"}),
    ({"egress": [{}]}, {"Ingress", "Egress"}),
    ({"policyTypes": []}, {"Ingress"}),
    ({"policyTypes": ["Egress"], "ingress": [{}]}, {"Egress"}),
    ({"policyTypes": "Egress"}, {"Ingress"}),
])
def test_policy_types_follow_api_defaulting(spec, types):
    doc = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p"}, "spec": spec}
    result = lint_text(yaml.safe_dump(doc), rule="KP254")
    [policy] = result.inventory.of_kind("NetworkPolicy")
    assert policy_types(policy) == types


def test_limit_range_items_are_defaulted_like_the_api_server():
    text = """\
apiVersion: v1
kind: LimitRange
metadata: {name: lr}
spec:
  limits:
  - type: Container
    max: {cpu: "2", memory: 1Gi}
    default: {memory: 512Mi}
    min: {memory: 64Mi, ephemeral-storage: 1Gi}
  - type: Pod
    max: {cpu: "4"}
"""
    [lr] = lint_text(text, rule="KP105").inventory.of_kind("LimitRange")
    container, pod = limit_items(lr)
    assert {k: str(v) for k, v in container.default.items()} == {"cpu": "2", "memory": "512Mi"}
    assert {k: str(v) for k, v in container.default_request.items()} == {
        "cpu": "2", "memory": "512Mi", "ephemeral-storage": "1Gi"}
    assert pod.default == {}
    assert pod.default_request == {}


def test_admission_default_first_limit_range_wins_and_later_items_override():
    text = """\
apiVersion: v1
kind: LimitRange
metadata: {name: a}
spec:
  limits:
  - {type: Container, defaultRequest: {cpu: 10m}}
  - {type: Container, defaultRequest: {cpu: 20m}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: b}
spec:
  limits:
  - {type: Container, defaultRequest: {cpu: 30m, memory: 1Mi}}
"""
    inventory = lint_text(text, rule="KP105").inventory
    admission = Admission.of(inventory, "default")
    cpu = admission.default_for("requests", "cpu")
    memory = admission.default_for("requests", "memory")
    assert cpu is not None
    assert str(cpu[0]) == "20m"
    assert cpu[1].limit_range.name == "a"
    assert memory is not None
    assert str(memory[0]) == "1Mi"
    assert memory[1].limit_range.name == "b"


def test_limit_ranger_precision():
    assert _enforced((Fraction(1, 2000), Fraction(1, 1000))) == [1, 1]  # 0.5m rounds up to 1m
    huge = Fraction(2**62)
    assert _enforced((huge, Fraction(1))) == [2**62, 1]  # too large for milli-units: whole units


@pytest.mark.parametrize(("key", "counts"), [
    ("cpu", ("requests", "cpu")), ("requests.memory", ("requests", "memory")), ("limits.cpu", ("limits", "cpu")),
    ("ephemeral-storage", ("requests", "ephemeral-storage")),
    ("requests.nvidia.com/gpu", ("requests", "nvidia.com/gpu")),
    ("hugepages-2Mi", ("requests", "hugepages-2Mi")), ("requests.storage", None), ("pods", None),
    ("count/deployments.apps", None), ("gold.storageclass.storage.k8s.io/requests.storage", None),
])
def test_quota_keys(key, counts):
    assert quota_resource(key) == counts


@pytest.mark.parametrize(("raw", "parsed"), [
    (0, (False, 0)), (2, (False, 2)), ("0%", (True, 0)), ("50%", (True, 50)), ("100%", (True, 100)),
    ("2", None), ("-1%", None), (-1, None), (True, None), (None, None), ("50 %", None),
])
def test_int_or_percent(raw, parsed):
    assert int_or_percent(raw) == parsed


def test_namespace_anchor_skips_context_workloads():
    result = lint_text("apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\nspec: {}\n", rule="KP711",
                       context="apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {}\n")
    anchor = namespace_anchor(result.inventory, "x")
    assert anchor is not None
    assert anchor[0].name == "b"
    assert not anchor[0].context


# --------------------------------------------------------------------------- bad input never crashes

JUNK = [None, True, -3, float("nan"), "x", "-1Gi", [], [None], {}, {"matchExpressions": [{"key": "a"}]}]


def _mutations(doc, path=()):
    """Every way of replacing one node of ``doc`` by one junk value."""
    for junk in JUNK:
        yield path, junk
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _mutations(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _mutations(value, (*path, i))


def _replace(doc, path, junk):
    if not path:
        return junk
    head, *rest = path
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = _replace(doc[head], rest, junk)
    return copy


@pytest.mark.parametrize("rule_id", CROSS_RESOURCE_RULES)
def test_hostile_values_never_crash_a_rule(rule_id):
    """Replace each node of the rule's ## Example and ## Use instead, one at a time, by junk of every type."""
    runs = flagged = 0
    for heading in ("Example", "Use instead"):
        docs = [d for d in yaml.safe_load_all(_docs_block(rule_id, heading)) if d]
        for i, doc in enumerate(docs):
            for path, junk in _mutations(doc):
                mutated = [*docs[:i], _replace(doc, path, junk), *docs[i + 1:]]
                text = "# mutated\n" + yaml.safe_dump_all(mutated, sort_keys=False)
                result = lint_text(text, rule=rule_id)
                assert not result.inventory.problems, text
                assert not result.crashes, (rule_id, heading, path, junk, result.crashes[0].traceback, text)
                runs += 1
                flagged += any(f.rule_id == rule_id for f in result.findings)
    assert runs > 100
    assert flagged > 0
