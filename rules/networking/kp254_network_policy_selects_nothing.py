"""KP254 network-policy-selects-nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.inventory import Inventory
from kportable.model import DEFAULT_NAMESPACE, label
from kportable.rule import RuleContext, Target, rule

from .._scope import OperatorPods, describe_selector, near_miss
from ._netpol import is_network_policy


@rule("KP254", "network-policy-selects-nothing", Severity.INFO, target=Target.INVENTORY)
def network_policy_selects_nothing(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a NetworkPolicy whose `podSelector` matches no workload of its namespace in the
    bundle, or is invalid. It only speaks when the namespace holds workloads in the bundle
    (including `--context` files): otherwise the bundle cannot tell what the policy selects.
    Pods that an operator creates from a custom resource of the namespace (a `Prometheus`, an
    Argo `Rollout`) count as selected when that resource carries the labels.

    ## Why is this bad?
    A policy that selects nothing protects nothing, and usually means a typo in a label or a
    namespace that differs from the workloads' (for example a policy with
    `metadata.namespace: prod` next to workloads that rely on `kubectl apply -n`). The intended
    pods stay open on every cluster.

    ## Known problems
    Pods created outside the bundle (by a Helm hook, a controller, `kubectl run`) are unknown
    here; pass their manifests with `--context` or ignore the finding.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: api
    spec:
      podSelector:
        matchLabels: {app: apl}
      policyTypes: [Ingress]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: api
    spec:
      podSelector:
        matchLabels: {app: api}
      policyTypes: [Ingress]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: nginx:1.27
    ```
    """
    inventory = ctx.inventory
    operators = OperatorPods(inventory)
    for policy in inventory.of_kind("NetworkPolicy"):
        if policy.context or not is_network_policy(policy):
            continue
        namespace = policy.namespace or DEFAULT_NAMESPACE
        selector = Inventory.selector_of(policy)
        raw = policy.spec.get("podSelector")
        if selector.problems:
            yield ctx.finding(
                policy, ("spec", "podSelector"),
                f"{label(policy)} selects no pods: its podSelector is invalid ({'; '.join(selector.problems)})",
                fix="Fix the podSelector so that it matches the labels of the pods the policy is for.",
            )
            continue
        if selector.is_empty or not inventory.has_workloads(namespace) or inventory.selected_workloads(policy):
            continue
        if operators.matching(namespace, selector) is not None:
            continue
        yield ctx.finding(
            policy, ("spec", "podSelector"),
            f"{label(policy)} selects no workload: no pod template in namespace {namespace!r} has labels "
            f"{describe_selector(raw)}{near_miss(inventory, namespace, selector)}",
            fix="Make the podSelector match the pod template labels of the workloads it should protect, and "
                "check that the policy and the workloads end up in the same namespace.",
        )
