"""KP702 pdb-blocks-eviction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, label
from kportable.rule import RuleContext, Target, rule

from ._budgets import blocking, is_pdb


@rule("KP702", "pdb-blocks-eviction", Severity.MAJOR, target=Target.RESOURCE, kinds={"PodDisruptionBudget"})
def pdb_blocks_eviction(pdb: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a PodDisruptionBudget that allows no voluntary eviction even when every pod is
    healthy. That is `maxUnavailable: 0` or `"0%"`, `minAvailable: "100%"`, a `minAvailable` equal to or
    above the replicas of the workloads it selects (the HPA's `minReplicas` when one scales them;
    percentages round up, so `50%` of one replica is one), or `maxUnavailable` / a percentage
    `minAvailable` over pods whose controller has no scale (DaemonSet, Job, bare Pod), which the
    disruption controller cannot compute.

    ## Why is this bad?
    Node upgrades drain nodes through the eviction API, and this budget answers every eviction
    with "429 Too Many Requests". Each managed cloud reacts differently: an EKS managed node group
    update fails after 15 minutes of failed evictions unless forced, an AKS upgrade stops with
    `UpgradeFailed` naming the budget, and GKE waits up to an hour per node before draining
    anyway. The same manifests stall upgrades on one cloud and are overridden on another.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      replicas: 2
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: nginx:1.27
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: api
    spec:
      minAvailable: 2
      selector:
        matchLabels: {app: api}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      replicas: 2
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
          - name: api
            image: nginx:1.27
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: api
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: api}
    ```

    ## References
    - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#arbitrary-controllers-and-selectors
    - https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/create-upgrade-delete/error-code-poddrainfailure
    - https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
    """
    if not is_pdb(pdb):
        return
    selected = ctx.inventory.selected_workloads(pdb)
    found = blocking(ctx.inventory, pdb, selected)
    if found is None:
        return
    yield ctx.finding(
        pdb,
        found.pointer,
        f"{label(pdb)} allows no voluntary eviction: {found.reason}",
        fix="Use maxUnavailable: 1 (or a minAvailable below the replica count), so that drains during node "
            "upgrades can proceed one pod at a time.",
        related=tuple(w.ref for w in selected if not w.resource.context),
    )
