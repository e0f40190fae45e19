"""KP103 missing-memory-limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload
from kportable.rule import RuleContext, Target, rule

from ._resources import missing_resource


@rule("KP103", "missing-memory-limit", Severity.MINOR, target=Target.WORKLOAD)
def missing_memory_limit(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a container or init container that sets no memory limit (`resources.limits.memory`).
    In a namespace whose LimitRange gives a default, the container is satisfied: the finding
    drops to info and names the effective value. In a namespace whose ResourceQuota constrains
    `limits.memory` (and no LimitRange default fills it in), the API server rejects the pod, so
    the finding becomes a blocker that names the quota. LimitRanges and quotas from `--context`
    files count; with `--assume limit-ranges` nothing is reported.

    ## Why is this bad?
    A container without a memory limit can grow until the node runs out of memory, and then
    the kernel and kubelet choose the victims. Node sizes and system reservations differ per
    cloud and per node pool, so the same leak takes down neighbours at a different point on
    each. A ResourceQuota on `limits.memory` rejects the pod outright.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: report
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: report
            image: python:3.12-slim
            resources:
              requests: {cpu: 200m, memory: 256Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: report
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: report
            image: python:3.12-slim
            resources:
              requests: {cpu: 200m, memory: 256Mi}
              limits: {memory: 256Mi}
    ```
    """
    yield from missing_resource(
        w, ctx, "limits", "memory",
        fix="Set resources.limits.memory (usually equal to the memory request).",
    )
