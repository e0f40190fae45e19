"""The hygiene rules on the real corpus: exact selection, no "policy exists but was not matched".

The proof for issue #5: for every NetworkPolicy and PodDisruptionBudget in ``../shared/corpus/real``
the workloads the inventory says it selects are exactly those a brute-force evaluation finds
(every workload of the same namespace whose pod template labels satisfy the selector, written
here from the raw manifests, independently of ``kportable.selectors``). Then every workload a
rule flags for "no policy" / "no budget" is checked against the same brute force.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from kportable.api import RunOptions, RunResult, run

pytestmark = pytest.mark.corpus

TEMPLATE = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def _text(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else str(value)


def raw_pod_labels(data):
    """Pod template labels straight from the manifest (no kportable accessor)."""
    node = data
    for key in TEMPLATE[data["kind"]]:
        node = node.get(key) if isinstance(node, dict) else None
    meta = node.get("metadata") if isinstance(node, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if not isinstance(labels, dict):
        return {}
    return {k: _text(v) for k, v in labels.items() if not isinstance(v, dict | list) and v is not None}


def brute_matches(selector, labels, *, empty_matches_all=True):
    """LabelSelector semantics, written out: a missing selector matches nothing, ``{}`` everything."""
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return empty_matches_all
    for key, value in match_labels.items():
        if labels.get(key) != _text(value):
            return False
    for expr in expressions:
        key, op, values = expr["key"], expr["operator"], [_text(v) for v in expr.get("values") or []]
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def selector_of(res):
    spec = res.data.get("spec") or {}
    if res.kind == "NetworkPolicy":
        raw = spec.get("podSelector")
        return ({} if raw is None else raw), True
    return spec.get("selector"), res.api_version != "policy/v1beta1"


def brute_selected(result: RunResult, res):
    selector, empty_all = selector_of(res)
    ns = res.namespace or "default"
    return [
        w for w in result.inventory.workloads
        if w.namespace == ns and brute_matches(selector, raw_pod_labels(w.resource.data), empty_matches_all=empty_all)
    ]


@cache
def _lint(root: str, context: tuple[str, ...] = (), assume: frozenset[str] = frozenset()) -> RunResult:
    return run(RunOptions(paths=(root,), context_paths=context, assume=assume, jobs=1))


@pytest.fixture(scope="module")
def corpus_result(real_corpus: Path) -> RunResult:
    return _lint(str(real_corpus))


def selecting_objects(result: RunResult):
    inv = result.inventory
    return [r for r in (*inv.of_kind("NetworkPolicy"), *inv.of_kind("PodDisruptionBudget"))
            if r.group in ("networking.k8s.io", "policy")]


def test_the_corpus_has_policies_and_budgets_to_check(corpus_result):
    kinds = Counter(r.kind for r in selecting_objects(corpus_result))
    assert kinds["NetworkPolicy"] >= 30
    assert kinds["PodDisruptionBudget"] >= 5


def test_every_policy_and_budget_selects_exactly_the_brute_force_answer(corpus_result):
    inv = corpus_result.inventory
    mismatches = []
    for res in selecting_objects(corpus_result):
        got = [id(w) for w in inv.selected_workloads(res)]
        want = [id(w) for w in brute_selected(corpus_result, res)]
        if got != want:
            mismatches.append(f"{res.ref} in {res.path}: inventory {len(got)}, brute force {len(want)}")
    assert not mismatches, "\n".join(mismatches)


def test_reverse_edges_agree(corpus_result):
    inv = corpus_result.inventory
    for res in selecting_objects(corpus_result):
        for w in brute_selected(corpus_result, res):
            assert any(r is res for r in inv.selecting(w, res.kind)), f"{w.ref} misses {res.ref}"


def _findings(result: RunResult, rule_id: str):
    return [f for f in result.findings if f.rule_id == rule_id]


def _workload_at(result: RunResult, finding):
    for w in result.inventory.workloads:
        if w.ref == finding.obj and w.resource.path == finding.location.path:
            return w
    raise AssertionError(f"no workload for {finding.obj} in {finding.location.path}")


def _ingress_types(res):
    spec = res.data.get("spec") or {}
    declared = spec.get("policyTypes") or []
    return "Ingress" in declared if declared else True


def test_no_flagged_workload_has_an_ingress_policy_in_its_namespace(corpus_result):
    flagged = _findings(corpus_result, "KP252")
    assert flagged
    policies = [r for r in selecting_objects(corpus_result) if r.kind == "NetworkPolicy"]
    for f in flagged:
        w = _workload_at(corpus_result, f)
        covering = [p for p in policies
                    if _ingress_types(p) and any(x is w for x in brute_selected(corpus_result, p))]
        assert not covering, f"{w.ref} is flagged but {covering[0].ref} selects it"


def test_no_flagged_replicated_workload_has_a_budget_in_its_namespace(corpus_result):
    flagged = _findings(corpus_result, "KP701")
    assert flagged
    budgets = [r for r in selecting_objects(corpus_result) if r.kind == "PodDisruptionBudget"]
    for f in flagged:
        w = _workload_at(corpus_result, f)
        assert not [b for b in budgets if any(x is w for x in brute_selected(corpus_result, b))], w.ref


def test_no_flagged_namespace_has_a_default_deny(corpus_result):
    policies = [r for r in selecting_objects(corpus_result) if r.kind == "NetworkPolicy"]
    for f in _findings(corpus_result, "KP251"):
        ns = f.message.split("'")[1]
        for p in policies:
            spec = p.data.get("spec") or {}
            empty = not (spec.get("podSelector") or {})
            assert not (p.namespace == ns and empty and _ingress_types(p) and not spec.get("ingress")), (ns, p.ref)


def test_namespace_findings_count_against_their_workloads(corpus_result):
    for f in _findings(corpus_result, "KP251") + _findings(corpus_result, "KP711") + _findings(corpus_result, "KP712"):
        ns = f.message.split("'")[1]
        assert f.related, f.message
        assert all(ref.namespace == ns for ref in f.related)
        assert not f.clouds


def test_operator_managed_pods_are_not_reported_as_selecting_nothing(corpus_result):
    """kube-prometheus' Alertmanager and Prometheus budgets and policies select operator-made pods."""
    noisy = [f for f in _findings(corpus_result, "KP254") + _findings(corpus_result, "KP703")
             if "kube-prometheus" in f.location.path]
    assert not noisy, [f.message for f in noisy]


def test_hygiene_findings_have_no_clouds(corpus_result):
    # hygiene rules declare no clouds (the cloud rules of the same families, KP201-KP209, declare them all)
    hygiene_rules = {r.id for r in corpus_result.rules if not r.clouds and r.id[2] in "1234567"}
    assert {"KP105", "KP106", "KP251", "KP252", "KP255", "KP701", "KP704", "KP711", "KP712"} <= hygiene_rules
    hygiene = [f for f in corpus_result.findings if f.rule_id in hygiene_rules]
    assert len({f.rule_id for f in hygiene}) >= 8
    assert all(f.clouds == () and f.effect is None for f in hygiene)


# --------------------------------------------------------------------------- named projects


def test_ingress_nginx_has_none_of_the_four(real_corpus):
    result = _lint(str(real_corpus / "ingress-nginx" / "deploy" / "static" / "provider" / "cloud" / "deploy.yaml"))
    by_rule = Counter(f.rule_id for f in result.findings)
    for rule_id in ("KP251", "KP711", "KP712"):
        [f] = _findings(result, rule_id)
        assert "namespace 'ingress-nginx'" in f.message
        assert f.obj is not None
        assert f.obj.kind == "Namespace"
        assert len(f.related) == 3
    assert by_rule["KP252"] == 3  # the controller Deployment and the two admission Jobs
    assert by_rule["KP701"] == 0  # one replica
    for rule_id in ("KP254", "KP255", "KP702", "KP703", "KP704", "KP105", "KP106"):
        assert by_rule[rule_id] == 0, rule_id


def test_online_boutique_release_without_and_with_its_network_policy_component(real_corpus):
    release = str(real_corpus / "online-boutique" / "release" / "kubernetes-manifests.yaml")
    policies = str(real_corpus / "online-boutique" / "kustomize" / "components" / "network-policies")
    alone = _lint(release)
    workloads = [w for w in alone.inventory.workloads if w.kind == "Deployment"]
    assert len(workloads) >= 10
    assert len(_findings(alone, "KP251")) == 1
    assert len(_findings(alone, "KP252")) == len(workloads)
    # The release pins one replica everywhere, so there is no replicated workload to protect.
    assert all((w.replicas or 0) <= 1 for w in workloads)
    assert _findings(alone, "KP701") == []

    with_policies = _lint(release, context=(policies,))
    assert _findings(with_policies, "KP251") == []
    assert _findings(with_policies, "KP252") == []
    assert {f.location.path for f in with_policies.findings} <= {release}
    # each component policy selects exactly its service, plus deny-all selecting everything
    inv = with_policies.inventory
    for policy in inv.of_kind("NetworkPolicy"):
        names = {w.name for w in inv.selected_workloads(policy)}
        if policy.name == "deny-all":
            assert names == {w.name for w in workloads}
        elif policy.name == "redis-cart":
            assert names == {"redis-cart"}
        else:
            assert names == {policy.name}, policy.name


def test_online_boutique_policies_alone_do_not_claim_typos(real_corpus):
    """Without the workloads the bundle cannot judge the selectors: nothing is reported."""
    policies = str(real_corpus / "online-boutique" / "kustomize" / "components" / "network-policies")
    result = _lint(policies)
    assert _findings(result, "KP254") == []
    assert _findings(result, "KP255") == []


def test_assume_silences_the_cluster_level_rules(real_corpus):
    path = str(real_corpus / "ingress-nginx" / "deploy" / "static" / "provider" / "cloud" / "deploy.yaml")
    result = _lint(path, assume=frozenset(
        {"default-deny-network-policy", "limit-ranges", "resource-quotas", "pod-disruption-budgets"}))
    quiet = {"KP101", "KP102", "KP103", "KP104", "KP251", "KP252", "KP253", "KP701", "KP711", "KP712"}
    assert not [f for f in result.findings if f.rule_id in quiet]
