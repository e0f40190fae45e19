"""KP506 cloud-scheduler-name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding


@rule("KP506", "cloud-scheduler-name", Severity.BLOCKER, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_scheduler_name(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a pod `schedulerName` that names a scheduler only one cloud runs, such as EKS's
    `fargate-scheduler` (written into pods EKS places on Fargate, and so into exported manifests).

    ## Why is this bad?
    A pod is scheduled only by the scheduler it names. Where that scheduler does not run the pod
    stays Pending forever, with no event explaining why.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: job
    spec:
      schedulerName: fargate-scheduler
      containers:
      - name: job
        image: busybox:1.36
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: job
    spec:
      containers:
      - name: job
        image: busybox:1.36
    ```

    ## References
    - https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html
    """
    name = as_str(w.pod_spec.get("schedulerName"))
    hit = lookup(ctx, "scheduler-name", name) if name else None
    if name and hit is not None:
        yield tie_finding(ctx, w.resource, w.spec_pointer("schedulerName"), hit,
                          f"{label(w)} schedulerName {name!r} is {hit.first.what}")
