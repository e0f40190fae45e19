"""KP503 cloud-toleration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, as_dict, as_list, as_str, label, scalar_text
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, pair, tie_finding


@rule("KP503", "cloud-toleration", Severity.INFO, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_toleration(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports, for information, tolerations of taints that only one cloud puts on its nodes
    (`cloud.google.com/gke-spot`, `kubernetes.azure.com/scalesetpriority=spot`,
    `eks.amazonaws.com/compute-type`, `virtual-kubelet.io/provider`, `google.com/tpu`, ...).

    ## Why is this bad?
    It is not: tolerating a taint that no node carries is a no-op, so the pod schedules anywhere.
    The finding explains intent (the workload was written for spot pools, TPUs or virtual nodes of
    one cloud) and costs nothing in the scores. The matching node selector, if any, is the real tie
    (KP501). Note the reverse: moving a workload *to* a cloud may need that cloud's tolerations.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: worker
    spec:
      tolerations:
      - key: cloud.google.com/gke-spot
        operator: Equal
        value: "true"
        effect: NoSchedule
      containers:
      - name: worker
        image: busybox:1.36
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: worker
    spec:
      tolerations:
      - key: example.com/capacity
        operator: Equal
        value: spot
        effect: NoSchedule
      containers:
      - name: worker
        image: busybox:1.36
    ```
    """
    for i, raw in enumerate(as_list(w.pod_spec.get("tolerations"))):
        toleration = as_dict(raw)
        key = as_str(toleration.get("key"))
        if not key:
            continue
        value = scalar_text(toleration.get("value"))
        hit = lookup(ctx, "toleration", key, value)
        if hit is not None:
            yield tie_finding(ctx, w.resource, w.spec_pointer("tolerations", i, "key"), hit,
                              f"{label(w)} toleration {pair(key, value)} is {hit.first.what}")
