"""KP505 cloud-runtime-class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Workload, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding


@rule("KP505", "cloud-runtime-class", Severity.BLOCKER, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_runtime_class(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a pod `runtimeClassName` that only one cloud provides: GKE Sandbox `gvisor`, AKS Pod
    Sandboxing `kata-vm-isolation` (and its confidential variants).

    ## Why is this bad?
    The API server rejects a pod naming a RuntimeClass that does not exist, so the workload's pods
    are never created on another cloud. Each cloud has its own sandbox, so the class belongs in a
    per-cloud overlay.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: untrusted
    spec:
      runtimeClassName: gvisor
      containers:
      - name: app
        image: busybox:1.36
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: untrusted
    spec:
      containers:
      - name: app
        image: busybox:1.36
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          runAsUser: 1000
    ```

    ## References
    - https://cloud.google.com/kubernetes-engine/docs/concepts/sandbox-pods
    - https://learn.microsoft.com/azure/aks/use-pod-sandboxing
    """
    name = as_str(w.pod_spec.get("runtimeClassName"))
    hit = lookup(ctx, "runtime-class", name) if name else None
    if name and hit is not None:
        yield tie_finding(ctx, w.resource, w.spec_pointer("runtimeClassName"), hit,
                          f"{label(w)} runtimeClassName {name!r} is {hit.first.what}")
