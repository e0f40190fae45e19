"""KP101 missing-cpu-request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload
from kportable.rule import RuleContext, Target, rule

from ._resources import missing_resource


@rule("KP101", "missing-cpu-request", Severity.MINOR, target=Target.WORKLOAD)
def missing_cpu_request(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a container or init container that sets no CPU request (`resources.requests.cpu`,
    or a CPU limit, which Kubernetes copies into the request).
    In a namespace whose LimitRange gives a default, the container is satisfied: the finding
    drops to info and names the effective value. In a namespace whose ResourceQuota constrains
    `requests.cpu` or `cpu` (and no LimitRange default fills it in), the API server rejects the
    pod, so the finding becomes a blocker that names the quota. LimitRanges and quotas from
    `--context` files count; with `--assume limit-ranges` nothing is reported.

    ## Why is this bad?
    Without a request the scheduler places the pod by whatever the cluster defaults to, and
    that differs per cloud: GKE Autopilot injects its own requests (and bills them), EKS and
    AKS leave the pod BestEffort unless a LimitRange sets a default, and a namespace with a
    ResourceQuota on `requests.cpu` rejects the pod outright. The same manifest packs,
    scales and costs differently on each cloud.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            resources:
              requests: {cpu: 100m, memory: 128Mi}
              limits: {memory: 128Mi}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    - https://cloud.google.com/kubernetes-engine/docs/concepts/autopilot-resource-requests
    """
    yield from missing_resource(
        w, ctx, "requests", "cpu",
        fix="Set resources.requests.cpu to the CPU the container needs at steady state (e.g. 100m).",
    )
