"""KP712 namespace-without-limit-range."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.assume import LIMIT_RANGES
from kportable.findings import Finding, Severity
from kportable.rule import RuleContext, Target, rule

from ..workloads._admission import Admission
from ._guardrails import missing_guardrail


@rule("KP712", "namespace-without-limit-range", Severity.MINOR, target=Target.INVENTORY)
def namespace_without_limit_range(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a namespace that holds workloads but has no LimitRange with a `type: Container`
    item in the bundle (or in `--context` files). The finding sits on the Namespace object when
    the bundle has one, else on the namespace's first workload, and counts against every
    workload of the namespace. Quiet with `--assume limit-ranges`.

    ## Why is this bad?
    A LimitRange gives containers that set no requests or limits a default, and bounds the
    ones that do. Without it, such containers run BestEffort on EKS and AKS and get GKE
    Autopilot's injected defaults there, so the same pod is scheduled, evicted and billed
    differently per cloud; and a ResourceQuota on requests or limits rejects them outright.
    Minor: containers that set their own values (KP101-KP104) do not depend on it.

    ## Example
    ```yaml
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
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: LimitRange
    metadata:
      name: resource-limits
      namespace: team-a
    spec:
      limits:
      - type: Container
        default: {cpu: 250m, memory: 256Mi}
        defaultRequest: {cpu: 100m, memory: 128Mi}
        max: {cpu: "1", memory: 1Gi}
        min: {cpu: 50m, memory: 64Mi}
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
    ```

    ## References
    - https://kubernetes.io/docs/concepts/policy/limit-range/
    """
    if LIMIT_RANGES in ctx.assume:
        return
    inventory = ctx.inventory
    yield from missing_guardrail(
        ctx,
        "LimitRange with container defaults",
        # the namespace summary KP101-KP106 share, parsed once per run
        lambda ns: any(True for _ in Admission.of(inventory, ns).container_items),
        lambda ns: f"Add a LimitRange to namespace {ns!r} with a type: Container item that sets default and "
                   "defaultRequest for cpu and memory (and max, to bound them).",
    )
