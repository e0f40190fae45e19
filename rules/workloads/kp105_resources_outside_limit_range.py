"""KP105 resources-outside-limit-range."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, label
from kportable.rule import RuleContext, Target, rule

from ._admission import (
    Admission,
    container_violations,
    default_conflicts,
    describe_setting,
    pod_violations,
    reported_by_namespace,
)
from ._resources import checked_containers


@rule("KP105", "resources-outside-limit-range", Severity.BLOCKER, target=Target.INVENTORY)
def resources_outside_limit_range(ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports containers whose requests or limits fall outside a LimitRange of their namespace.
    The check runs on the values after the defaults the LimitRange fills in, for CPU, memory or
    any other resource: below `min`, above `max`, a limit/request ratio above
    `maxLimitRequestRatio`, a value missing where the LimitRange bounds it, pod totals outside a
    `type: Pod` item, and a default limit that lands below the container's own request. Values
    are compared exactly, at the precision the LimitRanger admission plugin uses. LimitRanges
    from `--context` files count.

    ## Why is this bad?
    The API server rejects every pod of such a workload: the Deployment is created, its
    ReplicaSet is not, and nothing runs. LimitRanges are per namespace and often per cluster
    (platform teams stamp them out), so a workload that fits one cluster's bounds is refused by
    the next, on any cloud.

    ## Example
    ```yaml
    apiVersion: v1
    kind: LimitRange
    metadata:
      name: resource-limits
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
      name: report
    spec:
      selector:
        matchLabels: {app: report}
      template:
        metadata:
          labels: {app: report}
        spec:
          containers:
          - name: report
            image: python:3.12-slim
            resources:
              requests: {cpu: 500m, memory: 2Gi}
              limits: {cpu: "2", memory: 2Gi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: LimitRange
    metadata:
      name: resource-limits
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
      name: report
    spec:
      selector:
        matchLabels: {app: report}
      template:
        metadata:
          labels: {app: report}
        spec:
          containers:
          - name: report
            image: python:3.12-slim
            resources:
              requests: {cpu: 500m, memory: 1Gi}
              limits: {cpu: "1", memory: 1Gi}
    ```

    ## References
    - https://kubernetes.io/docs/concepts/policy/limit-range/
    """
    for admission, workloads in reported_by_namespace(ctx.inventory, kind="LimitRange"):
        for w in workloads:
            yield from _check(w, admission, ctx)


def _check(w: Workload, admission: Admission, ctx: RuleContext[Any]) -> Iterator[Finding]:
    effective = [admission.effective(c) for c in checked_containers(w)]
    for item in admission.items:
        if item.type == "Container":
            violations = [v for e in effective for v in container_violations(item, e)]
        elif item.type == "Pod":
            violations = pod_violations(item, w, effective)
        else:
            continue
        for v in violations:
            yield ctx.finding(
                w.resource, v.pointer,
                f"{label(w)}: {v.message} set by {label(item.limit_range)} "
                f"(spec.limits[{item.index}]), so the API server rejects its pods",
                fix=f"Keep {v.resource} requests and limits within the bounds of {label(item.limit_range)}, "
                    "or change the LimitRange.",
            )
    for e in effective:
        for resource, req, lim in default_conflicts(e):
            origin = label(lim.origin) if lim.origin is not None else "a LimitRange"
            yield ctx.finding(
                w.resource, req.pointer,
                f"{label(w)}: container {e.container.name!r} requests {resource} {describe_setting(req)} but sets "
                f"no limit, and {origin} defaults the limit to {lim.quantity}, below the request: "
                "the pod fails validation",
                fix=f"Set resources.limits.{resource} on container {e.container.name!r} (at least its request).",
            )
