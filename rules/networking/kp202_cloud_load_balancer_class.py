"""KP202 cloud-load-balancer-class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kportable.findings import Finding, Severity
from kportable.model import Resource, as_str, label
from kportable.rule import ALL_CLOUDS, RuleContext, Target, rule

from .._ties import lookup, tie_finding


@rule("KP202", "cloud-load-balancer-class", Severity.BLOCKER, target=Target.RESOURCE,
      kinds={"Service"}, clouds=ALL_CLOUDS)
def cloud_load_balancer_class(res: Resource, ctx: RuleContext[Any]) -> Iterator[Finding]:
    """
    ## What it does
    Reports a Service whose `spec.loadBalancerClass` names a cloud's load balancer implementation
    (`service.k8s.aws/nlb`, `eks.amazonaws.com/nlb`, `networking.gke.io/l4-regional-internal`, ...).

    ## Why is this bad?
    `loadBalancerClass` is not a hint: on a cluster where no controller serves the class, the
    Service stays `<pending>` forever, with no fallback to the default load balancer. The field is
    also immutable, so fixing it means deleting and recreating the Service.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      type: LoadBalancer
      loadBalancerClass: service.k8s.aws/nlb
      selector: {app: api}
      ports:
      - port: 80
    ```

    ## Use instead
    ```yaml
    # omit loadBalancerClass in the base; set it in the cloud's overlay if needed
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      type: LoadBalancer
      selector: {app: api}
      ports:
      - port: 80
    ```

    ## References
    - https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-class
    - https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/
    """
    cls = as_str(res.spec.get("loadBalancerClass"))
    if not cls:
        return
    hit = lookup(ctx, "load-balancer-class", cls)
    if hit is not None:
        yield tie_finding(ctx, res, ("spec", "loadBalancerClass"), hit,
                          f"{label(res)} loadBalancerClass {cls!r} is {hit.first.what}")
