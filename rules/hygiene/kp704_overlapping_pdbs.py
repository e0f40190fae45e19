"""KP704 overlapping-pdbs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, Workload, label
from kportable.rule import RuleContext, Target, rule

from .._scope import workload_names
from ._budgets import is_pdb


@rule("KP704", "overlapping-pdbs", Severity.MAJOR, target=Target.INVENTORY)
def overlapping_pdbs(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports PodDisruptionBudgets that select the same pods. Each overlapping pair is reported
    once, on the budget that comes later in the input (or on the reported one when the other
    comes from a `--context` file), naming the other budget and the shared workloads.

    ## Why is this bad?
    The eviction API refuses to evict a pod that more than one budget covers ("This pod has more
    than one PodDisruptionBudget, which the eviction subresource does not support"), so every
    drain of a node that runs such a pod fails. Upgrades then stall on every managed cloud, each
    in its own way (EKS managed node group updates fail after 15 minutes, AKS reports
    `UpgradeFailed`, GKE force-drains after an hour).

    ## Known problems
    Two budgets with the same name in the same namespace are one object written twice (the
    builds of several overlays of one base, linted together), not an overlap: they are not
    reported.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web, tier: front}
        spec:
          containers:
          - name: web
            image: nginx:1.27
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: web}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: front-tier
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {tier: front}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web, tier: front}
        spec:
          containers:
          - name: web
            image: nginx:1.27
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: web}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/scheduling-eviction/api-eviction/
    """
    inventory = ctx.inventory
    budgets = [p for p in inventory.of_kind("PodDisruptionBudget") if is_pdb(p)]
    order = {id(p): i for i, p in enumerate(budgets)}
    for pdb in budgets:
        if pdb.context:
            continue
        shared: dict[int, tuple[Resource, list[Workload]]] = {}
        for w in inventory.selected_workloads(pdb):
            for other in inventory.selecting(w, "PodDisruptionBudget"):
                if other is pdb or id(other) not in order or other.name == pdb.name:
                    continue  # the same budget written twice (overlays, builds of one base) is one object
                if other.context or order[id(other)] < order[id(pdb)]:
                    shared.setdefault(id(other), (other, []))[1].append(w)
        for other, workloads in sorted(shared.values(), key=lambda item: order[id(item[0])]):
            yield ctx.finding(
                pdb,
                ("spec", "selector"),
                f"{label(pdb)} and {label(other)} both select the pods of "
                f"{workload_names(workloads)}: the eviction API refuses to evict a pod with more than one budget",
                fix="Keep one PodDisruptionBudget per set of pods: narrow one selector or merge the two budgets.",
                related=tuple(w.ref for w in workloads if not w.resource.context),
            )
