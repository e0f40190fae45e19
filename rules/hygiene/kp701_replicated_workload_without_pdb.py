"""KP701 replicated-workload-without-pdb."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.assume import POD_DISRUPTION_BUDGETS
from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.rule import RuleContext, Target, rule

from .._scope import describe_selector, hpa_min_replicas
from ._budgets import REPLICATED_KINDS, is_pdb


@rule("KP701", "replicated-workload-without-pdb", Severity.MAJOR, target=Target.WORKLOAD)
def replicated_workload_without_pdb(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a Deployment or StatefulSet that runs more than one replica, or that a
    HorizontalPodAutoscaler with `minReplicas` of 2 or more scales, when no PodDisruptionBudget
    of its namespace selects its pods. Budgets in `--context` files count. Quiet with
    `--assume pod-disruption-budgets`.

    ## Why is this bad?
    Every managed cloud drains nodes on its own schedule: GKE auto-upgrades and node
    auto-repair, EKS managed node group updates and Karpenter consolidation, AKS upgrades and
    node image updates, and the cluster autoscaler everywhere. Without a budget, a drain may
    evict all replicas at once (several can sit on one node, or several nodes drain together
    with a larger surge), and the service goes down although it runs several copies. How often
    and how many nodes drain at once differs per cloud and per node pool setting, so the same
    workload is highly available on one cluster and not on the next.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
    spec:
      replicas: 3
      selector:
        matchLabels: {app: frontend}
      template:
        metadata:
          labels: {app: frontend}
        spec:
          containers:
          - name: frontend
            image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
    spec:
      replicas: 3
      selector:
        matchLabels: {app: frontend}
      template:
        metadata:
          labels: {app: frontend}
        spec:
          containers:
          - name: frontend
            image: nginx:1.27
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: frontend-pdb
    spec:
      minAvailable: 2
      selector:
        matchLabels: {app: frontend}
    ```

    ## References
    - https://kubernetes.io/docs/tasks/run-application/configure-pdb/
    - https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-upgrades
    - https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
    - https://learn.microsoft.com/azure/aks/upgrade-cluster
    """
    if w.kind not in REPLICATED_KINDS or POD_DISRUPTION_BUDGETS in ctx.assume:
        return
    inventory = ctx.inventory
    replicas = w.replicas or 0
    reason = f"runs {replicas} replicas" if replicas > 1 else ""
    lowest = replicas
    for hpa in inventory.hpas_for(w):
        low = hpa_min_replicas(hpa)
        if low is not None and low >= 2 and not reason:
            reason = f"is scaled by {label(hpa)} with minReplicas {low}"
            lowest = low
    if not reason or any(is_pdb(p) for p in inventory.selecting(w, "PodDisruptionBudget")):
        return
    selector = describe_selector(w.selector)
    yield ctx.finding(
        w.resource,
        ("spec", "replicas"),
        f"{label(w)} {reason} but no PodDisruptionBudget selects its pods, so a node drain can evict "
        "them all at once",
        fix=f"Add a policy/v1 PodDisruptionBudget in namespace {w.namespace!r} with selector {selector} and "
            f"maxUnavailable: 1 (or minAvailable: {max(lowest - 1, 1)}).",
    )
