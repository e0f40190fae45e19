"""KP102 missing-memory-request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload
from kportable.rule import RuleContext, Target, rule

from ._resources import missing_resource


@rule("KP102", "missing-memory-request", Severity.MAJOR, target=Target.WORKLOAD)
def missing_memory_request(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a container or init container that sets no memory request
    (`resources.requests.memory`, or a memory limit, which becomes the request).
    In a namespace whose LimitRange gives a default, the container is satisfied: the finding
    drops to info and names the effective value. In a namespace whose ResourceQuota constrains
    `requests.memory` or `memory` (and no LimitRange default fills it in), the API server
    rejects the pod, so the finding becomes a blocker that names the quota. LimitRanges and
    quotas from `--context` files count; with `--assume limit-ranges` nothing is reported.

    ## Why is this bad?
    Memory is not compressible: a pod without a memory request is the first to be evicted
    under node pressure, and how much pressure there is depends on each cloud's node sizes,
    system reservations and autoscaler. GKE Autopilot injects a default request; EKS and AKS
    do not. A namespace with a ResourceQuota on `requests.memory` rejects the pod.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: worker
    spec:
      containers:
      - name: worker
        image: busybox:1.36
        resources:
          requests: {cpu: 50m}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: worker
    spec:
      containers:
      - name: worker
        image: busybox:1.36
        resources:
          requests: {cpu: 50m, memory: 64Mi}
          limits: {memory: 64Mi}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/
    """
    yield from missing_resource(
        w, ctx, "requests", "memory",
        fix="Set resources.requests.memory to the working-set size of the container (e.g. 128Mi).",
    )
