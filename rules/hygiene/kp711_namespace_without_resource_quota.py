"""KP711 namespace-without-resource-quota."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.assume import RESOURCE_QUOTAS
from kportable.findings import Finding, Severity
from kportable.rule import RuleContext, Target, rule

from ._guardrails import missing_guardrail


@rule("KP711", "namespace-without-resource-quota", Severity.MINOR, target=Target.INVENTORY)
def namespace_without_resource_quota(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a namespace that holds workloads but has no ResourceQuota in the bundle (or in
    `--context` files). The finding sits on the Namespace object when the bundle has one, else
    on the namespace's first workload, and counts against every workload of the namespace.
    Quiet with `--assume resource-quotas`, for clusters whose platform team sets quotas.

    ## Why is this bad?
    Without a quota, one namespace can take a whole cluster's capacity: a runaway HPA, a
    CronJob that piles up, a memory leak with no limit. How much capacity there is, and whether
    it grows, differs per cloud (GKE Autopilot bills every pod, node auto-provisioning and
    Karpenter add nodes, fixed node pools do not). A quota shipped with the workload states its
    budget in a form every cluster enforces. Minor: nothing breaks until the namespace grows.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: team-a
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: team-a
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
            resources:
              requests: {cpu: 100m, memory: 128Mi}
              limits: {memory: 128Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: team-a
    ---
    apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: team-quota
      namespace: team-a
    spec:
      hard:
        requests.cpu: "10"
        requests.memory: 20Gi
        limits.cpu: "20"
        limits.memory: 40Gi
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: team-a
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
            resources:
              requests: {cpu: 100m, memory: 128Mi}
              limits: {memory: 128Mi}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/policy/resource-quotas/
    """
    if RESOURCE_QUOTAS in ctx.assume:
        return
    inventory = ctx.inventory
    yield from missing_guardrail(
        ctx,
        "ResourceQuota",
        lambda ns: bool(inventory.in_namespace(ns, "ResourceQuota")),
        lambda ns: f"Add a ResourceQuota to namespace {ns!r} with hard limits on requests.cpu, requests.memory "
                   "and limits.memory sized for its workloads.",
    )
