"""KP209 cloud-readiness-gate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Effect, Finding, Severity
from kportable.model import Workload, as_dict, as_list, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding


@rule("KP209", "cloud-readiness-gate", Severity.BLOCKER, target=Target.WORKLOAD, clouds=ALL_CLOUDS)
def cloud_readiness_gate(w: Workload, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports pod `readinessGates` whose condition only a cloud's controller sets, such as GKE's
    `cloud.google.com/load-balancer-neg-ready`. In a pod template (Deployment, StatefulSet, ...) it
    is a blocker; in a bare Pod exported from a cluster, where GKE injected it, it is informational.

    ## Why is this bad?
    A pod is Ready only when every readiness gate's condition is True. On another cloud nothing ever
    sets the condition, so the pods stay NotReady forever and never receive traffic.

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
          readinessGates:
          - conditionType: cloud.google.com/load-balancer-neg-ready
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
            readinessProbe:
              httpGet: {path: /healthz, port: 80}
    ```

    ## References
    - https://cloud.google.com/kubernetes-engine/docs/concepts/container-native-load-balancing
    """
    for i, gate in enumerate(as_list(w.pod_spec.get("readinessGates"))):
        condition = as_str(as_dict(gate).get("conditionType"))
        hit = lookup(ctx, "readiness-gate", condition) if condition else None
        if condition and hit is not None:
            exported = w.kind == "Pod"
            yield tie_finding(
                ctx, w.resource, w.spec_pointer("readinessGates", i, "conditionType"), hit,
                f"{label(w)} readiness gate {condition!r} is {hit.first.what}"
                + (" (injected by the platform into this exported Pod)" if exported else ""),
                effect=Effect.INFO if exported else None,
            )
