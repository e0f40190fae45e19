"""KP104 missing-cpu-limit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kportable.findings import Finding, Severity
from kportable.model import Workload
from kportable.rule import RuleContext, Target, rule

from ._resources import missing_resource


@dataclass(frozen=True, slots=True)
class CpuLimitOptions:
    everywhere: bool = False


@rule("KP104", "missing-cpu-limit", Severity.INFO, target=Target.WORKLOAD, options=CpuLimitOptions)
def missing_cpu_limit(w: Workload, ctx: RuleContext[CpuLimitOptions]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a container or init container without a CPU limit where a ResourceQuota makes one
    mandatory. In a namespace whose ResourceQuota constrains `limits.cpu` (and no LimitRange gives
    a default limit), the API server rejects the pod, and the finding is a blocker that names the
    quota.
    With the `everywhere` option it also reports every other container without a CPU limit, at
    info (or naming the LimitRange default that fills it in). LimitRanges and quotas from
    `--context` files count; with `--assume limit-ranges` nothing is reported.

    ## Why is this bad?
    CPU limits are a contested default: they throttle latency-sensitive services even when
    the node is idle, so many teams deliberately set requests only. They matter for
    portability where a namespace's ResourceQuota constrains `limits.cpu` (the pod is then
    rejected without one) or where a platform mandates them (AKS Deployment Safeguards, some
    Autopilot-style policies).

    ## Example
    ```yaml
    apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: team-quota
      namespace: team-a
    spec:
      hard:
        requests.cpu: "10"
        limits.cpu: "20"
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
      namespace: team-a
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
    kind: ResourceQuota
    metadata:
      name: team-quota
      namespace: team-a
    spec:
      hard:
        requests.cpu: "10"
        limits.cpu: "20"
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
      namespace: team-a
    spec:
      containers:
      - name: api
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 128Mi}
    ```

    ## Options
    - `everywhere`: report every container without a CPU limit (at info), not only those a
      quota makes the API server reject. This was the rule's only behaviour when it was off by
      default; turn it on where a platform policy mandates CPU limits.

    ## References
    - https://kubernetes.io/docs/concepts/policy/resource-quotas/#requests-vs-limits
    """
    yield from missing_resource(
        w, ctx, "limits", "cpu",
        fix="Set resources.limits.cpu if your platform requires it; otherwise keep this rule off.",
        only_where_required=not ctx.options.everywhere,
    )
