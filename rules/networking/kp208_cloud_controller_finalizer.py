"""KP208 cloud-controller-finalizer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_list, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding


@rule("KP208", "cloud-controller-finalizer", Severity.MINOR, target=Target.RESOURCE, clouds=ALL_CLOUDS)
def cloud_controller_finalizer(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports `metadata.finalizers` owned by a cloud's controller, such as
    `ingress.k8s.aws/resources` (AWS Load Balancer Controller) or
    `networking.gke.io/ingress-finalizer-V2` (GKE Ingress), typically left in manifests exported
    from a running cluster.

    ## Why is this bad?
    A finalizer is removed only by the controller that owns it. Applied on a cluster without that
    controller, the object can never be deleted: `kubectl delete` hangs until someone edits the
    finalizer away by hand.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
      finalizers:
      - ingress.k8s.aws/resources
    spec:
      defaultBackend:
        service: {name: shop, port: {number: 80}}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
    spec:
      defaultBackend:
        service: {name: shop, port: {number: 80}}
    ```
    """
    meta = res.data.get("metadata")
    if not isinstance(meta, dict) or "finalizers" not in meta:
        return
    for i, raw in enumerate(as_list(meta.get("finalizers"))):
        if not isinstance(raw, str):
            continue
        hit = lookup(ctx, "finalizer", raw)
        if hit is not None:
            yield tie_finding(ctx, res, ("metadata", "finalizers", i), hit,
                              f"{label(res)} finalizer {raw!r} is {hit.first.what}")
