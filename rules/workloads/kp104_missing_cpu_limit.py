"""KP104 missing-cpu-limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload
from kportable.rule import RuleContext, Target, rule

from ._resources import missing_resource


@rule("KP104", "missing-cpu-limit", Severity.INFO, target=Target.WORKLOAD, enabled=False)
def missing_cpu_limit(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a container or init container that sets no CPU limit. Off by default: enable it
    with `--select KP104` or `select: [KP104]` in `.kportable.yaml`.

    ## Why is this bad?
    CPU limits are a contested default: they throttle latency-sensitive services even when
    the node is idle, so many teams deliberately set requests only. They matter for
    portability where a namespace's ResourceQuota constrains `limits.cpu` (the pod is then
    rejected without one) or where a platform mandates them (AKS Deployment Safeguards, some
    Autopilot-style policies).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
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
    kind: Pod
    metadata:
      name: api
    spec:
      containers:
      - name: api
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 128Mi}
    ```
    """
    yield from missing_resource(
        w, ctx, "limits", "cpu",
        fix="Set resources.limits.cpu if your platform requires it; otherwise keep this rule off.",
    )
